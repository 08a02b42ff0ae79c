import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiBearerAuth, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { ApiFileResponse } from './api-responses.js';
import { MetricsService } from '../services/metrics.service.js';
import { bearerToken, Public } from './auth.guard.js';

/** Path of the Prometheus endpoint, outside the /api prefix as scrapers expect. */
export const METRICS_PATH = 'metrics';

@ApiTags('metrics')
@Controller(METRICS_PATH)
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus text exposition; authorised by the metrics token, not an admin session (see MetricsService). */
  @Public()
  @Get()
  @ApiBearerAuth()
  @ApiFileResponse('Prometheus text format 0.0.4', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiUnauthorizedResponse({ description: 'no or wrong metrics token (MOAT_METRICS_TOKEN or <data>/metrics-token)' })
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(@Headers('authorization') authorization?: string): Promise<string> {
    return this.metrics.scrape(bearerToken(authorization));
  }
}
