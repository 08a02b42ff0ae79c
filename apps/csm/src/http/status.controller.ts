import { Controller, Get, Query, Req, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiProduces, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { DashboardService, type DashboardView } from '../services/dashboard.service.js';
import { StatusService, type CsmStatus, type StatsView } from '../services/status.service.js';
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS } from '../util/table-export.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { BreakdownDto, DashboardDto, ErrorDto, StatsDto, StatusDto } from './dto.js';
import { Allow } from './permissions.js';

@ApiTags('status')
@ApiBearerAuth()
@Controller()
export class StatusController {
  constructor(
    private readonly status: StatusService,
    private readonly dashboards: DashboardService,
  ) {}

  @Allow('status:read')
  @Get('status')
  @ApiOkResponse({ type: StatusDto })
  get(): Promise<CsmStatus> {
    return this.status.status();
  }

  @Allow('status:read')
  @Get('stats')
  @ApiQuery({ name: 'from', required: false, type: String, description: 'ISO-8601 or epoch ms; default: all time' })
  @ApiQuery({ name: 'to', required: false, type: String, description: 'ISO-8601 or epoch ms (exclusive); default: now' })
  @ApiQuery({ name: 'by', required: false, enum: ['domain', 'user', 'reason', 'symbol', 'direction'], description: 'a breakdown instead of the direction/action totals' })
  @ApiQuery({ name: 'direction', required: false, enum: ['inbound', 'outbound'], description: 'with by: one direction only' })
  @ApiQuery({ name: 'format', required: false, enum: EXPORT_FORMATS, description: 'the result as a file (audited)' })
  @ApiExtraModels(StatsDto, BreakdownDto)
  @ApiProduces('application/json', ...Object.values(EXPORT_CONTENT_TYPES))
  @ApiOkResponse({
    description: 'StatsDto without by; BreakdownDto with by; a file with format',
    content: {
      'application/json': { schema: { oneOf: [{ $ref: getSchemaPath(StatsDto) }, { $ref: getSchemaPath(BreakdownDto) }] } },
      ...Object.fromEntries(Object.values(EXPORT_CONTENT_TYPES).map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
    },
  })
  @ApiBadRequestResponse({ type: ErrorDto })
  async stats(@Query() query: Record<string, unknown>, @Req() request: AuthenticatedRequest): Promise<StatsView | StreamableFile> {
    const result = await this.status.query(query, adminOf(request));
    if (!('bytes' in result)) return result;
    return new StreamableFile(result.bytes, { type: EXPORT_CONTENT_TYPES[result.format], disposition: `attachment; filename="moat-stats.${result.format}"` });
  }

  @Allow('status:read')
  @Get('dashboard')
  @ApiQuery({ name: 'from', required: false, type: String, description: 'ISO-8601 or epoch ms; default: a day before to' })
  @ApiQuery({ name: 'to', required: false, type: String, description: 'ISO-8601 or epoch ms (exclusive); default: now' })
  @ApiQuery({ name: 'bucket', required: false, enum: ['hour', 'day'], description: 'default: hour up to 2 days, else day; at most 1000 buckets' })
  @ApiOkResponse({ type: DashboardDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  dashboard(@Query() query: Record<string, unknown>): Promise<DashboardView> {
    return this.dashboards.dashboard(query);
  }
}
