import { EXPORT_FORMATS, formatEvent } from '@moat/bus';
import { setTimeout as sleep } from 'node:timers/promises';
import { intOption, parseCommandArgs, UsageError, writeLine, type Command } from '../command.js';
import { eventPageSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';

/** With --follow, the wait before asking again once a page came back short (caught up). */
export const FOLLOW_POLL_MS = 1000;

export const eventsCommand: Command = {
  name: 'events',
  usage: `moat events tail [--cursor C] [--format json|cef|leef] [--limit N] [--follow]

Prints exported events (messages, security findings, deliveries, audit entries, node up/down) in export order,
one per line as JSON (default), CEF or LEEF, from after cursor C (default: the oldest retained event). Then prints
"cursor C2" on stderr: run again with --cursor C2 to get the events after these, none skipped or repeated.
--limit N   events per page, 1-1000 (default 100); without --follow one page is printed.
--follow    keeps printing new events as they arrive (Ctrl-C to stop), with the cursor after each page.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      cursor: { type: 'string' },
      format: { type: 'string' },
      limit: { type: 'string' },
      follow: { type: 'boolean' },
    });
    const [sub, ...extra] = positionals;
    if (sub !== 'tail') throw new UsageError(sub === undefined ? 'events needs a subcommand: tail' : `unknown subcommand "${sub}": events tail`);
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const format = EXPORT_FORMATS.find((f) => f === (values.format ?? 'json'));
    if (!format) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${values.format ?? ''}"`);
    const limit = intOption('limit', values.limit, 1) ?? 100;
    const csm = await connectCsm(values, io);
    let cursor = values.cursor ?? '';
    for (;;) {
      const { data } = await csm.get(`/api/events?${new URLSearchParams({ cursor, limit: String(limit) })}`, eventPageSchema);
      for (const event of data.events) writeLine(io.out, formatEvent(event, format));
      if (!values.follow || data.cursor !== cursor) writeLine(io.err, `cursor ${data.cursor}`);
      cursor = data.cursor;
      if (!values.follow) return 0;
      if (data.events.length < limit) await sleep(FOLLOW_POLL_MS);
    }
  },
};
