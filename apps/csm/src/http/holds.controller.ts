import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HoldsService, type HeldDomainView, type HoldReleaseResult } from '../services/holds.service.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { ErrorDto } from './dto.js';
import { HoldReleaseResultDto, HoldsDto } from './holds.dto.js';
import { Allow } from './permissions.js';

/** Delivery hold windows (F9, docs/architecture.md "Delivery hold"): held queues across nodes and their release. */
@ApiTags('holds')
@ApiBearerAuth()
@Controller('holds')
export class HoldsController {
  constructor(private readonly holds: HoldsService) {}

  @Get()
  @Allow('mail:read')
  @ApiOkResponse({ type: HoldsDto, description: 'per domain: held messages and bytes summed across nodes, the oldest, when the open window ends, the next window' })
  async list(): Promise<{ domains: HeldDomainView[] }> {
    return { domains: await this.holds.list() };
  }

  @Post(':domain/release')
  @Allow('mail:release')
  @HttpCode(200)
  @ApiOkResponse({ type: HoldReleaseResultDto, description: 'every connected node ended the open window and delivers the held mail in order of receipt; audited holds.release' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'not a domain of the policy' })
  @ApiResponse({ status: 503, type: ErrorDto, description: 'no node connected' })
  release(@Param('domain') domain: string, @Req() request: AuthenticatedRequest): Promise<HoldReleaseResult> {
    return this.holds.release(domain, adminOf(request));
  }
}
