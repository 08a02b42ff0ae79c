import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../services/audit.service.js';
import { ExportLogService, type EventPage } from '../services/export-log.service.js';
import { AuditEventDto, DeliveryEventDto, ErrorDto, EventPageDto, FindingEventDto, MessageEventDto, NodeEventDto } from './dto.js';
import { Allow } from './permissions.js';

@ApiTags('events')
@ApiBearerAuth()
@Controller('events')
export class EventsController {
  constructor(
    private readonly exportLog: ExportLogService,
    private readonly audit: AuditService,
  ) {}

  @Allow('audit:read')
  @Get()
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'the cursor of an earlier page; absent: from the oldest retained event' })
  @ApiQuery({ name: 'limit', required: false, type: String, description: '1-1000, default 100' })
  @ApiExtraModels(MessageEventDto, FindingEventDto, DeliveryEventDto, AuditEventDto, NodeEventDto)
  @ApiOkResponse({ type: EventPageDto, description: "events in export order after the cursor, and the next cursor; a tenant's caller gets its tenant's messages and findings and its administrators' audit entries" })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'not a cursor, or limit out of range' })
  async page(@Query('cursor') cursor?: string, @Query('limit') limit?: string): Promise<EventPage> {
    return this.exportLog.page(cursor, limit, await this.audit.tenantScope());
  }
}
