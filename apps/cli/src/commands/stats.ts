import { parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { breakdownSchema, statsSchema, type Breakdown, type Stats } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';

export const statsCommand: Command = {
  name: 'stats',
  usage: `moat stats [--json] [--from T] [--to T] [--by domain|user|reason|symbol|direction [--direction inbound|outbound]]

Counts messages by direction and action over a time range (default: the CSM's default range).
--by breaks the counts down per recipient domain or address (the sender's for outbound mail), per block
reason (the highest-scoring symbol of mail not delivered as is), per symbol that fired or per direction,
most frequent first. T is ISO-8601 (2025-01-31, 2025-01-31T14:00:00Z) or milliseconds since the epoch.`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { from: { type: 'string' }, to: { type: 'string' }, by: { type: 'string' }, direction: { type: 'string' } });
    const query = new URLSearchParams();
    if (values.from) query.set('from', values.from);
    if (values.to) query.set('to', values.to);
    if (values.direction && !values.by) throw new UsageError('--direction goes with --by');
    const qs = () => (query.size ? `?${query}` : '');
    if (values.by) {
      query.set('by', values.by);
      if (values.direction) query.set('direction', values.direction);
      const { data, raw } = await (await connectCsm(values, io)).get(`/api/stats${qs()}`, breakdownSchema);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, renderBreakdown(data));
      return 0;
    }
    const { data, raw } = await (await connectCsm(values, io)).get(`/api/stats${qs()}`, statsSchema);
    if (values.json) writeJson(io.out, raw);
    else writeLine(io.out, renderStats(data));
    return 0;
  },
};

export function renderStats(stats: Stats): string {
  const rows = stats.byDirectionAction.map((r) => [r.direction, r.action, String(r.count)]);
  return [`total ${stats.total}`, ...(rows.length ? ['', renderTable(['DIRECTION', 'ACTION', 'COUNT'], rows)] : [])].join('\n');
}

function renderBreakdown(b: Breakdown): string {
  const rows = b.rows.map((r) => [r.key, r.action, String(r.count)]);
  const head = `total ${b.total} by ${b.by}${b.direction ? ` (${b.direction})` : ''}${b.truncated ? '; the rarest keys are left out' : ''}`;
  return [head, ...(rows.length ? ['', renderTable([b.by.toUpperCase(), 'ACTION', 'COUNT'], rows)] : [])].join('\n');
}
