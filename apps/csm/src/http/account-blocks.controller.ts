import { Controller, Delete, Get, Param, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AccountBlocksService, type AccountBlockView } from '../services/account-blocks.service.js';
import { AccountBlockDto, AccountBlocksDto } from './account-blocks.dto.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { ErrorDto } from './dto.js';
import { Allow } from './permissions.js';

/** Compromised-account signs (F6, docs/architecture.md "Compromised-account signs"): throttled and held accounts. */
@ApiTags('account-blocks')
@ApiBearerAuth()
@Controller('account-blocks')
export class AccountBlocksController {
  constructor(private readonly blocks: AccountBlocksService) {}

  @Get()
  @Allow('authblocks:read')
  @ApiOkResponse({ type: AccountBlocksDto, description: 'accounts a sign tripped on, active throttles and holds first' })
  async list(): Promise<{ accounts: AccountBlockView[] }> {
    return { accounts: await this.blocks.list() };
  }

  @Delete(':address')
  @Allow('authblocks:write')
  @ApiOkResponse({ type: AccountBlockDto, description: 'the throttle or hold ends at once on every node, its sign counters start afresh; audited accounts.unblock' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'not an address' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'the account is not throttled or held' })
  unblock(@Param('address') address: string, @Req() request: AuthenticatedRequest): Promise<AccountBlockView> {
    return this.blocks.unblock(address, adminOf(request));
  }
}
