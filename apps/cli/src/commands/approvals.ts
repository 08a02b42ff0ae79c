import { parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { approvalDecisionSchema, approvalsSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

export const approvalsCommand: Command = {
  name: 'approvals',
  usage: `moat approvals list [--json]                  outbound mail held for an approver (e.g. by a DLP rule)
moat approvals approve ID [--json]            release it: it is delivered to its recipients
moat approvals reject ID [--reason TEXT] [--json]
                                              refuse it: the sender gets a notice with the reason and
                                              the message is deleted

Every decision is audited (approvals.approve, approvals.reject). Needs the approver role or above.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { reason: { type: 'string' } });
    const [sub, id, ...extra] = positionals;
    if (extra.length > 0 || (sub === 'list' && id !== undefined)) throw new UsageError(`unexpected arguments: ${[id, ...extra].filter(Boolean).join(' ')}`);
    if (values.reason !== undefined && sub !== 'reject') throw new UsageError('--reason is for approvals reject');
    const csm = await connectCsm(values, io);
    if (sub === 'list') {
      const { data, raw } = await csm.get('/api/approvals', approvalsSchema);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, renderTable(['ID', 'RECEIVED', 'FROM', 'TO', 'SUBJECT', 'REASONS'], data.messages.map((m) => [m.id, formatTimestamp(m.receivedAtMs), m.mailFrom, m.rcptTo.join(', '), m.subject, m.reasons.join('; ')])));
      return 0;
    }
    if (sub !== 'approve' && sub !== 'reject') throw new UsageError(`expected list, approve or reject, got "${sub ?? ''}"`);
    if (!id) throw new UsageError(`approvals ${sub} needs a message ID`);
    const { data, raw } = await csm.post(`/api/approvals/${encodeURIComponent(id)}/${sub}`, approvalDecisionSchema, sub === 'reject' ? { reason: values.reason ?? '' } : undefined);
    if (values.json) writeJson(io.out, raw);
    else writeLine(io.out, `${data.decision} ${data.id} through ${data.nodeId}: ${data.detail}`);
    return 0;
  },
};
