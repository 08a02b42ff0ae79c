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
});
