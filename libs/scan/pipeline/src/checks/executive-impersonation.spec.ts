import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { executiveImpersonation } from './executive-impersonation.js';

const policy = compilePolicy(
  parsePolicy({
    domains: [{ name: 'acme.test', downstream: { host: '127.0.0.1' } }],
    body: { phishing: { executives: [{ names: ['Kim Minsu', 'Minsu Kim', '김민수'], addresses: ['minsu.kim@gmail.com'] }] } },
  }),
  0,
);
const scan = async (from: string) =>
  (await new Pipeline([executiveImpersonation]).session(policy, { clientIp: '' }).data(Buffer.from(`From: ${from}\r\nSubject: s\r\n\r\nbody\r\n`))).symbols.map((s) => [s.name, s.detail]);

describe('executive_impersonation check', () => {
  it("flags an executive's name on an outside address, in English and Korean", async () => {
    expect(await scan('"Kim, Minsu (CEO)" <ceo.office@freemail.test>')).toEqual([['PHISH_EXEC_IMPERSONATION', 'display name "Kim, Minsu (CEO)" from ceo.office@freemail.test']]);
    expect(await scan('=?UTF-8?B?6rmA66+87IiYIOuMgO2RnA==?= <urgent@freemail.test>')).toEqual([['PHISH_EXEC_IMPERSONATION', 'display name "김민수 대표" from urgent@freemail.test']]);
  });

  it("leaves the executive's own addresses, the tenant's domain and other names alone", async () => {
    expect(await scan('Minsu Kim <minsu.kim@gmail.com>')).toEqual([]);
    expect(await scan('Kim Minsu <minsu@acme.test>')).toEqual([]);
    expect(await scan('Park Jisoo <jisoo@freemail.test>')).toEqual([]);
    expect(await scan('ceo.office@freemail.test')).toEqual([]);
  });
});
