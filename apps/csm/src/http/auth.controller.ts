import { Body, Controller, HttpCode, Post, Req, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthService } from '../services/auth.service.js';
import type { Session } from '../services/session.service.js';
import { Public, type AuthenticatedRequest } from './auth.guard.js';
import { ErrorDto, LoginDto, SessionDto } from './dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionDto })
  @ApiResponse({ status: 401, type: ErrorDto, description: 'wrong username or password' })
  @ApiResponse({ status: 415, type: ErrorDto, description: 'the body is not application/json (no form posts)' })
  @ApiResponse({ status: 429, type: ErrorDto, description: 'throttled: 5 failed logins lock the account for that address for 5 minutes; Retry-After set' })
  login(@Req() request: Request, @Body() body: LoginDto): Promise<Session> {
    // JSON only: a form on another site can post urlencoded, multipart or text/plain bodies without a preflight.
    if (!request.is('application/json')) throw new UnsupportedMediaTypeException('login takes an application/json body');
    return this.auth.login(body?.username, body?.password, request.socket.remoteAddress ?? 'unknown');
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  async logout(@Req() request: AuthenticatedRequest): Promise<void> {
    const [, token] = (request.headers.authorization ?? '').split(' ');
    if (token) await this.auth.logout(token);
  }
}
