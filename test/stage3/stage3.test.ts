import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mailDetailSchema, type MailDetail } from '@moat/cli/api';
import type { PolicyInput } from '@moat/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';

// Two nodes share the bulk checksum counts and the fuzzy deny list (JetStream KV) and the classifier models
// (JetStream Object Store, named by the policy). The bulk levels are set so that no node alone can reach
// BULK_LOW: each node sees at most 5 of the 10 copies of a campaign, BULK_LOW needs 7 fleet-wide. Nothing is
// refused on its score, so that every message has an id and a stored event to look at.
const stage3 = (demo: PolicyInput): PolicyInput => ({
  ...demo,
  thresholds: { tag: 5, quarantine: 10, reject: 100 },
  classifier: { enabled: true },
  body: {
    bulk: { low: { count: 7, score: 0.5 }, medium: { count: 9, score: 1 }, high: { count: 50, score: 3 }, minWords: 20 },
    regex: { rules: [{ name: 'HOLD_FOR_REVIEW', kind: 'block', on: 'subject', pattern: '\\[review\\]', score: 0, action: 'quarantine' }] },
  },
});

const RECIPIENTS = ['alice@example.test', 'bob@example.test'];
const CAMPAIGN = [
  'We are pleased to let you know that your account has been selected for our exclusive spring rewards programme.',
  'Members enjoy premium discounts on electronics, travel packages and home appliances from our partner stores.',
  'To activate your membership simply confirm your details on our website before the offer closes this Friday.',
  'Thousands of customers have already claimed their rewards and saved hundreds on their purchases this season.',
].join(' ');

