import { parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { holdReleaseSchema, holdsSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

export const holdsCommand: Command = {
  name: 'holds',
  usage: `moat holds list [--json]          mail held by delivery hold windows, per domain across all nodes:
                                   messages, size, oldest, when the open window ends, the next window
moat holds release DOMAIN [--json] end DOMAIN's open window on every node and deliver its held mail now

A domain's hold windows are in the policy (domains[].holds: once, daily, weekly or monthly, in a time
zone). Inside a window the nodes accept, scan and spool the domain's mail but do not deliver it; when the
window ends, or on release, each node delivers it in order of receipt.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {});
    const [sub, domain, ...extra] = positionals;
    if (extra.length > 0 || (sub === 'list' && domain !== undefined)) throw new UsageError(`unexpected arguments: ${[domain, ...extra].filter(Boolean).join(' ')}`);
    if (sub === 'list') {
      const { data, raw } = await (await connectCsm(values, io)).get('/api/holds', holdsSchema);
      if (values.json) writeJson(io.out, raw);
      else {
        const when = (ms: number) => (ms > 0 ? formatTimestamp(ms) : '-');
        const nodes = (d: (typeof data.domains)[number]) => d.nodes.map((n) => `${n.nodeName}:${n.messages}${n.up ? '' : ' (down)'}`).join(' ') || '-';
        writeLine(io.out, renderTable(['DOMAIN', 'HELD', 'BYTES', 'OLDEST', 'RELEASE AT', 'NEXT WINDOW', 'NODES'], data.domains.map((d) => [d.domain, String(d.messages), String(d.bytes), when(d.oldestReceivedAtMs), when(d.releaseAtMs), when(d.nextHoldAtMs), nodes(d)])));
      }
      return 0;
    }
    if (sub !== 'release') throw new UsageError(`expected list or release, got "${sub ?? ''}"`);
    if (!domain) throw new UsageError('holds release needs a DOMAIN');
    const { data, raw } = await (await connectCsm(values, io)).post(`/api/holds/${encodeURIComponent(domain)}/release`, holdReleaseSchema);
    if (values.json) writeJson(io.out, raw);
    else for (const node of data.nodes) writeLine(io.out, `${node.nodeId}: ${node.ok ? node.detail : `failed: ${node.detail}`}`);
    return data.nodes.every((n) => n.ok) ? 0 : 1;
  },
};
