import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_HASH_BITS, deserializeModel, emptyModel, loadDefaultModel, serializeModel, type SpamModel } from '@moat/classifier';
import { UsageError, parseCommandArgs, writeLine, type Command } from '../command.js';
import { IndexFormatError, parseEvalIndex, type IndexEntry } from '../eval/eval-index.js';
import { Evaluator, summarise } from '../eval/evaluator.js';
import { offlinePolicy, readModel, readPolicy } from '../scan/scan-request.js';

const FEEDBACK = ['immediate', 'none'] as const;

export const EVAL_USAGE = `moat eval --feedback immediate|none [--model FILE|default|empty] [--policy FILE] [--classifier-only] INDEX

Replays a labelled mailbox through the filter offline, as the TREC spam track does: INDEX has one line per
message, "spam PATH" or "ham PATH" (paths relative to the index file's directory), read in order. Each message
is scored with the current model and then, with --feedback immediate, its label is learned (the Fisher token
counts and one on-line FTRL step of the regression: no retraining) before the next message is scored.

  --feedback immediate|none   learn each label after scoring it, or never
  --model FILE|default|empty  start from this model (moat train --out FILE), the one shipped with Moat
                              (default), or an empty one that knows nothing (TREC's start)
  --policy FILE               the tenant policy (JSON, as for moat policy set); without it, the default policy
                              as shipped. The classifier is on either way.
  --classifier-only           rank by the classifier's calibrated log-odds alone, not by the verdict score of
                              the whole content pipeline (MIME, header, body and phishing checks, classifier)

Prints one JSON line per message, {"file","score","action"} (file as written in INDEX; score: the verdict
score plus 0.0004 x tanh(classifier log-odds / 50), which ranks messages of equal verdict score (it saturates
where the classifier's symbol does) without reordering different ones; with --classifier-only, the classifier's
log-odds; action: what the policy does with it, deliver ... reject), then
one summary line {"summary":{"messages","spam","ham","unreadable","1-ROCA%","recall%@FP<=0.1%",
"recall%@FP<=1%","cpuMsPerMessage"}}: (1-ROCA)% is 100 x the share of spam/ham pairs ranked the wrong way (a
tie counts half); recall at FP <= x is the most spam caught while at most x of the ham score above the
threshold (a message tied with the threshold is not caught); CPU ms covers scoring and learning.

A bad INDEX line stops the run before anything is scored (exit 2, every bad line named by number). A message
file that cannot be read is named with its line on stderr, skipped (neither scored nor learned) and the run
goes on (exit 1 at the end).`;

export const evalCommand: Command = {
  name: 'eval',
  usage: EVAL_USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      feedback: { type: 'string' },
      model: { type: 'string' },
      policy: { type: 'string' },
      'classifier-only': { type: 'boolean' },
    });
    const feedback = values.feedback;
    if (feedback === undefined || !(FEEDBACK as readonly string[]).includes(feedback)) throw new UsageError(`--feedback must be immediate or none${feedback === undefined ? '' : `, got "${feedback}"`}`);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no INDEX file' : `one INDEX file, got ${positionals.length}: ${positionals.join(' ')}`);
    const indexFile = resolve(io.cwd, positionals[0]);
    const entries = await readIndex(indexFile);
    const policy = values.policy === undefined ? offlinePolicy([]) : await readPolicy(resolve(io.cwd, values.policy));
    const learn = feedback === 'immediate';
    const model = await startModel(values.model === undefined || values.model === 'default' || values.model === 'empty' ? values.model : resolve(io.cwd, values.model), learn);

    const evaluator = new Evaluator({ policy, model, classifierOnly: values['classifier-only'] ?? false, learn });
    const spamScores: number[] = [];
    const hamScores: number[] = [];
    let unreadable = 0;
    let cpuMs = 0;
    for (const entry of entries) {
      const raw = await readMessage(entry);
      if (typeof raw === 'string') {
        unreadable++;
        writeLine(io.err, `moat eval: ${indexFile}:${entry.line}: cannot read ${entry.path}: ${raw}`);
        continue;
      }
      const before = process.cpuUsage();
      const { score, action } = await evaluator.score(raw);
      evaluator.learn(raw, entry.spam);
      const used = process.cpuUsage(before);
      cpuMs += (used.user + used.system) / 1000;
      (entry.spam ? spamScores : hamScores).push(score);
      writeLine(io.out, JSON.stringify({ file: entry.file, score, action }));
    }
    writeLine(io.out, JSON.stringify({ summary: summarise(spamScores, hamScores, unreadable, cpuMs) }));
    return unreadable > 0 ? 1 : 0;
  },
};

async function readIndex(file: string): Promise<IndexEntry[]> {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read INDEX ${file}: ${(err as Error).message}`);
  }
  try {
    return parseEvalIndex(text, file);
  } catch (err) {
    if (err instanceof IndexFormatError) throw new UsageError(`INDEX is not "spam PATH" / "ham PATH" lines:\n  ${err.problems.join('\n  ')}`);
    throw err;
  }
}

/** The model to start from; a copy when it will learn, so the shipped model held in memory stays as shipped. */
async function startModel(option: string | undefined, learn: boolean): Promise<SpamModel> {
  if (option === 'empty') return emptyModel(DEFAULT_HASH_BITS);
  const model = option === undefined ? loadDefaultModel() : await readModel(option);
  return learn ? deserializeModel(serializeModel(model)) : model;
}

async function readMessage(entry: IndexEntry): Promise<Buffer | string> {
  try {
    return await readFile(entry.path);
  } catch (err) {
    return (err as Error).message;
  }
}
