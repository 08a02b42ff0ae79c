import { verifyPassword } from '@moat/credentials';
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryConfigRepository, testConfig, testAudit } from '../testing/in-memory-repositories.js';
import { InvalidInputError } from '../util/errors.js';
import { AccountsService } from './accounts.service.js';
import { PolicyService } from './policy.service.js';

describe('AccountsService', () => {
  let policy: PolicyService;
  let accounts: AccountsService;

  beforeEach(async () => {
    policy = new PolicyService(new InMemoryConfigRepository(), testAudit(), testConfig());
    await policy.bootstrapAndWatch().catch(() => undefined);
    await policy.put({ domains: [{ name: 'example.test', downstream: { host: 'mx' }, accounts: ['alice'] }, { name: 'other.test', downstream: { host: 'mx' } }] }, 'admin', 'domains');
    accounts = new AccountsService(policy);
  });

  it('adds the addresses of a CSV file to their domains as a new policy version', async () => {
    const csv = 'email,name\n"Bob@Example.test",Bob\nalice@example.test\n\n# sales\ncarol@other.test,Carol\n';
    const result = await accounts.import({ csv }, 'admin');
    expect(result).toEqual({ version: 3, domains: [{ name: 'example.test', accounts: 2, added: 1 }, { name: 'other.test', accounts: 1, added: 1 }] });
    expect((await accounts.list()).domains).toEqual([{ name: 'example.test', accounts: ['alice', 'bob'] }, { name: 'other.test', accounts: ['carol'] }]);
    expect((await policy.versions()).at(-1)).toMatchObject({ author: 'admin', comment: 'accounts import: 3 addresses' });
  });

  it('replaces the accounts of the domains named when asked', async () => {
    await accounts.import({ csv: 'dave@example.test', replace: true }, 'admin');
    expect((await accounts.list()).domains[0]?.accounts).toEqual(['dave']);
  });

  it('imports nothing when a line is bad, and names every bad line', async () => {
    const error = await accounts.import({ csv: 'ok@example.test\nnot an address\nx@elsewhere.test' }, 'admin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems).toEqual(['line 2: "not an address" is not an email address', "line 3: elsewhere.test is not one of the tenant's domains"]);
    expect((await policy.get()).version).toBe(2);
    await expect(accounts.import({ csv: '' }, 'admin')).rejects.toThrow(InvalidInputError);
  });

  it('stores only a hash of a strong password, as a new policy version that lists the sender without it', async () => {
    const result = await accounts.setPassword('Alice@Example.test', { password: 'tide-lantern-47-orbit' }, 'admin');
    expect(result).toEqual({ version: 3, address: 'alice@example.test', canSend: true });
    const stored = (await policy.get()).policy.outbound.accounts[0]?.passwordHash;
    if (!stored) throw new Error('no password hash stored');
    expect(stored).toMatchObject({ algorithm: 'scrypt' });
    expect(await verifyPassword('tide-lantern-47-orbit', stored)).toBe(true);
    expect(JSON.stringify((await policy.get()).policy)).not.toContain('tide-lantern');
    const view = await accounts.list();
    expect(view.senders).toEqual([{ address: 'alice@example.test', canSend: true, hasPassword: true, aliases: [] }]);
    expect(JSON.stringify(view)).not.toContain(stored.hash);
    expect((await policy.versions()).at(-1)).toMatchObject({ author: 'admin', comment: 'password set for alice@example.test' });
  });

  it('keeps canSend of an existing sender unless told', async () => {
    await accounts.setPassword('alice@example.test', { password: 'tide-lantern-47-orbit', canSend: false }, 'admin');
    const again = await accounts.setPassword('alice@example.test', { password: 'another-long-phrase-9' }, 'admin');
    expect(again.canSend).toBe(false);
  });

  it.each([
    [{ password: 'short' }, 'alice@example.test', 'password: must have at least 12 characters'],
    [{ password: 'Password123!' }, 'alice@example.test', 'password: is a commonly used password'],
    [{ password: 'alice@example.test1' }, 'alice@example.test', 'password: must not be built from the account address'],
    [{ password: 'tide-lantern-47-orbit' }, 'mallory@example.test', "address: mallory@example.test is not one of example.test's accounts"],
    [{ password: 'tide-lantern-47-orbit' }, 'bob@elsewhere.test', "address: elsewhere.test is not one of the tenant's domains"],
    [{ password: 42 }, 'carol@other.test', 'password: must be a string'],
  ])('refuses %j for %s', async (body, address, problem) => {
    const error = await accounts.setPassword(address, body, 'admin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).problems).toContain(problem);
    expect((await policy.get()).version).toBe(2);
  });
});
