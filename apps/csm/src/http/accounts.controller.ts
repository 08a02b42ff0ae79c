import { Body, Controller, Get, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AccountsService, type AccountsImportResult, type AccountsView } from '../services/accounts.service.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { AccountsImportDto, AccountsImportResultDto, AccountsViewDto, ErrorDto } from './dto.js';

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOkResponse({ type: AccountsViewDto })
  list(): Promise<AccountsView> {
    return this.accounts.list();
  }

  @Post('import')
  @ApiOkResponse({ type: AccountsImportResultDto, description: 'the policy version holding the accounts' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'bad lines or unknown domains, one problem per line; nothing imported' })
  import(@Body() body: AccountsImportDto, @Req() request: AuthenticatedRequest): Promise<AccountsImportResult> {
    return this.accounts.import(body, adminOf(request));
  }
}
