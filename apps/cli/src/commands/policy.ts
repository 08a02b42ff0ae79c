import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defaultPolicy, parsePolicy, PolicyValidationError, restoreSecrets } from '@moat/policy';
import { CliError, parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { policyDiffSchema, policyResultSchema, policyVersionsSchema, type PolicyDiff } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

export const policyCommand: Command = {
  name: 'policy',
  usage: `moat policy get                       print the current policy document (JSON) to stdout
moat policy set FILE [--comment TEXT] [--confirm]
                                      validate FILE, then make it the new policy version
moat policy versions [--json]         list the policy versions with author and comment
moat policy diff [FROM] [TO] [--json] what changed between two versions (default: the current one and the one before)
moat policy rollback VERSION [--comment TEXT] [--confirm]
                                      make VERSION's document current again, as a new version

set checks FILE locally with the same schema as the CSM and nodes, and lists every problem with its path
(e.g. "domains.0.downstream.port: ...") and a non-zero exit code when the file is invalid. A change that
stops mail (no domains left, a domain removed, a reject threshold not above the tag threshold or at most 0,
every address blocked) is refused with the reasons unless --confirm is given; so is such a rollback.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { comment: { type: 'string' }, confirm: { type: 'boolean' } });
    const [sub, file, ...extra] = positionals;
    const toVersion = sub === 'diff' ? extra.shift() : undefined;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);

    if (sub === 'get') {
      const { data } = await (await connectCsm(values, io)).get('/api/policy', policyResultSchema);
      writeJson(io.out, data.policy);
      return 0;
    }

    if (sub === 'versions') {
      const { data, raw } = await (await connectCsm(values, io)).get('/api/policy/versions', policyVersionsSchema);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, renderTable(['VERSION', 'CREATED', 'AUTHOR', 'COMMENT'], data.map((v) => [String(v.version), formatTimestamp(v.createdAtMs), v.author, v.comment ?? ''])));
      return 0;
    }

    if (sub === 'diff') {
      const query = new URLSearchParams();
      if (file !== undefined) query.set('from', String(versionArg(file)));
      if (toVersion !== undefined) query.set('to', String(versionArg(toVersion)));
      const { data, raw } = await (await connectCsm(values, io)).get(`/api/policy/diff${query.size ? `?${query}` : ''}`, policyDiffSchema);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, renderDiff(data));
      return 0;
    }

    if (sub === 'rollback') {
      if (!file) throw new UsageError('policy rollback needs a VERSION (see moat policy versions)');
      const body = { version: versionArg(file), comment: values.comment, confirm: values.confirm === true };
      const { data } = await (await connectCsm(values, io)).post('/api/policy/rollback', policyResultSchema, body);
      if (values.json) writeJson(io.out, { version: data.version });
      else writeLine(io.out, `policy version ${data.version} (the document of version ${body.version})`);
      return 0;
    }

    if (sub === 'set') {
      if (!file) throw new UsageError('policy set needs a FILE');
      const document = await readPolicyFile(resolve(io.cwd, file));
      const body = { policy: document, comment: values.comment ?? `moat policy set ${file}`, confirm: values.confirm === true };
      const { data } = await (await connectCsm(values, io)).put('/api/policy', policyResultSchema, body);
      if (values.json) writeJson(io.out, { version: data.version });
      else writeLine(io.out, `policy version ${data.version}`);
      return 0;
    }

    throw new UsageError(`expected get, set, versions, diff or rollback, got "${sub ?? ''}"`);
  },
};

/**
 * Reads and validates a policy file, so that the administrator sees every problem before anything is sent. A
 * password hash shown as KEPT_SECRET (as `policy get` prints it) stays as it is: the CSM keeps the stored hash.
 */
async function readPolicyFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path} is not a valid policy`, [`not valid JSON: ${(err as Error).message}`]);
  }
  try {
    parsePolicy(restoreSecrets(document, defaultPolicy()));
  } catch (err) {
    if (err instanceof PolicyValidationError) throw new CliError(`${path} is not a valid policy`, err.problems);
    throw err;
  }
  return document;
}

function versionArg(text: string): number {
  const version = Number(text);
  if (!Number.isSafeInteger(version) || version < 1) throw new UsageError(`a policy version is a number from 1, got "${text}"`);
  return version;
}

function renderDiff(diff: PolicyDiff): string {
  const lines = diff.changes.map((c) => {
    if (c.op === 'add') return `+ ${c.path}: ${JSON.stringify(c.to)}`;
    if (c.op === 'remove') return `- ${c.path}: ${JSON.stringify(c.from)}`;
    return `~ ${c.path}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`;
  });
  return [`policy version ${diff.from} -> ${diff.to}`, ...(lines.length ? lines : ['no changes'])].join('\n');
}
