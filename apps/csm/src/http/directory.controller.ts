import { Body, Controller, Get, HttpCode, Post, Put, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { DirectorySyncReport } from '../repositories/directory-config.repository.js';
import { DEFAULT_TENANT } from '../repositories/config.repository.js';
import { DirectoryService, type DirectoryView } from '../services/directory.service.js';
import { InvalidInputError } from '../util/errors.js';
import { principalOf, type AuthenticatedRequest } from './auth.guard.js';
import { DirectorySettingsDto, DirectorySyncDto, DirectorySyncReportDto, DirectoryViewDto } from './directory.dto.js';
import { ErrorDto } from './dto.js';
import { Allow } from './permissions.js';

/** The tenant's LDAP / Active Directory: settings (never the bind password), sync and dry run. */
@ApiTags('directory')
@ApiBearerAuth()
@Controller('directory')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Allow('directory:read')
  @Get()
  @ApiOkResponse({ type: DirectoryViewDto })
  show(@Req() request: AuthenticatedRequest): Promise<DirectoryView> {
    return this.directory.show(principalOf(request).tenant || DEFAULT_TENANT);
  }

  @Allow('directory:write')
  @Put()
  @ApiOkResponse({ type: DirectoryViewDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  update(@Body() body: DirectorySettingsDto, @Req() request: AuthenticatedRequest): Promise<DirectoryView> {
    return this.directory.update(principalOf(request), body);
  }

  @Allow('directory:write')
  @Post('sync')
  @HttpCode(200)
  @ApiOkResponse({ type: DirectorySyncReportDto, description: 'what changed (dryRun: what would change)' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'no directory settings' })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'the directory cannot be reached or refused the bind or a search' })
  sync(@Body() body: DirectorySyncDto, @Req() request: AuthenticatedRequest): Promise<DirectorySyncReport> {
    const dryRun = body?.dryRun ?? false;
    if (typeof dryRun !== 'boolean') throw new InvalidInputError('invalid sync request', ['dryRun: true or false']);
    const principal = principalOf(request);
    return this.directory.sync(principal.tenant || DEFAULT_TENANT, dryRun, principal.username);
  }
}
