import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminsService, type GeneratedPassword } from '../services/admins.service.js';
import type { AdminView } from '../services/auth.service.js';
import { bearerToken, principalOf, type AuthenticatedRequest } from './auth.guard.js';
import { AdminCreatedDto, AdminListDto, AdminPasswordDto, AdminRoleDto, AdminViewDto, ErrorDto, GeneratedPasswordDto, NewAdminDto } from './dto.js';
import { Allow } from './permissions.js';

@ApiTags('admins')
@ApiBearerAuth()
@Controller('admins')
export class AdminsController {
  constructor(private readonly admins: AdminsService) {}

  @Allow('admins:read')
  @Get()
  @ApiOkResponse({ type: AdminListDto, description: "a tenant admin or auditor sees its own tenant's accounts" })
  list(@Req() request: AuthenticatedRequest): { admins: AdminView[] } {
    return { admins: this.admins.list(principalOf(request)) };
  }

  @Allow('admins:write')
  @Post()
  @ApiCreatedResponse({ type: AdminCreatedDto, description: 'password: the generated one, shown once, when none was given' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'bad name or role, or the password breaks the password rules' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'the name is taken' })
  add(@Body() body: NewAdminDto, @Req() request: AuthenticatedRequest): Promise<{ admin: AdminView } & GeneratedPassword> {
    return this.admins.add(principalOf(request), body);
  }

  @Allow('admins:write')
  @Put(':name')
  @ApiOkResponse({ type: AdminViewDto })
  @ApiResponse({ status: 404, type: ErrorDto })
  role(@Param('name') name: string, @Body() body: AdminRoleDto, @Req() request: AuthenticatedRequest): Promise<AdminView> {
    return this.admins.setRole(principalOf(request), name, body);
  }

  @Allow('admins:write')
  @Delete(':name')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the account is removed and its sessions ended' })
  @ApiResponse({ status: 404, type: ErrorDto })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'the bootstrap admin, or the caller itself' })
  async remove(@Param('name') name: string, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.admins.remove(principalOf(request), name);
  }

  @Allow('admins:write', { selfParam: 'name' })
  @Post(':name/password')
  @HttpCode(200)
  @ApiOkResponse({ type: GeneratedPasswordDto, description: "another account's password: reset (given or generated), to be changed at its next login" })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiResponse({ status: 404, type: ErrorDto })
  setPassword(@Param('name') name: string, @Body() body: AdminPasswordDto, @Req() request: AuthenticatedRequest): Promise<GeneratedPassword> {
    return this.admins.setPassword(principalOf(request), name, body, bearerToken(request.headers.authorization));
  }
}