/** One copy of a campaign with the per-recipient changes bulk mailers make: greeting, coupon code, tracking id. */
function campaignCopy(text: string, subject: string, name: string, n: number): string {
  return [
    'From: Rewards Team <rewards@promo.test>',
    `To: ${name}@example.test`,
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W/g, '')}-${n}-${Date.now()}@promo.test>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Dear ${name} (customer ${1000 + n}),`,
    '',
    text,
    '',
    `Your personal coupon code is RW${(n * 7919).toString(36).toUpperCase()}.`,
    '',
  ].join('\r\n');
}

const words = (seed: number, vocabulary: string[], count: number) => Array.from({ length: count }, (_, i) => vocabulary[(seed * 31 + i * 17 + ((seed * i) % 7)) % vocabulary.length]).join(' ');
const SPAM_WORDS = ['casino', 'jackpot', 'winner', 'bitcoin', 'doubling', 'pills', 'cheap', 'replica', 'watches', 'loan', 'approved', 'instantly', 'unclaimed', 'inheritance', 'guaranteed', 'income'];
const HAM_WORDS = ['meeting', 'agenda', 'quarterly', 'review', 'budget', 'minutes', 'schedule', 'deployment', 'release', 'notes', 'design', 'document', 'feedback', 'draft', 'roadmap', 'retrospective'];
const trainingMessage = (subject: string, body: string) => `From: someone@corp.test\r\nTo: alice@example.test\r\nSubject: ${subject}\r\n\r\n${body}\r\n`;

describe('stage 3 end to end: two nodes, fuzzy bulk and deny list in KV, classifier models from the CSM', () => {
  let cluster: TestCluster;
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'moat-stage3-'));
    cluster = await startCluster({ nodes: 2, policy: stage3 });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** Sends through node NODE and returns the message id from the 250 reply. */
  async function send(node: number, raw: string, to = 'alice@example.test'): Promise<string> {
    const result = await cluster.sendMail(node, { from: 'rewards@promo.test', to, subject: '', raw });
    expect(result.accepted, result.response).toBe(true);
    const id = /queued as (\S+)/.exec(result.response)?.[1];
    if (!id) throw new Error(`no message id in "${result.response}"`);
    return id;
  }

  /** The stored event of a message as `moat mail show` gives it, once the CSM has it. */
  function shown(id: string): Promise<MailDetail> {
    return waitFor(`message ${id} in the CSM`, async () => {
      const result = await cluster.moat(['mail', 'show', id, '--json']);
      return result.code === 0 ? mailDetailSchema.parse(JSON.parse(result.stdout)) : undefined;
    });
  }

  const symbolNames = (mail: MailDetail) => mail.symbols.map((s) => s.name);

  /** The classifier version each node reports in its heartbeat, by node name. */
  async function classifierVersions(): Promise<Record<string, string>> {
    const status = (await cluster.moatJson(['status'])) as { nodes: Array<{ name: string; engineVersions?: Record<string, string> }> };
    return Object.fromEntries(status.nodes.map((n) => [n.name, n.engineVersions?.['classifier'] ?? '']));
  }

  const bothNodesOn = (version: string) =>
    waitFor(`both nodes on classifier model ${version}`, async () => {
      const versions = Object.values(await classifierVersions());
      return versions.length === 2 && versions.every((v) => v === version) ? versions : undefined;
    }, { timeoutMs: 60_000 });

  it('scores every message with the classifier; its symbol names the model the node reports', async () => {
    const [shipped] = Object.values(await waitFor('classifier versions in the heartbeats', async () => {
      const versions = await classifierVersions();
      return Object.values(versions).length === 2 && Object.values(versions).every((v) => /^[0-9a-f]{16}$/.test(v)) ? versions : undefined;
    }));
    const spam = await shown(await send(0, trainingMessage('Guaranteed income', 'Unclaimed inheritance, guaranteed income, cheap pills and casino jackpot winner: claim now!')));
    const bayes = spam.symbols.find((s) => s.name.startsWith('BAYES_'));
    expect(bayes?.detail).toContain(`(model ${shipped})`);
    expect(bayes?.detail).toMatch(/spam probability \d\.\d{4}, log-odds -?\d+\.\d\d/);
  });

  it('counts a campaign with per-recipient changes across both nodes: BULK_LOW only once the fleet passed 7', async () => {
    const ids: string[] = [];
    const names = ['carol', 'dave', 'erin', 'frank', 'grace'];
    for (let n = 0; n < 10; n++) {
      ids.push(await send(n % 2, campaignCopy(CAMPAIGN, 'Your spring rewards are waiting', names[n % names.length] ?? 'carol', n), RECIPIENTS[n % 2]));
      // Past the store's 1 s local cache, so each node reads the other's sightings.
      await sleep(1100);
    }
    const mails = await Promise.all(ids.map(shown));
    const bulk = mails.map((m) => symbolNames(m).some((s) => /^BULK_(LOW|MEDIUM|HIGH)$/.test(s)));
    expect(bulk.slice(0, 6)).toEqual([false, false, false, false, false, false]);
    expect(bulk.slice(6)).toEqual([true, true, true, true]);
    // Both nodes, each having seen only 5 copies itself, fired it.
    expect(new Set(mails.filter((_m, i) => bulk[i]).map((m) => m.nodeId)).size).toBe(2);
    expect(mails.at(-1)?.symbols.find((s) => s.name.startsWith('BULK_'))?.detail).toMatch(/text seen (9|10) times in 60 min fleet-wide/);
  });

  it('report spam on one node puts the campaign on the fleet deny list: FUZZY_DENIED on the other node', async () => {
    const text = CAMPAIGN.replace('spring rewards programme', 'loyalty cashback scheme').replace('this Friday', 'at midnight');
    const reported = await send(0, campaignCopy(text, '[review] Cashback waiting', 'carol', 1));
    expect((await shown(reported)).action).toBe('quarantine');

    const result = await cluster.moat(['mail', 'report', reported, 'spam', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; modelVersion: string; policyVersion: number; detail: string };
    expect(report).toMatchObject({ ok: true, modelVersion: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(report.detail).toMatch(/learned as spam into model [0-9a-f]{16} .*fuzzy checksums? added to the deny list/);
    // The learned model is current in the policy and both nodes load it from the object store.
    await bothNodesOn(report.modelVersion);

    const variant = await shown(await send(1, campaignCopy(text, 'Cashback waiting for you', 'dave', 2), 'bob@example.test'));
    expect(variant.nodeId).not.toBe((await shown(reported)).nodeId);
    expect(symbolNames(variant)).toContain('FUZZY_DENIED');
    expect(variant.symbols.find((s) => s.name.startsWith('BAYES_'))?.detail).toContain(`(model ${report.modelVersion})`);
  });

  it('says why delivered mail cannot be reported, and learns an uploaded copy instead', async () => {
    const delivered = await shown(await send(1, trainingMessage('Minutes', 'Minutes of the quarterly budget review meeting are attached for your feedback.')));
    expect(['deliver', 'tag']).toContain(delivered.action);
    const refused = await cluster.moat(['mail', 'report', delivered.id, 'ham']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('POST /api/classifier/learn');

    const file = join(workDir, 'minutes.eml');
    await writeFile(file, trainingMessage('Minutes', 'Minutes of the quarterly budget review meeting are attached for your feedback.'));
    const learned = await cluster.moat(['mail', 'learn', file, 'ham', '--json']);
    expect(learned.code, learned.stderr).toBe(0);
    expect(JSON.parse(learned.stdout)).toMatchObject({ ok: true, detail: expect.stringContaining('learned as ham') });
  });

  it('moat train uploads a new model version that becomes current and both nodes load', async () => {
    const spamDir = join(workDir, 'spam');
    const hamDir = join(workDir, 'ham');
    await mkdir(spamDir);
    await mkdir(hamDir);
    for (let i = 0; i < 40; i++) {
      await writeFile(join(spamDir, `${i}.eml`), trainingMessage(words(i, SPAM_WORDS, 3), words(i + 100, SPAM_WORDS, 40)));
      await writeFile(join(hamDir, `${i}.eml`), trainingMessage(words(i, HAM_WORDS, 3), words(i + 100, HAM_WORDS, 40)));
    }
    const before = ((await cluster.moatJson(['policy', 'versions'])) as unknown[]).length;
    const result = await cluster.moat(['train', '--spam', spamDir, '--ham', hamDir, '--base', 'current', '--comment', 'stage 3 test model', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const trained = JSON.parse(result.stdout) as { modelVersion: string; policyVersion: number };
    expect(trained.policyVersion).toBeGreaterThan(before);
    const policy = (await cluster.moatJson(['policy', 'get'])) as { classifier: { modelVersion: string } };
    expect(policy.classifier.modelVersion).toBe(trained.modelVersion);
    await bothNodesOn(trained.modelVersion);

    const mail = await shown(await send(0, trainingMessage('Roadmap draft', words(7, HAM_WORDS, 40))));
    expect(mail.symbols.find((s) => s.name === 'BAYES_HAM')?.detail).toContain(`(model ${trained.modelVersion})`);
  });

  it('a node restarted while NATS is down scores with its cached model, not the shipped one', async () => {
    const current = ((await cluster.moatJson(['policy', 'get'])) as { classifier: { modelVersion: string } }).classifier.modelVersion;
    await cluster.stopNats();
    let id: string;
    try {
      await cluster.stopNode(1);
      await cluster.startNode(1);
      // Accepted while NATS is away: the event waits in the node's journal.
      id = await send(1, trainingMessage('Design feedback', words(11, HAM_WORDS, 40)), 'bob@example.test');
    } finally {
      await cluster.startNats();
    }
    const mail = await waitFor(
      `message ${id} in the CSM after NATS is back`,
      async () => {
        const result = await cluster.moat(['mail', 'show', id, '--json']);
        return result.code === 0 ? mailDetailSchema.parse(JSON.parse(result.stdout)) : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(mail.symbols.find((s) => s.name.startsWith('BAYES_'))?.detail).toContain(`(model ${current})`);
  });
});
