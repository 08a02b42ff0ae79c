import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthService } from '../services/auth.service.js';
import { UnauthenticatedError } from '../util/errors.js';

const PUBLIC = 'moat:public';
/** Marks a route that needs no bearer token (health, login). */
export const Public = () => SetMetadata(PUBLIC, true);

/** The administrator behind the request, set by AuthGuard. */
export interface AuthenticatedRequest extends Request {
  admin?: string;
}

/** Every API route requires `Authorization: Bearer <token>` unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    const admin = token ? await this.auth.authenticate(token) : undefined;
    if (!admin) throw new UnauthenticatedError('login required: send Authorization: Bearer <token>');
    request.admin = admin;
    return true;
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined for any other header or none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const [scheme, token] = (authorization ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

/** The authenticated administrator's name, for audit entries. */
export function adminOf(request: AuthenticatedRequest): string {
  return request.admin ?? 'unknown';
}
