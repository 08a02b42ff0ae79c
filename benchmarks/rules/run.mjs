#!/usr/bin/env node
// Structural and phishing rules (policy body.rules) on the development corpus, split by the corpus's original
// groups and time: scores are chosen on the older groups (easy-ham-1 + spam-1) and reported on the newer ones
// (easy-ham-2 + spam-2 + hard-ham-1). Per rule symbol: how often it fires on ham and spam of each half; then the
// FP rate of the rules alone (ham whose rule scores reach the tag threshold) and the recall they add to the
// other offline content checks of the default policy.
// Usage: node benchmarks/rules/run.mjs [--out FILE] [--dump FILE] (build first: npm run build)
import { appendFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compilePolicy, defaultChecks, Pipeline } from '../../libs/scan/pipeline/dist/index.js';
import { parsePolicy, RULE_CHECKS } from '../../libs/shared/policy/dist/index.js';
import { ensureCorpus, loadCorpus } from '../classifier/corpus.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    'corpus-tar': { type: 'string', default: resolve(repoRoot, '../shared/corpus/spamassassin-dev.tar.gz') },
    out: { type: 'string' },
    dump: { type: 'string' },
  },
});
const log = (s) => process.stderr.write(`${s}\n`);
const TRAIN = new Set(['easy-ham-1', 'spam-1']);

const policy = compilePolicy(parsePolicy({}), 0);
const { tag } = policy.thresholds;
const ruleNames = new Set(RULE_CHECKS);
// The other content checks that need no network, no fleet store and no model: what the rules add to.
const offline = new Set(['link_mismatch', 'lookalike_domains', 'executive_impersonation', 'payment_wording', 'korean_ad_marker', 'header_duplicates', 'attachment_inspection', 'mime_parse']);
const checks = defaultChecks().filter((c) => ruleNames.has(c.name) || offline.has(c.name));

const started = Date.now();
const messages = loadCorpus(ensureCorpus(repoRoot, opt['corpus-tar']));
log(`corpus: ${messages.length} messages`);
const rows = [];
let slowest = 0;
// The corpus's messages arrived in 2002: the date rules compare with the scan time only when no Received field
// has a date, so for those the clock is set to the Delivery-Date their mailbox recorded (when there is one).
const realNow = Date.now;
const DELIVERY_DATE = /^Delivery-Date:([^\n]*)$/im;
for (const m of messages) {
  const delivered = Date.parse(DELIVERY_DATE.exec(m.raw.subarray(0, 8192).toString('latin1'))?.[1] ?? '');
  Date.now = Number.isNaN(delivered) ? realNow : () => delivered;
  const t0 = process.hrtime.bigint();
  const verdict = await new Pipeline(checks).session(policy, { clientIp: '' }).data(m.raw);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  slowest = Math.max(slowest, ms);
  const rules = verdict.symbols.filter((s) => ruleStageSymbol(s.name));
  const others = verdict.symbols.filter((s) => !ruleStageSymbol(s.name));
  rows.push({
    file: m.file.slice(m.file.lastIndexOf('/', m.file.lastIndexOf('/') - 1) + 1),
    spam: m.spam,
    group: m.group,
    train: TRAIN.has(m.group),
    rules: Object.fromEntries(rules.map((s) => [s.name, s.score])),
    ruleScore: sum(rules),
    otherScore: sum(others),
    ms: Math.round(ms),
  });
}
Date.now = realNow;
const elapsed = (Date.now() - started) / 1000;

function sum(symbols) {
  return symbols.reduce((total, s) => total + s.score, 0);
}
function ruleStageSymbol(name) {
  return name in policy.body.settings.rules.scores;
}

const pct = (n, d) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(2)}%`);
const half = (train) => rows.filter((r) => r.train === train);
const lines = [];
lines.push(`| symbol | score | train ham (${half(true).filter((r) => !r.spam).length}) | train spam (${half(true).filter((r) => r.spam).length}) | test ham (${half(false).filter((r) => !r.spam).length}) | test spam (${half(false).filter((r) => r.spam).length}) |`);
lines.push('|---|---:|---:|---:|---:|---:|');
for (const [symbol, score] of Object.entries(policy.body.settings.rules.scores)) {
  const count = (train, spam) => half(train).filter((r) => r.spam === spam && symbol in r.rules).length;
  const total = (train, spam) => half(train).filter((r) => r.spam === spam).length;
  lines.push(`| ${symbol} | ${score} | ${pct(count(true, false), total(true, false))} | ${pct(count(true, true), total(true, true))} | ${pct(count(false, false), total(false, false))} | ${pct(count(false, true), total(false, true))} |`);
}
lines.push('');
lines.push(`| split | messages | rules alone: ham ≥ tag (${tag}) | rules alone: spam ≥ tag | other offline checks: spam ≥ tag | with the rules: spam ≥ tag | with the rules: ham ≥ tag |`);
lines.push('|---|---:|---:|---:|---:|---:|---:|');
for (const [name, train] of [['train (easy-ham-1, spam-1)', true], ['test (easy-ham-2, hard-ham-1, spam-2)', false]]) {
  const part = half(train);
  const ham = part.filter((r) => !r.spam);
  const spam = part.filter((r) => r.spam);
  const reach = (set, f) => set.filter((r) => f(r) >= tag).length;
  lines.push(
    `| ${name} | ${part.length} | ${reach(ham, (r) => r.ruleScore)} (${pct(reach(ham, (r) => r.ruleScore), ham.length)}) | ${pct(reach(spam, (r) => r.ruleScore), spam.length)} | ${pct(reach(spam, (r) => r.otherScore), spam.length)} | ${pct(reach(spam, (r) => r.otherScore + r.ruleScore), spam.length)} | ${reach(ham, (r) => r.otherScore + r.ruleScore)} (${pct(reach(ham, (r) => r.otherScore + r.ruleScore), ham.length)}) |`,
  );
}
const hard = rows.filter((r) => r.group === 'hard-ham-1');
lines.push('');
lines.push(`hard-ham-1 alone: ${hard.filter((r) => r.ruleScore >= tag).length} of ${hard.length} reach the tag threshold on the rules.`);
lines.push(`${rows.length} messages in ${elapsed.toFixed(1)} s (${((elapsed * 1000) / rows.length).toFixed(1)} ms a message, slowest ${slowest.toFixed(0)} ms), one thread.`);
const table = lines.join('\n');
process.stdout.write(`${table}\n`);
if (opt.out) appendFileSync(opt.out, `\n${table}\n`);
if (opt.dump) writeFileSync(opt.dump, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
