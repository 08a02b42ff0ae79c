import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parsePolicy, PolicyValidationError } from '@moat/policy';
import { CliError, parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { policyResultSchema, policyVersionsSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

export const policyCommand: Command = {
  name: 'policy',
  usage: `moat policy get                       print the current policy document (JSON) to stdout
moat policy set FILE [--comment TEXT]  validate FILE, then make it the new policy version
moat policy versions [--json]         list the policy versions with author and comment

set checks FILE locally with the same schema as the CSM and nodes, and lists every problem with its path
(e.g. "domains.0.downstream.port: ...") and a non-zero exit code when the file is invalid.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { comment: { type: 'string' } });
    const [sub, file, ...extra] = positionals;
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

    if (sub === 'set') {
      if (!file) throw new UsageError('policy set needs a FILE');
      const document = await readPolicyFile(resolve(io.cwd, file));
      const body = { policy: document, comment: values.comment ?? `moat policy set ${file}` };
      const { data } = await (await connectCsm(values, io)).put('/api/policy', policyResultSchema, body);
      if (values.json) writeJson(io.out, { version: data.version });
      else writeLine(io.out, `policy version ${data.version}`);
      return 0;
    }

    throw new UsageError(`expected get, set or versions, got "${sub ?? ''}"`);
  },
};

/** Reads and validates a policy file, so that the administrator sees every problem before anything is sent. */
async function readPolicyFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    parsePolicy(text);
  } catch (err) {
    if (err instanceof PolicyValidationError) throw new CliError(`${path} is not a valid policy`, err.problems);
    throw err;
  }
  return JSON.parse(text);
}
