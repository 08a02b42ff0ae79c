import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { SecurityLogService, type SecurityLogPage } from '../services/security-log.service.js';
import { ErrorDto, SecurityLogPageDto } from './dto.js';
import { Allow } from './permissions.js';

@ApiTags('security-log')
@ApiBearerAuth()
@Controller('security-log')
export class SecurityLogController {
  constructor(private readonly securityLog: SecurityLogService) {}

  @Allow('mail:read')
  @Get()
  @ApiQuery({ name: 'kind', required: false, type: String, description: 'filter family: a symbol name prefix (AV_, SPF_, RBL_, ATTACHMENT_) or a whole symbol' })
  @ApiQuery({ name: 'sender', required: false, type: String, description: 'part of the envelope sender, any case' })
  @ApiQuery({ name: 'ip', required: false, type: String, description: 'client IP prefix' })
  @ApiQuery({ name: 'text', required: false, type: String, description: "words in the message's subject or the finding's detail, any case" })
  @ApiQuery({ name: 'from', required: false, type: String, description: 'ISO-8601 or epoch ms' })
  @ApiQuery({ name: 'to', required: false, type: String, description: 'ISO-8601 or epoch ms (exclusive)' })
  @ApiQuery({ name: 'limit', required: false, type: String, description: '1-10000, default 100' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'nextCursor of the previous page' })
  @ApiOkResponse({ type: SecurityLogPageDto, description: 'one row per symbol that fired, newest message first' })
  @ApiBadRequestResponse({ type: ErrorDto })
  search(@Query() query: Record<string, unknown>): Promise<SecurityLogPage> {
    return this.securityLog.search(query);
  }
}
