// The labelled corpus and its seeded, stratified folds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededShuffle } from '../../libs/scan/classifier/dist/index.js';

/** Extracts the shared corpus into var/corpus (gitignored) unless it is there already. */
export function ensureCorpus(repoRoot, tarball) {
  const dir = join(repoRoot, 'var/corpus/spamassassin-dev');
  if (!existsSync(join(dir, 'index.tsv'))) {
    if (!existsSync(tarball)) throw new Error(`corpus not found: ${tarball} (pass --corpus-tar)`);
    mkdirSync(join(repoRoot, 'var/corpus'), { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', join(repoRoot, 'var/corpus')]);
  }
  return dir;
}

/** Messages from index.tsv: { file (absolute), spam, group, raw }. */
export function loadCorpus(dir) {
  const rows = readFileSync(join(dir, 'index.tsv'), 'utf8').trim().split('\n').slice(1);
  return rows.map((row) => {
    const [file, label, group] = row.split('\t');
    const path = join(dir, file);
    return { file: path, spam: label === 'spam', group, raw: readFileSync(path) };
  });
}

/** Assigns each message a fold 0..k-1: each label is shuffled with the seed and dealt round-robin. */
export function stratifiedFolds(messages, k, seed) {
  const fold = new Map();
  for (const spam of [true, false]) {
    seededShuffle(messages.filter((m) => m.spam === spam), seed).forEach((m, i) => fold.set(m, i % k));
  }
  return messages.map((m) => fold.get(m));
}

// Headers that record how this corpus was collected rather than what the sender sent (see README.md), plus
// other filters' verdicts: Moat never reads them; a copy of the corpus without them lets bogofilter be
// measured on the same information.
const COLLECTION_HEADERS = /^(received|delivered-to|delivery-date|envelope-to|return-path|to|cc|x-original-date|x-keywords|x-status|status|x-uidl|x-spam[^:]*|x-virus[^:]*|x-mailscanner[^:]*)$/i;

/** Writes copies of the messages without collection headers into `dir`; returns messages pointing at them. */
export function withoutCollectionHeaders(messages, dir) {
  mkdirSync(dir, { recursive: true });
  return messages.map((m, i) => {
    const text = m.raw.toString('latin1');
    const split = /\r?\n\r?\n/.exec(text);
    const end = split ? split.index : text.length;
    const kept = text
      .slice(0, end)
      .replace(/\r?\n[ \t]+/g, ' ')
      .split(/\r?\n/)
      .filter((line) => !COLLECTION_HEADERS.test(line.split(':')[0].trim()));
    const raw = Buffer.from(kept.join('\n') + text.slice(end), 'latin1');
    const file = join(dir, `${i}.eml`);
    writeFileSync(file, raw);
    return { ...m, raw, file };
  });
}
