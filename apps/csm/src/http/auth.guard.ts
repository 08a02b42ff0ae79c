import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuditService } from '../services/audit.service.js';
import { AuthService, type Principal } from '../services/auth.service.js';
import { InvalidInputError, NotFoundError, PermissionDeniedError, UnauthenticatedError } from '../util/errors.js';
import { TENANT_ID } from '../services/tenants.service.js';
import { ALLOW, FORCED_CHANGE_PERMISSIONS, may, type RouteRule } from './permissions.js';

const PUBLIC = 'moat:public';
/** Marks a route that needs no bearer token (health, login). */
export const Public = () => SetMetadata(PUBLIC, true);

/** The administrator behind the request, set by AuthGuard. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/**
 * The one guard of every API route: `Authorization: Bearer <token>` unless @Public(), then the route's @Allow
 * permission against the caller's role (http/permissions.ts). Deny by default: a route that declares nothing is
 * refused, and a session whose password must be changed may only use its own session routes.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private cliTokenUsed = false;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    const principal = token ? await this.auth.authenticate(token) : undefined;
    if (!principal) throw new UnauthenticatedError('login required: send Authorization: Bearer <token>');
    request.principal = principal;
    const route = `${request.method} ${request.path}`;
    if (principal.viaCliToken && !this.cliTokenUsed) {
      // Once per CSM process: each call audited would flood the audit log (and the event export) with polling.
      this.cliTokenUsed = true;
      await this.audit.recordQuietly({ admin: principal.username, action: 'auth.token', target: route, detail: 'local CLI token first used by this CSM process; its calls act as this admin' });
    }

    const rule = this.reflector.get<RouteRule | undefined>(ALLOW, context.getHandler());
    if (!rule) throw new PermissionDeniedError(`${route} declares no permission; refused`);
    if (principal.mustChangePassword && !FORCED_CHANGE_PERMISSIONS.includes(rule.permission)) {
      throw new PermissionDeniedError('the password must be changed first: POST /api/auth/password');
    }
    const self = rule.selfParam !== undefined && request.params[rule.selfParam] === principal.username;
    if (!self && !may(principal.role, rule.permission)) throw new PermissionDeniedError(`role ${principal.role} may not ${rule.permission}`);
    return true;
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined for any other header or none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const [scheme, token] = (authorization ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

/** The authenticated caller (AuthGuard ran before any handler that is not public). */
export function principalOf(request: AuthenticatedRequest): Principal {
  if (!request.principal) throw new UnauthenticatedError('login required');
  return request.principal;
}

/** The authenticated administrator's name, for audit entries. */
export function adminOf(request: AuthenticatedRequest): string {
  return request.principal?.username ?? 'unknown';
}

/**
 * The tenant a call acts on (F18): the caller's own; a super admin may name another with `?tenant=`. A tenant
 * other than the caller's is answered as not found (404), so other tenants' existence does not leak.
 */
export function tenantOf(request: AuthenticatedRequest): string {
  const principal = principalOf(request);
  const asked = request.query['tenant'];
  if (asked === undefined || asked === principal.tenant) return principal.tenant;
  if (typeof asked !== 'string' || !TENANT_ID.test(asked)) throw new InvalidInputError('invalid tenant', ['tenant: a tenant id']);
  if (principal.role !== 'super-admin') throw new NotFoundError(`no tenant ${asked}`);
  return asked;
}
