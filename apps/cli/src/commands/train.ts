import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  deserializeModel,
  learnMessage,
  listMessageFiles,
  loadDefaultModel,
  ModelFormatError,
  saveModel,
  seededShuffle,
  serializeModel,
  train,
  TrainingInputError,
  type SpamModel,
} from '@moat/classifier';
import { CliError, parseCommandArgs, UsageError, writeJson, writeLine, type Command, type Io } from '../command.js';
import { modelChangeSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';

const BASES = ['default', 'current'] as const;
type Base = (typeof BASES)[number];

export const trainCommand: Command = {
  name: 'train',
  usage: `moat train --spam DIR --ham DIR [--base default|current] [--out FILE] [--comment TEXT] [--json]

Trains the statistical classifier on the deployment's own mail, in this process: every file under a --spam
DIR is one raw spam message, every file under a --ham DIR one legitimate message (both options repeat).

  (no --base)      a new model from these messages alone
  --base default   the model shipped with Moat, having learned these messages one by one
  --base current   the model the fleet uses now (downloaded from the CSM), having learned these messages
  --out FILE       write the model to FILE and stop (no upload); score with it: moat scan --model FILE
  --comment TEXT   comment of the policy version that makes the model current

Without --out the model is uploaded to the CSM, stored as a new model version and made current in a new
policy version (turn the classifier on with "classifier": {"enabled": true} in the policy); every node loads
it and reports it as engine version "classifier" (moat status --json).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      spam: { type: 'string', multiple: true },
      ham: { type: 'string', multiple: true },
      base: { type: 'string' },
      out: { type: 'string' },
      comment: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
    const spamDirs = (values.spam ?? []).map((dir) => resolve(io.cwd, dir));
    const hamDirs = (values.ham ?? []).map((dir) => resolve(io.cwd, dir));
    if (spamDirs.length === 0 || hamDirs.length === 0) throw new UsageError('train needs at least one --spam DIR and one --ham DIR');
    const base = values.base;
    if (base !== undefined && !(BASES as readonly string[]).includes(base)) throw new UsageError(`--base must be default or current, got "${base}"`);

    const started = performance.now();
    const { model, spam, ham } = await trained(spamDirs, hamDirs, base as Base | undefined, () => connectCsm(values, io)).catch((err: unknown) => {
      if (err instanceof TrainingInputError || err instanceof ModelFormatError) throw new CliError(err.message);
      throw err;
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const what = `${spam} spam and ${ham} ham messages${base ? ` learned into the ${base} model` : ''}`;

    if (values.out !== undefined) {
      const out = resolve(io.cwd, values.out);
      await saveModel(model, out).catch((err: unknown) => {
        throw new CliError(`cannot write ${out}: ${(err as Error).message}`);
      });
      report(io, values.json, { modelVersion: model.version, file: out, spam, ham }, `model ${model.version} written to ${out}: ${what} (${seconds} s)`);
      return 0;
    }
    const comment = values.comment ?? `moat train: ${what}`;
    const { data, raw } = await (await connectCsm(values, io)).post('/api/classifier/models', modelChangeSchema, { model: serializeModel(model).toString('base64'), comment });
    report(io, values.json, raw, `model ${data.modelVersion} (${what}, ${seconds} s) is current in policy version ${data.policyVersion}`);
    return 0;
  },
};

async function trained(spamDirs: string[], hamDirs: string[], base: Base | undefined, csm: () => Promise<{ download(path: string): Promise<Buffer> }>): Promise<{ model: SpamModel; spam: number; ham: number }> {
  if (base === undefined) {
    const model = await train({ spamDirs, hamDirs });
    return { model, spam: model.counts.spamMessages, ham: model.counts.hamMessages };
  }
  const start = base === 'default' ? serializeModel(loadDefaultModel()) : await (await csm()).download('/api/classifier/models/current');
  const model = deserializeModel(start);
  const files = [...(await filesOf(spamDirs)).map((file) => ({ file, spam: true })), ...(await filesOf(hamDirs)).map((file) => ({ file, spam: false }))];
  // Mixed, so that the model does not drift towards whichever class it learned last.
  for (const { file, spam } of seededShuffle(files, 1)) learnMessage(model, await readFile(file), spam);
  const spam = files.filter((f) => f.spam).length;
  return { model, spam, ham: files.length - spam };
}

async function filesOf(dirs: string[]): Promise<string[]> {
  const files = (await Promise.all(dirs.map(listMessageFiles))).flat();
  if (files.length === 0) throw new TrainingInputError(`no message files under ${dirs.join(', ')}`);
  return files;
}

function report(io: Io, json: boolean | undefined, value: unknown, text: string): void {
  if (json) writeJson(io.out, value);
  else writeLine(io.out, text);
}
