import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { runInTenantScope } from '../util/tenant-scope.js';
import { tenantOf, type AuthenticatedRequest } from './auth.guard.js';

/**
 * Runs every authenticated API call in its caller's tenant scope (F18): a tenant's administrators see only their
 * tenant's mail, quarantine, statistics and audit; a super admin sees every tenant, or one with `?tenant=`.
 */
@Injectable()
export class TenantScopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.principal) return next.handle();
    const all = request.principal.role === 'super-admin' && request.query['tenant'] === undefined;
    const tenant = all ? undefined : tenantOf(request);
    // Subscribed inside the scope: the handler runs (and awaits) in it.
    return new Observable((subscriber) => runInTenantScope(tenant, () => next.handle().subscribe(subscriber)));
  }
}
