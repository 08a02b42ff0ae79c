import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mailDetailSchema, type MailDetail } from '@moat/cli/api';
import { RULE_SYMBOL_SCORES } from '@moat/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { readMailbox } from '../harness/mailbox.js';
import { waitFor } from '../harness/wait.js';
import { swaks } from '../outbound/support.js';

// The README's tour: the sample messages of docs/tour/ sent with swaks, exactly as the README does, to a cluster
// on the default (demo) policy. The spam is tagged or quarantined by the structural and phishing rules on by
// default; the ham is delivered untouched.
const TOUR = join(import.meta.dirname, '../../docs/tour');

/** The value of a header line of a sample, as written in the file. */
const headerOf = (text: string, name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1] ?? '';

describe('README tour: sample spam and ham through a cluster on the default policy', () => {
  let cluster: TestCluster;
  const shown = new Map<string, MailDetail>();
  const subjects = new Map<string, string>();

  beforeAll(async () => {
    // The policy a fresh `npm start` runs: the demo tenant with the classifier on (the harness turns it off for the
    // other suites, which assert exact scores).
    cluster = await startCluster({ nodes: 1, policy: (demo) => ({ ...demo, classifier: { ...demo.classifier, enabled: true } }) });
    const files = (await readdir(TOUR)).filter((f) => f.endsWith('.eml')).sort();
    expect(files.filter((f) => f.startsWith('spam-')).length).toBeGreaterThanOrEqual(3);
    expect(files.filter((f) => f.startsWith('ham-')).length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const text = await readFile(join(TOUR, file), 'utf8');
      subjects.set(file, headerOf(text, 'Subject'));
      const sent = await swaks(['--port', String(cluster.ports.smtp[0]), '--from', 'someone@sender.test', '--to', headerOf(text, 'To'), '--data', `@${join(TOUR, file)}`]);
      expect(sent.code, `${file}: ${sent.output}`).toBe(0);
      const id = /queued as (\S+)/.exec(sent.output)?.[1];
      if (!id) throw new Error(`${file}: no message id in ${sent.output}`);
      shown.set(
        file,
        await waitFor(`${file} (${id}) in the CSM`, async () => {
          const found = await cluster.moat(['mail', 'show', id, '--json']);
          return found.code === 0 ? mailDetailSchema.parse(JSON.parse(found.stdout)) : undefined;
        }),
      );
    }
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  const symbols = (file: string) => (shown.get(file)?.symbols ?? []).map((s) => s.name);
  const action = (file: string) => shown.get(file)?.action;

  // The rules alone put each spam sample between the tag (5) and quarantine (10) thresholds; the classifier (on, as
  // shipped) adds up to its spamScore (6.5): with the shipped model these samples get BAYES_SPAM 6.3 at most (the
  // bulk mailer, 6 on the rules), short of reject (15), so tag or quarantine.
  const STOPPED = ['tag', 'quarantine'];

  it('tags the outsider writing as "alice@example.test" with a free-mail Reply-To (the protected-address case)', () => {
    expect(STOPPED).toContain(action('spam-1-ceo-address.eml'));
    expect(symbols('spam-1-ceo-address.eml')).toEqual(expect.arrayContaining(['FROM_NAME_PROTECTED_ADDRESS', 'REPLYTO_FREEMAIL']));
  });

  it('tags the password phish dressed as Microsoft', () => {
    expect(STOPPED).toContain(action('spam-2-password-phish.eml'));
    expect(symbols('spam-2-password-phish.eml')).toEqual(expect.arrayContaining(['PHISH_BRAND_DISPLAY_NAME', 'PHISH_CREDENTIAL_REQUEST', 'URL_IP_HOST']));
  });

  it('tags the QR-code lure, reading the link inside the image', () => {
    expect(STOPPED).toContain(action('spam-3-qr-code.eml'));
    expect(symbols('spam-3-qr-code.eml')).toEqual(expect.arrayContaining(['QR_CODE_LINK', 'URL_SHORTENER', 'PHISH_BRAND_DISPLAY_NAME']));
  });

  it('tags the bulk mailer with an old date and no Message-ID', () => {
    expect(STOPPED).toContain(action('spam-4-bulk-mailer.eml'));
    expect(symbols('spam-4-bulk-mailer.eml')).toEqual(expect.arrayContaining(['XMAILER_SPAM_TOOL', 'DATE_IN_PAST', 'MID_MISSING', 'BULK_NO_UNSUBSCRIBE']));
  });

  it('delivers the ham untagged to the mailbox, with no rule symbol', async () => {
    const ham = [...shown.keys()].filter((f) => f.startsWith('ham-'));
    expect(ham.length).toBeGreaterThanOrEqual(2);
    for (const file of ham) expect({ file, action: action(file), rules: symbols(file).filter((s) => s in RULE_SYMBOL_SCORES) }).toEqual({ file, action: 'deliver', rules: [] });
    const stored = await waitFor('the ham in the mailbox', async () => {
      const all = await readMailbox(cluster.mailboxDir);
      return ham.every((file) => all.some((m) => m.subject === subjects.get(file))) ? all : undefined;
    });
    for (const file of ham) expect(stored.find((m) => m.subject === subjects.get(file))?.raw).not.toMatch(/^X-Moat-Spam:/im);
  });
});
