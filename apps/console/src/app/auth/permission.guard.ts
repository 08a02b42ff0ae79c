import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { catchError, map, of } from 'rxjs';
import type { Permission } from '../api/api.types';
import { IdentityService } from './identity.service';

/**
 * A page for the roles holding PERMISSION (the CSM refuses the rest anyway). A password that must be changed,
 * or a page the role may not use, leads to the account page.
 */
export function permissionGuard(permission: Permission): CanActivateFn {
  return () => {
    const identity = inject(IdentityService);
    const router = inject(Router);
    const decide = () => (identity.me()?.mustChangePassword || !identity.can(permission) ? router.createUrlTree(['/account']) : true);
    if (identity.me()) return decide();
    return identity.load().pipe(
      map(decide),
      catchError(() => of(router.createUrlTree(['/account']))),
    );
  };
}
