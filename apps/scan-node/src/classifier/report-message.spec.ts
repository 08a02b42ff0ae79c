import { MemoryFuzzyStore, messageChecksums, parseMessage } from '@moat/pipeline';
import { defaultPolicy } from '@moat/policy';
import type { ReportMessage } from '@moat/proto/grpc';
import { describe, expect, it } from 'vitest';
import type { ActivePolicy } from '../policy/policy-store.js';
import { reportMessage, type ReportDeps } from './report-message.js';

const campaign = Buffer.from(
  `From: deals@shop.test\r\nSubject: Spring sale\r\n\r\n${'Our spring sale starts today with big discounts on every item in the store, order now and save. '.repeat(3)}\r\n`,
);
const report = (fields: Partial<ReportMessage>): ReportMessage => ({ messageId: '', raw: new Uint8Array(0), spam: true, baseModelVersion: '', ...fields });

function deps(found: Buffer | undefined) {
  const learned: Array<{ base: string; spam: boolean }> = [];
  const fuzzy = new MemoryFuzzyStore();
  const value: ReportDeps = {
    quarantine: { fetch: async () => (found ? { raw: found } : undefined) },
    models: {
      learn: async (base, _raw, spam) => {
        learned.push({ base, spam });
        return { version: '0123456789abcdef', before: 0.2, after: 0.96 };
      },
    },
    fuzzy,
    policies: { current: { policy: defaultPolicy() } as ActivePolicy },
  };
  return { value, learned, fuzzy };
}

describe('reportMessage', () => {
  it('learns reported spam from quarantine into the base model and denies its fuzzy checksums', async () => {
    const { value, learned, fuzzy } = deps(campaign);
    const outcome = await reportMessage(value, report({ messageId: 'm1', baseModelVersion: 'aaaaaaaaaaaaaaaa' }));
    expect(learned).toEqual([{ base: 'aaaaaaaaaaaaaaaa', spam: true }]);
    expect(outcome.modelVersion).toBe('0123456789abcdef');
    expect(outcome.detail).toMatch(/^learned as spam into model 0123456789abcdef \(spam probability 0\.200 -> 0\.960\); \d+ fuzzy checksums added to the deny list$/);
    const variant = Buffer.from(campaign.toString().replace('Spring sale', 'Spring sale for you'));
    const sums = messageChecksums(await parseMessage(variant), 20).text;
    expect((await fuzzy.denied(sums)).some(Boolean)).toBe(true);
  });

  it('learns ham without touching the deny list, and an uploaded message as given', async () => {
    const { value, learned, fuzzy } = deps(undefined);
    const outcome = await reportMessage(value, report({ raw: campaign, spam: false }));
    expect(learned).toEqual([{ base: '', spam: false }]);
    expect(outcome.detail).not.toContain('deny');
    expect(await fuzzy.denied(messageChecksums(await parseMessage(campaign), 20).text)).not.toContain(true);
  });

  it('still learns a message too short to fingerprint, and says the deny list was not fed', async () => {
    const { value } = deps(Buffer.from('Subject: hi\r\n\r\nclaim now\r\n'));
    const outcome = await reportMessage(value, report({ messageId: 'm2' }));
    expect(outcome.detail).toContain('not added to the fuzzy deny list: the message has neither enough text nor an attachment');
  });

  it('fails for a message that is not in quarantine, or a report without a message', async () => {
    await expect(reportMessage(deps(undefined).value, report({ messageId: 'gone' }))).rejects.toThrow('message gone is not in quarantine');
    await expect(reportMessage(deps(undefined).value, report({}))).rejects.toThrow('neither a message id nor a message');
  });
});
