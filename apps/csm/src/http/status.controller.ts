import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Stats } from '../repositories/event-store.repository.js';
import { StatusService, type CsmStatus } from '../services/status.service.js';
import { parseTimeParam } from '../util/time-param.js';
import { StatsDto, StatusDto } from './dto.js';

@ApiTags('status')
@ApiBearerAuth()
@Controller()
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get('status')
  @ApiOkResponse({ type: StatusDto })
  get(): Promise<CsmStatus> {
    return this.status.status();
  }

  @Get('stats')
  @ApiQuery({ name: 'from', required: false, description: 'ISO-8601 or epoch ms; default: all time' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601 or epoch ms (exclusive); default: now' })
  @ApiOkResponse({ type: StatsDto })
  stats(@Query('from') from?: unknown, @Query('to') to?: unknown): Promise<Stats> {
    return this.status.stats(parseTimeParam('from', from), parseTimeParam('to', to));
  }
}
