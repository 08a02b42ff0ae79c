import { isIP } from 'node:net';
import { parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { authBlockSchema, authBlocksSchema, type AuthBlockView } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `--for`: a number and a unit (s, m, h, d, w), e.g. 90m or 7d; `permanent` (or no --for) blocks for good. */
export function parseBlockPeriod(text: string | undefined): number | undefined {
  if (text === undefined || text === 'permanent') return undefined;
  const match = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? 0) : 0;
  if (seconds < 1) throw new UsageError(`--for must be a number and a unit (s, m, h, d, w) such as 90m or 7d, or "permanent"; got "${text}"`);
  return seconds;
}

function row(b: AuthBlockView): string[] {
  const expiry = b.expiresAtMs === 0 ? 'permanent' : `${formatTimestamp(b.expiresAtMs)}${b.active ? '' : ' (ended)'}`;
  return [b.ip, formatTimestamp(b.firstSeenMs), formatTimestamp(b.lastSeenMs), expiry, String(b.failures), String(b.blocks), b.source, b.rule, b.country || '-'];
}

export const authBlocksCommand: Command = {
  name: 'auth-blocks',
  usage: `moat auth-blocks list [--json]                      addresses blocked from SMTP AUTH on every node (active first,
                                                     then those ended in the last 30 days)
moat auth-blocks add IP [--for DURATION] [--reason TEXT] [--json]
                                                     block IP at once on every node, for DURATION (90m, 12h, 7d,
                                                     2w) or permanent (the default)
moat auth-blocks remove IP [--json]                  unblock IP at once on every node; its failures so far are forgotten

Nodes block an address themselves when its failed AUTH reach the policy's outbound.authFailures.perIp within
windowSeconds (for blockSeconds). Failures per account never block the account.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { for: { type: 'string' }, reason: { type: 'string' } });
    const [sub, ip, ...extra] = positionals;
    if (extra.length > 0 || (sub === 'list' && ip !== undefined)) throw new UsageError(`unexpected arguments: ${[ip, ...extra].filter(Boolean).join(' ')}`);
    if (sub !== 'add' && (values.for !== undefined || values.reason !== undefined)) throw new UsageError('--for and --reason go with add');
    if (sub === 'list') {
      const { data, raw } = await (await connectCsm(values, io)).get('/api/auth-blocks', authBlocksSchema);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, renderTable(['IP', 'FIRST SEEN', 'LAST SEEN', 'EXPIRES', 'FAILURES', 'BLOCKS', 'SOURCE', 'RULE', 'COUNTRY'], data.blocks.map(row)));
      return 0;
    }
    if (sub !== 'add' && sub !== 'remove') throw new UsageError(`expected list, add or remove, got "${sub ?? ''}"`);
    if (!ip || isIP(ip) === 0) throw new UsageError(`auth-blocks ${sub} needs an IPv4 or IPv6 address${ip ? `, got "${ip}"` : ''}`);
    const csm = await connectCsm(values, io);
    const { data, raw } =
      sub === 'add'
        ? await csm.post('/api/auth-blocks', authBlockSchema, { ip, forSeconds: parseBlockPeriod(values.for), reason: values.reason })
        : await csm.delete(`/api/auth-blocks/${encodeURIComponent(ip)}`, authBlockSchema);
    if (values.json) writeJson(io.out, raw);
    else if (sub === 'add') writeLine(io.out, `${data.ip} blocked on every node ${data.expiresAtMs === 0 ? 'permanently' : `until ${formatTimestamp(data.expiresAtMs)}`}`);
    else writeLine(io.out, `${data.ip} unblocked on every node`);
    return 0;
  },
};
