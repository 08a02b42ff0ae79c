import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AccountsService, type AccountsImportResult, type AccountsView, type PasswordSetResult } from '../services/accounts.service.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { AccountPasswordDto, AccountsImportDto, AccountsImportResultDto, AccountsViewDto, ErrorDto, PasswordSetResultDto } from './dto.js';
import { Allow } from './permissions.js';

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Allow('policy:read')
  @Get()
  @ApiOkResponse({ type: AccountsViewDto })
  list(): Promise<AccountsView> {
    return this.accounts.list();
  }

  @Allow('policy:write')
  @Post('import')
  @ApiOkResponse({ type: AccountsImportResultDto, description: 'the policy version holding the accounts' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'bad lines or unknown domains, one problem per line; nothing imported' })
  import(@Body() body: AccountsImportDto, @Req() request: AuthenticatedRequest): Promise<AccountsImportResult> {
    return this.accounts.import(body, adminOf(request));
  }

  @Allow('policy:write')
  @Post(':address/password')
  @HttpCode(200)
  @ApiOkResponse({ type: PasswordSetResultDto, description: 'the policy version holding the new password hash' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'not an address of the tenant, or a weak password' })
  setPassword(@Param('address') address: string, @Body() body: AccountPasswordDto, @Req() request: AuthenticatedRequest): Promise<PasswordSetResult> {
    return this.accounts.setPassword(address, body, adminOf(request));
  }
}
