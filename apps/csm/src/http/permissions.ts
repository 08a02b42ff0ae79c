import { SetMetadata } from '@nestjs/common';
import type { Role } from '../repositories/config.repository.js';
import type { BulkAction } from '../services/mail-actions.service.js';
import { PermissionDeniedError } from '../util/errors.js';

/**
 * What a route needs (F22). Every route declares one with @Allow; ROLE_PERMISSIONS below is the one table of
 * what each role may do, which AuthGuard enforces and test/csm/roles.test.ts walks against the OpenAPI document.
 */
export const PERMISSIONS = [
  /** The caller's own session: who am I, log out, change my password (also while a password change is forced). */
  'session',
  /** The caller's own second factor. */
  'account',
  'status:read',
  'policy:read',
  'policy:write',
  'mail:read',
  'mail:release',
  'mail:report',
  'mail:delete',
  'admins:read',
  'admins:write',
  'audit:read',
  'authblocks:read',
  'authblocks:write',
  /** Outbound approval (F7): list held outbound mail; approve or reject it. */
  'approvals:read',
  'approvals:decide',
  /** LDAP / Active Directory settings and sync (read: settings without the password, last sync). */
  'directory:read',
  'directory:write',
  /** The tenant registry (F18): super admins only. */
  'tenants:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Role → permissions. A tenant admin holds every permission in its own tenant; which administrators it may manage
 * (its tenant's, never a super admin) is decided by AdminsService. The end user's portal is future work: it has
 * only its own session.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  'super-admin': PERMISSIONS,
  'tenant-admin': PERMISSIONS.filter((p) => p !== 'tenants:manage'),
  approver: ['session', 'account', 'mail:read', 'mail:release', 'approvals:read', 'approvals:decide'],
  auditor: ['session', 'account', 'status:read', 'policy:read', 'mail:read', 'admins:read', 'audit:read', 'authblocks:read', 'directory:read'],
  'end-user': ['session', 'account'],
};

/** What a session whose password must be changed may still do. */
export const FORCED_CHANGE_PERMISSIONS: readonly Permission[] = ['session'];

export function may(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** Refuses what ROLE may not do, for a route whose permission depends on its body (PermissionDeniedError, 403). */
export function assertMay(role: Role, permission: Permission): void {
  if (!may(role, permission)) throw new PermissionDeniedError(`role ${role} may not ${permission}`);
}

/** What each bulk mail action needs (POST /api/mail/actions is open to the least of them, mail:release). */
export const BULK_ACTION_PERMISSIONS: Readonly<Record<BulkAction, Permission>> = {
  release: 'mail:release',
  delete: 'mail:delete',
  'report-spam': 'mail:report',
  'report-ham': 'mail:report',
  forward: 'mail:release',
};

export interface RouteRule {
  permission: Permission;
  /** A route parameter naming an administrator: the caller may act on itself without the permission. */
  selfParam?: string;
}

export const ALLOW = 'moat:allow';

/** Declares what a route needs; a route without @Allow or @Public is refused to everyone. */
export const Allow = (permission: Permission, options: { selfParam?: string } = {}) => SetMetadata(ALLOW, { permission, ...options } satisfies RouteRule);
