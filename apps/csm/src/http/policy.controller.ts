import { Body, Controller, Get, Post, Put, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PolicyService, type ListsView, type PolicyVersionInfo, type VersionedPolicy } from '../services/policy.service.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { ErrorDto, ListEditDto, ListEditResultDto, ListsViewDto, PolicyDto, PolicyVersionDto, PutPolicyDto } from './dto.js';

@ApiTags('policy')
@ApiBearerAuth()
@Controller()
export class PolicyController {
  constructor(private readonly policy: PolicyService) {}

  @Get('policy')
  @ApiOkResponse({ type: PolicyDto })
  get(): Promise<VersionedPolicy> {
    return this.policy.get();
  }

  @Put('policy')
  @ApiOkResponse({ type: PolicyDto, description: 'the new version' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid policy; problems lists each field' })
  put(@Body() body: PutPolicyDto, @Req() request: AuthenticatedRequest): Promise<VersionedPolicy> {
    const comment = typeof body?.comment === 'string' ? body.comment : '';
    return this.policy.put(body?.policy, adminOf(request), comment);
  }

  @Get('policy/versions')
  @ApiOkResponse({ type: [PolicyVersionDto] })
  versions(): Promise<PolicyVersionInfo[]> {
    return this.policy.versions();
  }

  @Get('lists')
  @ApiOkResponse({ type: ListsViewDto })
  lists(): Promise<ListsView> {
    return this.policy.lists();
  }

  @Post('lists')
  @ApiOkResponse({ type: ListEditResultDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  editList(@Body() body: ListEditDto, @Req() request: AuthenticatedRequest): Promise<{ version: number; values: string[] }> {
    return this.policy.editList(body, adminOf(request));
  }
}
