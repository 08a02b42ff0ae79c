import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuditService, type AuditPage, type AuditVerification } from '../services/audit.service.js';
import { AuditPageDto, AuditVerificationDto, ErrorDto } from './dto.js';
import { Allow } from './permissions.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Allow('audit:read')
  @Get()
  @ApiQuery({ name: 'actor', required: false, type: String, description: 'the administrator (or node:<name>) who acted' })
  @ApiQuery({ name: 'action', required: false, type: String, description: 'an action (mail.release) or its family (mail)' })
  @ApiQuery({ name: 'target', required: false, type: String, description: 'what was acted on: a message id, policy v3, ...' })
  @ApiQuery({ name: 'from', required: false, type: String, description: 'ISO-8601 or epoch ms' })
  @ApiQuery({ name: 'to', required: false, type: String, description: 'ISO-8601 or epoch ms (exclusive)' })
  @ApiQuery({ name: 'limit', required: false, type: String, description: '1-1000, default 100' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'nextCursor of the previous page' })
  @ApiOkResponse({ type: AuditPageDto, description: 'newest first' })
  @ApiBadRequestResponse({ type: ErrorDto })
  search(@Query() query: Record<string, unknown>): Promise<AuditPage> {
    return this.audit.search(query);
  }

  @Allow('audit:read')
  @Get('verify')
  @ApiOkResponse({ type: AuditVerificationDto, description: 'ok false and broken names the first entry that does not follow from the one before' })
  verify(): Promise<AuditVerification> {
    return this.audit.verify();
  }
}
