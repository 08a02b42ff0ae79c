import { parseCommandArgs, writeJson, writeLine, type Command } from '../command.js';
import { statsSchema, type Stats } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';

export const statsCommand: Command = {
  name: 'stats',
  usage: `moat stats [--json] [--from T] [--to T]

Counts messages by direction and action over a time range (default: the CSM's default range).
T is ISO-8601 (2025-01-31, 2025-01-31T14:00:00Z) or milliseconds since the epoch.`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { from: { type: 'string' }, to: { type: 'string' } });
    const query = new URLSearchParams();
    if (values.from) query.set('from', values.from);
    if (values.to) query.set('to', values.to);
    const qs = query.size ? `?${query}` : '';
    const { data, raw } = await (await connectCsm(values, io)).get(`/api/stats${qs}`, statsSchema);
    if (values.json) writeJson(io.out, raw);
    else writeLine(io.out, renderStats(data));
    return 0;
  },
};

export function renderStats(stats: Stats): string {
  const rows = stats.byDirectionAction.map((r) => [r.direction, r.action, String(r.count)]);
  return [`total ${stats.total}`, ...(rows.length ? ['', renderTable(['DIRECTION', 'ACTION', 'COUNT'], rows)] : [])].join('\n');
}
