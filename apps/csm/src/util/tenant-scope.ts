import { AsyncLocalStorage } from 'node:async_hooks';

/** The tenant whose data the work in progress may see: a tenant id, or undefined for every tenant. */
interface Scope {
  tenant: string | undefined;
}

const storage = new AsyncLocalStorage<Scope>();

/**
 * Runs WORK (an API call's handler, see http/tenant-scope.interceptor.ts) seeing only TENANT's data (F18);
 * undefined: every tenant's (a super admin).
 */
export function runInTenantScope<T>(tenant: string | undefined, work: () => T): T {
  return storage.run({ tenant }, work);
}

/**
 * The tenant the current API call may see, undefined for every tenant: a super admin's call, or work outside any
 * call (the CSM's own sweeps, ingest, SIEM push). The event store filters on it and MailService answers another
 * tenant's message as not found.
 */
export function scopedTenant(): string | undefined {
  return storage.getStore()?.tenant;
}
