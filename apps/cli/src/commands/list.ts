import { isListKind, LIST_KINDS, parsePolicy, type ListKind, type Policy } from '@moat/policy';
import { CliError, parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { listEditResultSchema, policyResultSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';

const KINDS = Object.keys(LIST_KINDS).join(', ');

export const listCommand: Command = {
  name: 'list',
  usage: `moat list add KIND VALUE [--domain D] [--json]
moat list remove KIND VALUE [--domain D] [--json]
moat list show KIND [--domain D] [--json]

KIND is one of ${KINDS}. VALUE is an IP or CIDR block for ip-*, an address, a domain, or .domain (the domain
and its subdomains) for sender-*. Without --domain the global list is changed; with it, that domain's list.
add and remove go through the CSM, which validates the value and publishes a new policy version to every node.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { domain: { type: 'string' } });
    const [op, kind, value, ...extra] = positionals;
    if (op !== 'add' && op !== 'remove' && op !== 'show') throw new UsageError(`expected add, remove or show, got "${op ?? ''}"`);
    if (!kind || !isListKind(kind)) throw new UsageError(`KIND must be one of ${KINDS}, got "${kind ?? ''}"`);
    const csm = await connectCsm(values, io);

    if (op === 'show') {
      if (value !== undefined) throw new UsageError('list show takes no VALUE');
      const { data } = await csm.get('/api/policy', policyResultSchema);
      const entries = listOf(parsePolicy(data.policy), kind, values.domain);
      if (values.json) writeJson(io.out, { version: data.version, kind, domain: values.domain ?? null, values: entries });
      else for (const entry of entries) writeLine(io.out, entry);
      return 0;
    }

    if (!value || extra.length > 0) throw new UsageError(`list ${op} takes exactly one KIND and one VALUE`);
    const body = { op, kind, value, ...(values.domain ? { domain: values.domain } : {}) };
    const { data, raw } = await csm.post('/api/lists', listEditResultSchema, body);
    if (values.json) writeJson(io.out, raw);
    else writeLine(io.out, `policy version ${data.version}: ${kind}${values.domain ? ` (${values.domain})` : ''} = ${data.values.join(', ') || '(empty)'}`);
    return 0;
  },
};

function listOf(policy: Policy, kind: ListKind, domain: string | undefined): string[] {
  const lists = domain ? policy.domains.find((d) => d.name === domain.toLowerCase())?.lists : policy.lists;
  if (!lists) throw new CliError(`the policy has no domain ${domain}`, [`domains: ${policy.domains.map((d) => d.name).join(', ') || '(none)'}`]);
  return lists[LIST_KINDS[kind]];
}
