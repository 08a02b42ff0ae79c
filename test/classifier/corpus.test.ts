// Trains on a seeded subset of the shared corpus through the directory API that `moat train` uses, and checks
// the model on held-out messages of the same corpus. The corpus comes from ../shared/corpus (never committed).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify, deserializeModel, loadDefaultModel, seededShuffle, serializeModel, train, type SpamModel } from '@moat/classifier';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tarball = process.env.MOAT_CORPUS_TAR ?? resolve(repoRoot, '../shared/corpus/spamassassin-dev.tar.gz');

interface Row {
  path: string;
  spam: boolean;
}

describe('classifier on the shared corpus', () => {
  let work: string;
  let heldOut: Row[];
  let model: SpamModel;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'moat-classifier-it-'));
    execFileSync('tar', ['-xzf', tarball, '-C', work]);
    const corpus = join(work, 'spamassassin-dev');
    const rows: Row[] = readFileSync(join(corpus, 'index.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'))
      .map(([file, label]) => ({ path: join(corpus, file), spam: label === 'spam' }));
    const spam = seededShuffle(rows.filter((r) => r.spam), 7);
    const ham = seededShuffle(rows.filter((r) => !r.spam), 7);
    const training = [...spam.slice(0, 400), ...ham.slice(0, 800)];
    heldOut = [...spam.slice(400, 600), ...ham.slice(800, 1200)];
    for (const [dir, spamLabel] of [['train-spam', true], ['train-ham', false]] as const) {
      mkdirSync(join(work, dir));
      for (const r of training.filter((t) => t.spam === spamLabel)) symlinkSync(r.path, join(work, dir, r.path.split('/').pop() as string));
    }
    model = await train({ spamDirs: [join(work, 'train-spam')], hamDirs: [join(work, 'train-ham')] });
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('scores held-out mail sensibly: high accuracy, few false positives', () => {
    let correct = 0;
    let falsePositives = 0;
    let caught = 0;
    for (const r of heldOut) {
      const { probability } = classify(readFileSync(r.path), model);
      if (probability >= 0.5 === r.spam) correct++;
      if (!r.spam && probability >= 0.9) falsePositives++;
      if (r.spam && probability >= 0.5) caught++;
    }
    expect(correct / heldOut.length).toBeGreaterThan(0.95);
    expect(falsePositives).toBeLessThanOrEqual(4); // of 400 ham
    expect(caught / 200).toBeGreaterThan(0.9);
  });

  it('survives a save/load round trip with identical scores', () => {
    const back = deserializeModel(serializeModel(model));
    for (const r of heldOut.slice(0, 20)) {
      const raw = readFileSync(r.path);
      expect(classify(raw, back).probability).toBe(classify(raw, model).probability);
    }
  });

  // Load time and CPU per message are measured by benchmarks/classifier, not asserted here.
  it('ships a default model that loads and tells held-out spam from ham', () => {
    const shipped = loadDefaultModel();
    const scored = heldOut.map((r) => ({ spam: r.spam, p: classify(readFileSync(r.path), shipped).probability }));
    const meanOf = (spam: boolean) => {
      const ps = scored.filter((s) => s.spam === spam).map((s) => s.p);
      return ps.reduce((a, b) => a + b, 0) / ps.length;
    };
    expect(meanOf(true)).toBeGreaterThan(0.8);
    expect(meanOf(false)).toBeLessThan(0.2);
  });
});
