import { Body, Controller, Get, HttpCode, Post, Req, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { adminView, AuthService, type AdminView } from '../services/auth.service.js';
import type { Session } from '../services/session.service.js';
import { UnauthenticatedError } from '../util/errors.js';
import { Public, bearerToken, principalOf, type AuthenticatedRequest } from './auth.guard.js';
import { ErrorDto, LoginDto, MeDto, OwnPasswordDto, SessionDto, TotpConfirmDto, TotpSetupDto } from './dto.js';
import { Allow, ROLE_PERMISSIONS, type Permission } from './permissions.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionDto })
  @ApiResponse({ status: 401, type: ErrorDto, description: 'wrong username, password or TOTP code; or a TOTP code is needed' })
  @ApiResponse({ status: 415, type: ErrorDto, description: 'the body is not application/json (no form posts)' })
  @ApiResponse({ status: 429, type: ErrorDto, description: 'throttled: 5 failed logins lock the account for that address for 5 minutes; Retry-After set' })
  login(@Req() request: Request, @Body() body: LoginDto): Promise<Session> {
    // JSON only: a form on another site can post urlencoded, multipart or text/plain bodies without a preflight.
    if (!request.is('application/json')) throw new UnsupportedMediaTypeException('login takes an application/json body');
    return this.auth.login(body?.username, body?.password, request.socket.remoteAddress ?? 'unknown', body?.totp);
  }

  @Allow('session')
  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'the session has ended' })
  async logout(@Req() request: AuthenticatedRequest): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    if (token) await this.auth.logout(token);
  }

  @Allow('session')
  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: MeDto })
  me(@Req() request: AuthenticatedRequest): AdminView & { permissions: readonly Permission[] } {
    const principal = principalOf(request);
    const record = this.auth.admin(principal.username);
    if (!record) throw new UnauthenticatedError('login required');
    // The local CLI token is the bootstrap admin without a password to change.
    return { ...adminView(record), mustChangePassword: principal.mustChangePassword, permissions: ROLE_PERMISSIONS[principal.role] };
  }

  @Allow('session')
  @Post('password')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'changed; the other sessions of the account have ended' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'wrong current password, or the new one breaks the password rules' })
  async password(@Body() body: OwnPasswordDto, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.auth.changeOwnPassword(principalOf(request).username, body?.currentPassword, body?.password, bearerToken(request.headers.authorization));
  }

  @Allow('account')
  @Post('totp/setup')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOkResponse({ type: TotpSetupDto })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'TOTP is already enabled' })
  async totpSetup(@Req() request: AuthenticatedRequest): Promise<{ otpauthUri: string }> {
    return { otpauthUri: await this.auth.setupTotp(principalOf(request).username) };
  }

  @Allow('account')
  @Post('totp/confirm')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'TOTP is on: logins need a code from now on' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'the code does not match' })
  async totpConfirm(@Body() body: TotpConfirmDto, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.auth.confirmTotp(principalOf(request).username, body?.code);
  }
}
