import 'reflect-metadata';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module.js';
import { ROLES, type Role } from '../repositories/config.repository.js';
import { MemorySessionRepository } from '../repositories/memory-session.repository.js';
import { AuthService, type Principal } from '../services/auth.service.js';
import { LoginThrottleService } from '../services/login-throttle.service.js';
import { SessionService } from '../services/session.service.js';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryLocalState, testAudit, testConfig, noDirectoryLogin } from '../testing/in-memory-repositories.js';
import { PermissionDeniedError, UnauthenticatedError } from '../util/errors.js';
import { AuthGuard, Public } from './auth.guard.js';
import { ALLOW, Allow, may, PERMISSIONS, ROLE_PERMISSIONS } from './permissions.js';

type Handler = (...args: unknown[]) => unknown;

class Routes {
  @Allow('policy:write') write() {
    return 'write';
  }
  @Allow('status:read') read() {
    return 'read';
  }
  @Allow('session') session() {
    return 'session';
  }
  @Allow('admins:write', { selfParam: 'name' }) password() {
    return 'password';
  }
  @Public() open() {
    return 'open';
  }
  undeclared() {
    return 'undeclared';
  }
}

/** The guard in front of one Routes handler, for a caller with TOKEN. */
function context(handler: keyof Routes, token: string | undefined, params: Record<string, string> = {}): ExecutionContext {
  const request = { method: 'POST', path: `/api/${handler}`, params, headers: token ? { authorization: `Bearer ${token}` } : {} };
  return {
    getHandler: () => Routes.prototype[handler] as Handler,
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('permission table', () => {
  it('gives the super admin every permission and the auditor only reads', () => {
    expect(ROLE_PERMISSIONS['super-admin']).toEqual(PERMISSIONS);
    for (const permission of ROLE_PERMISSIONS.auditor) expect(permission === 'session' || permission === 'account' || permission.endsWith(':read')).toBe(true);
    expect(ROLE_PERMISSIONS['end-user']).toEqual(['session', 'account']);
    expect(may('approver', 'mail:release')).toBe(true);
    expect(may('approver', 'policy:read')).toBe(false);
    expect(may('tenant-admin', 'admins:write')).toBe(true);
  });

  it('is declared on every route handler of the CSM (deny by default otherwise)', () => {
    const controllers = Reflect.getMetadata('controllers', AppModule) as { name: string; prototype: Record<string, unknown> }[];
    const undeclared: string[] = [];
    let handlers = 0;
    for (const controller of controllers) {
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        handlers++;
        if (!Reflect.getMetadata(ALLOW, handler) && !Reflect.getMetadata('moat:public', handler)) undeclared.push(`${controller.name}.${name}`);
      }
    }
    expect(handlers).toBeGreaterThan(20);
    expect(undeclared).toEqual([]);
  });
});

describe('AuthGuard', () => {
  let auth: AuthService;
  let store: InMemoryEventStore;
  let guard: AuthGuard;
  const tokens = new Map<string, Principal>();

  beforeEach(() => {
    store = new InMemoryEventStore();
    const csmConfig = testConfig();
    const sessions = new MemorySessionRepository();
    const audit = testAudit(store);
    auth = new AuthService(new InMemoryConfigRepository(), new InMemoryLocalState(), audit, csmConfig, new LoginThrottleService(sessions), new SessionService(sessions, csmConfig), noDirectoryLogin());
    auth.authenticate = async (token: string) => tokens.get(token);
    guard = new AuthGuard(new Reflector(), auth, audit);
    tokens.clear();
    for (const role of ROLES) tokens.set(role, { username: `${role}-user`, role, tenant: 'default', mustChangePassword: false, viaCliToken: false });
  });

  const verdict = (handler: keyof Routes, token: string | undefined, params?: Record<string, string>) =>
    guard.canActivate(context(handler, token, params)).then(
      () => 'allowed',
      (err: unknown) => (err instanceof PermissionDeniedError ? 'forbidden' : err instanceof UnauthenticatedError ? 'unauthenticated' : err),
    );

  it('lets public routes through and asks every other route for a token', async () => {
    expect(await verdict('open', undefined)).toBe('allowed');
    expect(await verdict('read', undefined)).toBe('unauthenticated');
    expect(await verdict('read', 'made-up')).toBe('unauthenticated');
  });

  it('allows each role exactly what its permissions say', async () => {
    for (const role of ROLES) {
      expect(await verdict('write', role)).toBe(may(role as Role, 'policy:write') ? 'allowed' : 'forbidden');
      expect(await verdict('read', role)).toBe(may(role as Role, 'status:read') ? 'allowed' : 'forbidden');
      expect(await verdict('session', role)).toBe('allowed');
    }
  });

  it('refuses a route that declares no permission, even to a super admin', async () => {
    expect(await verdict('undeclared', 'super-admin')).toBe('forbidden');
  });

  it('lets a caller act on its own account through a route that names it', async () => {
    expect(await verdict('password', 'auditor', { name: 'auditor-user' })).toBe('allowed');
    expect(await verdict('password', 'auditor', { name: 'admin' })).toBe('forbidden');
  });

  it('keeps a session whose password must change to its own session routes', async () => {
    tokens.set('forced', { username: 'new', role: 'super-admin', tenant: 'default', mustChangePassword: true, viaCliToken: false });
    expect(await verdict('read', 'forced')).toBe('forbidden');
    expect(await verdict('session', 'forced')).toBe('allowed');
  });

  it('audits the first use of the local CLI token under the bootstrap admin, once per process', async () => {
    tokens.set('cli', { username: 'admin', role: 'super-admin', tenant: 'default', mustChangePassword: false, viaCliToken: true });
    expect(await verdict('write', 'cli')).toBe('allowed');
    expect(await verdict('read', 'cli')).toBe('allowed');
    expect(store.audit).toMatchObject([{ admin: 'admin', action: 'auth.token', target: 'POST /api/write' }]);
  });
});
