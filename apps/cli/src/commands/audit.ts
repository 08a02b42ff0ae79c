import { CliError, intOption, parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { auditPageSchema, auditVerificationSchema, type AuditEntry, type AuditVerification } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

const FILTERS = ['actor', 'action', 'from', 'to', 'cursor'] as const;

export const auditCommand: Command = {
  name: 'audit',
  usage: `moat audit [--json] [--actor NAME] [--action ACTION] [--from T] [--to T] [--limit N] [--cursor C]
moat audit verify [--json]

audit   administrator actions, newest first: logins, logouts, failed logins, message views, releases,
        deletions, reports, exports, policy and list changes, node enrolments. --action takes an action
        (mail.release) or its family (mail); T is ISO-8601 or epoch milliseconds. When more entries match
        than --limit (default 100), the last line gives the --cursor of the next page.
verify  checks the hash chain of the whole log (each entry carries the hash of the one before) and exits
        with 1 naming the first entry that was changed or removed.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      actor: { type: 'string' },
      action: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
    });
    const [sub, ...extra] = positionals;
    if (extra.length > 0 || (sub !== undefined && sub !== 'verify')) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
    const csm = await connectCsm(values, io);

    if (sub === 'verify') {
      const { data, raw } = await csm.get('/api/audit/verify', auditVerificationSchema);
      if (values.json) writeJson(io.out, raw);
      if (data.broken) throw new CliError(`audit chain broken at entry ${data.broken.seq}: ${data.broken.reason}`, [`entries ${data.firstSeq} to ${data.broken.seq - 1} are intact`]);
      if (!values.json) writeLine(io.out, renderVerification(data));
      return 0;
    }

    const query = new URLSearchParams();
    for (const key of FILTERS) if (values[key] !== undefined) query.set(key, values[key]);
    const limit = intOption('limit', values.limit, 1);
    if (limit !== undefined) query.set('limit', String(limit));
    const { data, raw } = await csm.get(`/api/audit${query.size ? `?${query}` : ''}`, auditPageSchema);
    if (values.json) writeJson(io.out, raw);
    else {
      writeLine(io.out, data.entries.length ? renderEntries(data.entries) : 'no audit entries match');
      if (data.nextCursor) writeLine(io.out, `more: --cursor ${data.nextCursor}`);
    }
    return 0;
  },
};

function renderEntries(entries: AuditEntry[]): string {
  return renderTable(
    ['SEQ', 'TIME', 'ACTOR', 'ACTION', 'OK', 'TARGET', 'DETAIL'],
    entries.map((e) => [String(e.seq), formatTimestamp(e.atMs), e.admin, e.action, e.ok ? 'yes' : 'no', e.target, e.detail]),
  );
}

function renderVerification(v: AuditVerification): string {
  if (v.checked === 0) return 'audit chain: no entries yet';
  return `audit chain intact: ${v.checked} entries checked (${v.firstSeq} to ${v.lastSeq}), chain head ${v.headSeq}`;
}
