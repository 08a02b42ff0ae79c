import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { QuarantineService, type QuarantinePage } from '../services/quarantine.service.js';
import { QUARANTINE_REASONS } from '../util/quarantine-reason.js';
import { ErrorDto, QuarantinePageDto } from './dto.js';
import { Allow } from './permissions.js';

@ApiTags('mail')
@ApiBearerAuth()
@Controller('quarantine')
export class QuarantineController {
  constructor(private readonly quarantine: QuarantineService) {}

  @Allow('mail:read')
  @Get()
  @ApiQuery({ name: 'reason', required: false, enum: QUARANTINE_REASONS, description: 'why the message is held' })
  @ApiQuery({ name: 'rcpt', required: false, type: String, description: 'part of any envelope recipient' })
  @ApiQuery({ name: 'from', required: false, type: String, description: 'received at or after; ISO-8601 or epoch ms' })
  @ApiQuery({ name: 'to', required: false, type: String, description: 'received before; ISO-8601 or epoch ms' })
  @ApiQuery({ name: 'limit', required: false, type: String, description: '1-1000, default 100' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'nextCursor of the previous page' })
  @ApiOkResponse({ type: QuarantinePageDto, description: 'messages held now (quarantined or held, not released, deleted or expired), newest first' })
  @ApiBadRequestResponse({ type: ErrorDto })
  list(@Query() query: Record<string, unknown>): Promise<QuarantinePage> {
    return this.quarantine.list(query);
  }
}
