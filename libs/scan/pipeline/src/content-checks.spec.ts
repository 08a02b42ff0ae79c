import { parsePolicy, type PolicyInput } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { defaultChecks } from './checks/index.js';
import { compilePolicy } from './compile-policy.js';
import { CHECK_TIMEOUT, runContentChecks, type ContentCheckJob, type ContentCheckOutcome, type ContentCheckResult } from './content-checks.js';
import { readMessage } from './message/read-message.js';
import { Pipeline } from './pipeline.js';
import type { MessageVerdict, ScanOptions } from './types.js';

const policyInput: PolicyInput = {
  domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }],
  body: {
    regex: { rules: [{ name: 'INVOICE', kind: 'block', on: 'subject', pattern: 'invoice', action: 'quarantine' }] },
    phishing: { brands: ['paypal.com'], executives: [{ names: ['Kim Minsu'], addresses: ['minsu@example.test'] }] },
  },
};
const policy = compilePolicy(parsePolicy(policyInput), 4);

const RAW = Buffer.from(
  [
    'From: "Kim Minsu" <ceo@paypa1.com>',
    'To: alice@example.test',
    'Subject: Urgent invoice',
    'Content-Type: text/html',
    '',
    '<p>Please update the bank account details today, urgent, act now.</p><a href="http://evil.test/login">www.paypal.com</a>',
    '',
  ].join('\r\n'),
);

/** A reader like the node's workers: reads here, then runs the content checks it is given, or stops in one. */
function reader(stopIn?: string, throwIn?: string): NonNullable<ScanOptions['reader']> {
  return async (raw, options, _timeoutMs, job?: ContentCheckJob) => {
    const reading = await readMessage(raw, options);
    if (!job || !reading.message) return reading;
    const results: ContentCheckResult[] = [];
    const outcome: ContentCheckOutcome = { results };
    const ran = stopIn ? job.checks.slice(0, job.checks.indexOf(stopIn)) : job.checks;
    runContentChecks({ ...job, checks: ran }, { ...reading.message, raw }, reading.report, (r) => results.push(throwIn === r.check ? { check: r.check, error: 'engine exploded' } : r));
    if (stopIn) outcome.stopped = { check: stopIn, why: 'did not finish within 100 ms' };
    return { ...reading, checks: outcome };
  };
}

async function scan(options: ScanOptions, input = policy): Promise<MessageVerdict> {
  const session = new Pipeline(defaultChecks(), options).session(input, { clientIp: '192.0.2.1' });
  await session.mailFrom('ceo@paypa1.com');
  await session.rcptTo('alice@example.test');
  return session.data(RAW);
}

describe('content checks on the reader', () => {
  it('judge exactly as when they run in the stage (moat scan), symbols in the same order', async () => {
    const here = await scan({});
    const there = await scan({ reader: reader() });
    expect(here.symbols.map((s) => s.name)).toEqual(expect.arrayContaining(['REGEX_INVOICE', 'PHISH_LINK_MISMATCH', 'PHISH_LOOKALIKE_DOMAIN', 'PHISH_EXEC_IMPERSONATION', 'PHISH_PAYMENT_CHANGE']));
    expect(there).toEqual(here);
  });

  it('give the check they stopped in CHECK_TIMEOUT and quarantine the message; the later ones do not run', async () => {
    const verdict = await scan({ reader: reader('lookalike_domains') });
    expect(verdict.action).toBe('quarantine');
    const names = verdict.symbols.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['REGEX_INVOICE', 'PHISH_LINK_MISMATCH', CHECK_TIMEOUT]));
    expect(names).not.toContain('PHISH_EXEC_IMPERSONATION');
    expect(verdict.symbols.find((s) => s.name === CHECK_TIMEOUT)?.detail).toBe('lookalike_domains: did not finish within 100 ms; later content checks skipped');
  });

  it('refuse the message instead when the policy refuses incomplete messages', async () => {
    const strict = compilePolicy(parsePolicy({ ...policyInput, attachments: { incomplete: 'block' } }), 5);
    const verdict = await scan({ reader: reader('regex_filters') }, strict);
    expect([verdict.action, verdict.reply?.code]).toEqual(['reject', 554]);
  });

  it('turn a check that threw into CHECK_ERROR and a tempfail, as in the stage', async () => {
    const verdict = await scan({ reader: reader(undefined, 'regex_filters') });
    expect(verdict.symbols.find((s) => s.name === 'CHECK_ERROR')?.detail).toBe('regex_filters: engine exploded');
    // A tempfail ends the stage: nothing after the failed check adds to the score.
    expect(verdict.symbols.map((s) => s.name)).not.toContain('PHISH_LINK_MISMATCH');
    expect([verdict.action, verdict.reply?.code]).toEqual(['tempfail', 451]);
  });
});
