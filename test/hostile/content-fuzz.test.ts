import { createResolver, readAuthor, verifyDkim, withoutForgedAuthResults } from '@moat/auth';
import { classify, loadModel, DEFAULT_MODEL_PATH, tokenizeMessage, type SpamModel } from '@moat/classifier';
import { candidatePasswords, decodeWords, inspectMessage, walkMime, DEFAULT_MIME_LIMITS } from '@moat/content';
import { parsePolicy } from '@moat/policy';
import { compilePolicy, defaultChecks, Pipeline, readMessage, type CompiledPolicy } from '@moat/pipeline';
import { beforeAll, describe, expect, it } from 'vitest';

// Issue 11: every content path must take time linear in what a sender writes. Each is fed generated hostile
// text (long runs of one character class, a run ended by a character of another class, two classes
// alternating) and must stay under a generous bound per kilobyte: a super-linear pattern on 32 KB takes seconds.
const SIZE = 32 * 1024;
const MS_PER_KB = 50;
const CLASSES: Record<string, string> = {
  digits: '7',
  letters: 'a',
  capitals: 'Q',
  spaces: ' ',
  tabs: '\t',
  newlines: '\r\n',
  punctuation: '!',
  lt: '<',
  gt: '>',
  equals: '=',
  at: '@',
  dot: '.',
  underscore: '_',
  hyphen: '-',
  quote: '"',
  slash: '/',
  colon: ':',
  semicolon: ';',
  hangul: '한',
  cyrillic: 'ж',
  nul: '\0',
};

// A run is ended by each of these (a pattern that scans the run and then fails at its end is retried from each of
// its characters); classes alternate pairwise among the core ones.
const ENDINGS = ['!', '_', ' ', '\0', 'a', '7', '<', '한'];
const CORE = ['digits', 'letters', 'spaces', 'punctuation', 'lt', 'equals', 'at', 'dot', 'underscore', 'hangul', 'nul'];

function hostileTexts(): [string, string][] {
  const texts: [string, string][] = [];
  for (const [a, unit] of Object.entries(CLASSES)) {
    const run = unit.repeat(SIZE / unit.length);
    texts.push([`run of ${a}`, run]);
    for (const end of ENDINGS) if (end !== unit) texts.push([`run of ${a} then ${JSON.stringify(end)}`, run + end]);
  }
  for (const [i, a] of CORE.entries()) {
    for (const b of CORE.slice(i + 1)) texts.push([`${a} and ${b} alternating`, (CLASSES[a]! + CLASSES[b]!).repeat(SIZE / 2)]);
  }
  // Shapes the body checks look for, repeated without their end.
  for (const [name, unit] of [
    ['open tags', '<a '],
    ['unclosed hrefs', '<a href="'],
    ['encoded words', '=?utf-8?q?'],
    ['url stubs', 'http://a.'],
    ['addresses', 'a@b.'],
    ['digit words', '1a1_'],
    ['leet', 'v1a'],
    ['spaced letters', 'f r e e '],
  ] as const) {
    texts.push([`repeated ${name}`, unit.repeat(SIZE / unit.length)]);
  }
  return texts;
}

const TEXTS = hostileTexts();

/** Runs PROBE on every hostile text and fails naming the slowest one past the bound. */
async function withinBound(probe: (text: string) => unknown): Promise<void> {
  let worst = { name: '', msPerKb: 0 };
  for (const [name, text] of TEXTS) {
    const started = performance.now();
    await probe(text);
    const msPerKb = (performance.now() - started) / (Buffer.byteLength(text) / 1024);
    if (msPerKb > worst.msPerKb) worst = { name, msPerKb };
  }
  expect(worst.msPerKb, `slowest: ${worst.name}, ${worst.msPerKb.toFixed(2)} ms/KB`).toBeLessThan(MS_PER_KB);
}

