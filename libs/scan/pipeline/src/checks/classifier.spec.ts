import { trainModel, type SpamModel } from '@moat/classifier';
import { parsePolicy, type PolicyInput } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import type { ClassifierModelSource } from '../types.js';
import { classifier } from './classifier.js';

const SPAM_TEXTS = ['Cheap pills, buy now, limited offer, click here to claim your prize', 'You won a lottery prize, claim your cash bonus now, click here', 'Lowest price pills online, order now, free shipping, claim discount'];
const HAM_TEXTS = ['The meeting agenda for Tuesday is attached, please review the budget notes', 'Could you review the draft report before the project meeting on Friday', 'Notes from the design review: the team agreed on the schedule and budget'];
const message = (subject: string, text: string, headers = '') => Buffer.from(`From: someone@sender.test\r\nTo: alice@example.test\r\nSubject: ${subject}\r\n${headers}Content-Type: text/plain\r\n\r\n${text}\r\n`);

function tinyModel(): SpamModel {
  const examples = [...SPAM_TEXTS.map((t, i) => ({ raw: message(`offer ${i}`, t), spam: true })), ...HAM_TEXTS.map((t, i) => ({ raw: message(`notes ${i}`, t), spam: false }))];
  // Six messages cannot be split for calibration; enough to separate these texts.
  return trainModel([...examples, ...examples, ...examples], { hashBits: 12, calibrationShare: 0 });
}

const model = tinyModel();
const holder = (m: SpamModel | undefined): ClassifierModelSource => ({ model: m });

async function scan(raw: Buffer, source: ClassifierModelSource | undefined, policy: PolicyInput = { classifier: { enabled: true } }) {
  const verdict = await new Pipeline([classifier], { classifier: source }).session(compilePolicy(parsePolicy(policy), 0), { clientIp: '' }).data(raw);
  return verdict.symbols.map(({ name, score, detail, stage }) => ({ name, score, detail, stage }));
}

describe('classifier check', () => {
  it('scores spam and ham with the model it is given, naming the model version', async () => {
    const [spam] = await scan(message('claim now', 'Claim your prize now, cheap pills, click here'), holder(model));
    expect(spam).toMatchObject({ name: 'BAYES_SPAM', stage: 'data' });
    expect(spam?.score).toBeGreaterThan(0);
    expect(spam?.detail).toContain(`(model ${model.version})`);
    const [ham] = await scan(message('review', 'Please review the meeting agenda and budget notes'), holder(model));
    expect(ham).toMatchObject({ name: 'BAYES_HAM' });
    expect(ham?.score).toBeLessThan(0);
  });

  it('scales its scores by the policy', async () => {
    const raw = message('claim now', 'Claim your prize now, cheap pills, click here');
    const [base] = await scan(raw, holder(model));
    const [doubled] = await scan(raw, holder(model), { classifier: { enabled: true, spamScore: 13 } });
    expect(doubled?.score).toBeCloseTo((base?.score ?? 0) * 2, 1);
  });

  it('uses whichever model the holder has at the time of the message', async () => {
    const source: { model: SpamModel | undefined } = { model: undefined };
    expect(await scan(message('x', 'Claim your prize now'), source)).toEqual([]);
    source.model = model;
    expect((await scan(message('x', 'Claim your prize now'), source))[0]?.detail).toContain(model.version);
  });

  it('does nothing without a model or when the policy turns it off', async () => {
    expect(await scan(message('x', 'Claim your prize now'), undefined)).toEqual([]);
    expect(classifier.enabled?.(compilePolicy(parsePolicy({ classifier: { enabled: false } }), 0))).toBe(false);
    expect(classifier.enabled?.(compilePolicy(parsePolicy({}), 0))).toBe(true);
    expect(classifier.enabled?.(compilePolicy(parsePolicy({ classifier: { enabled: true } }), 0))).toBe(true);
  });

  it("never reads other filters' verdict headers", async () => {
    const text = 'Please review the meeting agenda and budget notes';
    const plain = await scan(message('review', text), holder(model));
    const labelled = await scan(message('review', text, 'X-Spam-Flag: YES\r\nX-Spam-Status: Yes, score=25.0\r\nAuthentication-Results: mx.other.test; spf=fail\r\n'), holder(model));
    expect(labelled).toEqual(plain);
  });
});
