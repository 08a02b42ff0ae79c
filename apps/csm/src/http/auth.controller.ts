import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthService, type Session } from '../services/auth.service.js';
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
  @ApiResponse({ status: 429, type: ErrorDto, description: 'locked out after 5 failed logins, for 5 minutes' })
  login(@Body() body: LoginDto): Promise<Session> {
    return this.auth.login(body?.username, body?.password);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  logout(@Req() request: AuthenticatedRequest): void {
    const [, token] = (request.headers.authorization ?? '').split(' ');
    if (token) this.auth.logout(token);
  }
}