const message = (headers: string, body: string): Buffer => Buffer.from(`From: a@sender.test\r\nTo: b@example.test\r\n${headers}\r\n\r\n${body}\r\n`);

describe('content paths on hostile text', () => {
  let model: SpamModel;
  let policy: CompiledPolicy;

  beforeAll(async () => {
    model = await loadModel(DEFAULT_MODEL_PATH);
    policy = compilePolicy(
      parsePolicy({
        domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }],
        classifier: { enabled: true },
        body: {
          koreanAd: { mode: 'require' },
          regex: { budgetMs: 5000, rules: [{ name: 'OLD_DIGITS', kind: 'block', on: 'body', pattern: String.raw`\b(?:[a-z]*\d+[a-z]*){2,}\b` }, { name: 'NESTED', kind: 'block', on: 'subject', pattern: '(a+)+$' }] },
          phishing: { brands: ['paypal.com'], executives: [{ names: ['Kim Minsu'], addresses: [] }] },
        },
      }),
      1,
    );
  });

  it('the classifier tokeniser and scoring, on body, HTML and subject text', async () => {
    await withinBound((text) => classify(message('Subject: x', text), model, { spam: 6, ham: 3 }));
    await withinBound((text) => tokenizeMessage(message(`Subject: ${text.replace(/[\r\n]/g, ' ')}\r\nContent-Type: text/html`, text)));
  });

  it('the pipeline data checks (body, phishing, regex filters, classifier, Korean advertising), text and HTML', async () => {
    const pipeline = new Pipeline(defaultChecks().filter((c) => c.stage === 'data'), { classifier: { model } });
    const scan = async (raw: Buffer) => {
      const session = pipeline.session(policy, { clientIp: '192.0.2.1' });
      await session.mailFrom('a@sender.test');
      await session.rcptTo('b@example.test');
      return session.data(raw);
    };
    await withinBound((text) => scan(message('Subject: x', text)));
    await withinBound((text) => scan(message('Subject: x\r\nContent-Type: text/html', `<a href="http://${text}">${text}</a>`)));
  });

  it('@moat/content: the MIME walk, encoded words, archive password candidates, the inspection', async () => {
    await withinBound((text) => readMessage(message('Subject: x\r\nContent-Type: multipart/mixed; boundary="b"', `--b\r\nContent-Type: text/plain\r\n\r\n${text}\r\n--b--`), {}));
    await withinBound((text) => walkMime(message(`Content-Type: text/plain; name="${text.replace(/[\r\n"]/g, '')}"`, text), DEFAULT_MIME_LIMITS));
    await withinBound((text) => decodeWords(`=?utf-8?q?${text}?= ${text}`));
    await withinBound((text) => candidatePasswords([`Password: ${text}`, text], 20));
    await withinBound((text) => inspectMessage(message('Subject: x', `begin 644 ${text}\r\n${text}`), {}));
  });

  it('@moat/auth header parsing: From, Authentication-Results, DKIM-Signature tag lists', async () => {
    // Nothing listens on port 1: a lookup, if any, fails at once.
    const resolver = createResolver({ servers: ['127.0.0.1:1'], timeoutMs: 50, tries: 1 });
    const folded = (text: string): string => text.replace(/\r\n/g, '\r\n ');
    await withinBound((text) => readAuthor(message(`From: "${folded(text)}" <${folded(text)}@x.test>`, 'x')));
    await withinBound((text) => readAuthor(Buffer.from(`From: ${folded(text)}\r\n\r\nx`)));
    await withinBound((text) => withoutForgedAuthResults(Buffer.from(`Authentication-Results: node-1; ${folded(text)}\r\n\r\nx`), 'node-1'));
    await withinBound((text) => verifyDkim(Buffer.from(`DKIM-Signature: v=1; a=${folded(text)}; d=${folded(text)}; ${folded(text)}\r\n\r\nx`), { results: [] } as unknown as Parameters<typeof verifyDkim>[1], resolver));
  });
});
