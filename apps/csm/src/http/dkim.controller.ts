import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DkimDnsCheckService, type DkimDnsCheck } from '../services/dkim-dns-check.service.js';
import { DkimService, type DkimDomainView } from '../services/dkim.service.js';
import { PolicyService } from '../services/policy.service.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { DkimActivateDto, DkimDnsCheckDto, DkimDomainViewDto, DkimGenerateDto } from './dkim.dto.js';
import { ErrorDto } from './dto.js';
import { Allow } from './permissions.js';

/** DKIM keys of the sending domains; never returns a private key. */
@ApiTags('dkim')
@ApiBearerAuth()
@Controller('dkim')
export class DkimController {
  constructor(
    private readonly dkim: DkimService,
    private readonly dnsCheck: DkimDnsCheckService,
    private readonly policy: PolicyService,
  ) {}

  @Allow('policy:read')
  @Get()
  @ApiOkResponse({ type: [DkimDomainViewDto] })
  async list(): Promise<DkimDomainView[]> {
    return this.policy.owned(await this.dkim.list());
  }

  @Allow('policy:read')
  @Get(':domain')
  @ApiOkResponse({ type: DkimDomainViewDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  show(@Param('domain') domain: string): Promise<DkimDomainView> {
    return this.dkim.show(domain);
  }

  @Allow('policy:read')
  @Get(':domain/dns-check')
  @ApiOkResponse({ type: DkimDnsCheckDto, description: 'each DKIM key\'s TXT record, SPF and DMARC: expected, found, status' })
  @ApiNotFoundResponse({ type: ErrorDto })
  checkDns(@Param('domain') domain: string): Promise<DkimDnsCheck> {
    return this.dnsCheck.check(domain);
  }

  @Allow('policy:write')
  @Post(':domain/keys')
  @ApiOkResponse({ type: DkimDomainViewDto, description: 'the domain\'s keys with the DNS records to publish' })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'the selector is taken' })
  generate(@Param('domain') domain: string, @Body() body: DkimGenerateDto, @Req() request: AuthenticatedRequest): Promise<DkimDomainView> {
    return this.dkim.generate(domain, body, adminOf(request));
  }

  @Allow('policy:write')
  @Post(':domain/active')
  @HttpCode(200)
  @ApiOkResponse({ type: DkimDomainViewDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  activate(@Param('domain') domain: string, @Body() body: DkimActivateDto, @Req() request: AuthenticatedRequest): Promise<DkimDomainView> {
    return this.dkim.activate(domain, body, adminOf(request));
  }

  @Allow('policy:write')
  @Delete(':domain/keys/:selector')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the key is deleted' })
  @ApiNotFoundResponse({ type: ErrorDto })
  remove(@Param('domain') domain: string, @Param('selector') selector: string, @Req() request: AuthenticatedRequest): Promise<void> {
    return this.dkim.remove(domain, selector, adminOf(request));
  }
}
