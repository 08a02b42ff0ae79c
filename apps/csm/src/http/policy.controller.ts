import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { defaultPolicy, redactSecrets, type Policy } from '@moat/policy';
import { PolicyService, type ListsView, type TenantPolicy, type PolicyCheck, type PolicyDiff, type PolicyVersionDetail, type PolicyVersionInfo, type VersionedPolicy } from '../services/policy.service.js';
import { parseVersionParam } from '../util/time-param.js';
import { adminOf, tenantOf, type AuthenticatedRequest } from './auth.guard.js';
import { ErrorDto, ListEditDto, ListEditResultDto, ListsViewDto, PolicyCheckDto, PolicyDiffDto, PolicyDefaultsDto, PolicyDto, PolicyVersionDetailDto, PolicyVersionDto, PutPolicyDto, RollbackDto } from './dto.js';
import { Allow } from './permissions.js';

@ApiTags('policy')
@ApiBearerAuth()
@ApiQuery({ name: 'tenant', required: false, type: String, description: "super admins: the tenant whose policy (default: the caller's)" })
@Controller()
export class PolicyController {
  constructor(private readonly policy: PolicyService) {}

  /** The caller's tenant's policy (a super admin's `?tenant=`, F18). */
  private scoped(request: AuthenticatedRequest): TenantPolicy {
    return this.policy.of(tenantOf(request));
  }

  @Allow('policy:read')
  @Get('policy')
  @ApiOkResponse({ type: PolicyDto })
  async get(@Req() request: AuthenticatedRequest): Promise<VersionedPolicy> {
    return redactSecrets(await this.scoped(request).get());
  }

  @Allow('policy:write')
  @Put('policy')
  @ApiOkResponse({ type: PolicyDto, description: 'the new version' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid policy; problems lists each field' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'the change stops mail (problems lists why) and confirm was not true' })
  async put(@Body() body: PutPolicyDto, @Req() request: AuthenticatedRequest): Promise<VersionedPolicy> {
    const comment = typeof body?.comment === 'string' ? body.comment : '';
    return redactSecrets(await this.scoped(request).put(body?.policy, adminOf(request), comment, body?.confirm === true));
  }

  @Allow('policy:read')
  @Post('policy/check')
  @HttpCode(200)
  @ApiOkResponse({ type: PolicyCheckDto, description: 'the changes against the running version and the warnings publishing would need confirmed' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid policy' })
  async check(@Body() body: PutPolicyDto, @Req() request: AuthenticatedRequest): Promise<PolicyCheck> {
    return redactSecrets(await this.scoped(request).check(body?.policy));
  }

  @Allow('policy:read')
  @Get('policy/diff')
  @ApiQuery({ name: 'from', required: false, type: Number, description: 'version; default: the one before to' })
  @ApiQuery({ name: 'to', required: false, type: Number, description: 'version; default: the current one' })
  @ApiOkResponse({ type: PolicyDiffDto })
  @ApiResponse({ status: 404, type: ErrorDto })
  async diff(@Req() request: AuthenticatedRequest, @Query('from') from?: unknown, @Query('to') to?: unknown): Promise<PolicyDiff> {
    return redactSecrets(await this.scoped(request).diff(parseVersionParam('from', from), parseVersionParam('to', to)));
  }

  @Allow('policy:write')
  @Post('policy/rollback')
  @HttpCode(200)
  @ApiOkResponse({ type: PolicyDto, description: 'the new version, holding the document of the version rolled back to' })
  @ApiResponse({ status: 404, type: ErrorDto })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'rolling back stops mail and confirm was not true' })
  async rollback(@Body() body: RollbackDto, @Req() request: AuthenticatedRequest): Promise<VersionedPolicy> {
    const comment = typeof body?.comment === 'string' ? body.comment : '';
    return redactSecrets(await this.scoped(request).rollback(parseVersionParam('version', typeof body?.version === 'number' ? String(body.version) : body?.version) ?? 0, adminOf(request), comment, body?.confirm === true));
  }

  @Allow('policy:read')
  @Get('policy/versions')
  @ApiOkResponse({ type: [PolicyVersionDto] })
  versions(@Req() request: AuthenticatedRequest): Promise<PolicyVersionInfo[]> {
    return this.scoped(request).versions();
  }

  @Allow('policy:read')
  @Get('policy/versions/:version')
  @ApiOkResponse({ type: PolicyVersionDetailDto, description: 'a stored version: author, time, comment and its document' })
  @ApiResponse({ status: 404, type: ErrorDto })
  async version(@Param('version') version: string, @Req() request: AuthenticatedRequest): Promise<PolicyVersionDetail> {
    return redactSecrets(await this.scoped(request).version(parseVersionParam('version', version) ?? 0));
  }

  @Allow('policy:read')
  @Get('policy/defaults')
  @ApiOkResponse({ type: PolicyDefaultsDto, description: 'the document an empty policy becomes: every default value' })
  defaults(): { policy: Policy } {
    return { policy: defaultPolicy() };
  }

  @Allow('policy:read')
  @Get('lists')
  @ApiOkResponse({ type: ListsViewDto })
  lists(@Req() request: AuthenticatedRequest): Promise<ListsView> {
    return this.scoped(request).lists();
  }

  @Allow('policy:write')
  @Post('lists')
  @ApiOkResponse({ type: ListEditResultDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  editList(@Body() body: ListEditDto, @Req() request: AuthenticatedRequest): Promise<{ version: number; values: string[] }> {
    return this.scoped(request).editList(body, adminOf(request));
  }
}
