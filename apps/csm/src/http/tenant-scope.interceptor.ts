import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { PolicyService } from '../services/policy.service.js';
import { NotFoundError } from '../util/errors.js';
import { runInTenantScope } from '../util/tenant-scope.js';
import { tenantOf, type AuthenticatedRequest } from './auth.guard.js';

/**
 * Runs every authenticated API call in its caller's tenant scope (F18): a tenant's administrators see only their
 * tenant's mail, quarantine, statistics and audit; a super admin sees every tenant, or one with `?tenant=`.
 */
@Injectable()
export class TenantScopeInterceptor implements NestInterceptor {
  constructor(private readonly policy: PolicyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.principal) return next.handle();
    const all = request.principal.role === 'super-admin' && request.query['tenant'] === undefined;
    const tenant = all ? undefined : tenantOf(request);
    // Subscribed inside the scope: the handler runs (and awaits) in it.
    return new Observable((subscriber) =>
      runInTenantScope(tenant, () => {
        this.assertOwnDomain(request).then(
          () => next.handle().subscribe(subscriber),
          (err: unknown) => subscriber.error(err),
        );
      }),
    );
  }

  /**
   * A call naming a domain (`:domain`, the domain of `:address`, a body's `domain`: DKIM keys, certificates, holds,
   * accounts, per-domain lists) acts only on its tenant's domains; another tenant's is not found (404).
   */
  private async assertOwnDomain(request: AuthenticatedRequest): Promise<void> {
    const body: unknown = request.body;
    const address = request.params['address'];
    const named = [request.params['domain'], typeof address === 'string' ? address.slice(address.lastIndexOf('@') + 1) : undefined, typeof body === 'object' && body !== null && 'domain' in body ? body.domain : undefined];
    for (const domain of named) if (typeof domain === 'string' && domain !== '' && !(await this.policy.ownsDomain(domain))) throw new NotFoundError(`no domain ${domain}`);
  }
}
