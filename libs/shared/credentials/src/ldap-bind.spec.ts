import { describe, expect, it } from 'vitest';
import { ldapBindVerifies } from './ldap-bind.js';

// Binds against a real slapd are tested in test/directory (sync, TLS, submission AUTH).
describe('ldapBindVerifies', () => {
  it('refuses an empty password or DN without connecting (LDAP would take it as an anonymous bind)', async () => {
    const nowhere = { url: 'ldap://127.0.0.1:1', startTls: false };
    expect(await ldapBindVerifies(nowhere, 'uid=alice,dc=example,dc=test', '')).toBe(false);
    expect(await ldapBindVerifies(nowhere, '', 'secret')).toBe(false);
  });

  it('throws, rather than refusing, when the server cannot be reached', async () => {
    await expect(ldapBindVerifies({ url: 'ldap://127.0.0.1:1', startTls: false }, 'uid=alice,dc=example,dc=test', 'secret')).rejects.toThrow();
  });
});
