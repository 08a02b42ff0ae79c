import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, intOption, parseCommandArgs, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { bulkResultSchema, mailDetailSchema, mailSearchSchema, releaseResultSchema, reportResultSchema, type MailDetail, type MailRow } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

/** Search options and the field each tests (docs/architecture.md, POST /api/mail/search). */
const SEARCH_FIELDS = {
  sender: 'sender',
  rcpt: 'rcpt',
  subject: 'subject',
  verdict: 'verdict',
  ip: 'clientIp',
  direction: 'direction',
  attachment: 'attachment',
  symbol: 'symbol',
  node: 'node',
} as const;
const repeatable = { type: 'string', multiple: true } as const;

export const mailCommand: Command = {
  name: 'mail',
  usage: `moat mail search [--json] [--or] [--sender S] [--rcpt R] [--subject TEXT] [--verdict ACTION] [--ip IP]
                 [--direction D] [--attachment NAME] [--symbol SYMBOL] [--node NODE]
                 [--from T] [--to T] [--limit N] [--cursor C | --all]
moat mail export FILE [--or] [search filters] [--from T] [--to T]
moat mail delete ID [ID...] [--json]
moat mail show ID [--json]
moat mail body ID > FILE.eml
moat mail release ID [--json]
moat mail report ID spam|ham [--json]
moat mail learn FILE spam|ham [--json]

search  filters combine with AND, or with OR after --or; each may be given more than once
        (--or --sender alice@ --sender bob@). --verdict is an action (deliver, tag, quarantine, reject,
        tempfail, hold, discard); --ip an address or its start; --node a node name; T is ISO-8601 or epoch
        milliseconds. One page of --limit rows (default 100), newest first; when more match, the last line
        gives the --cursor of the next page; --all follows every page.
export  every message the search matches (all pages) to FILE: XLSX when FILE ends in .xlsx, else CSV. The
        filters are search's, each once (the CSM's GET /api/mail parameters); --or matches any of them.
delete  removes quarantined or held messages from the quarantine (they can no longer be released).
show    one message with the symbols that explain its verdict and its attachments.
body    the message as received (.eml) on standard output, when its body is kept (quarantined or held mail,
        and delivered mail under the policy's retention "all" until its days are over); audited.
release delivers a quarantined message to its recipients and marks it released.
report  "report spam" / "not spam" for a quarantined or held message (only their bodies are kept): a node
        learns it into a new classifier model, which becomes current in a new policy version; spam also
        puts its fuzzy checksums on the fleet-wide deny list (FUZZY_DENIED on every node).
learn   the same for a message file (.eml, at most 3 MB), e.g. delivered mail a user forwarded as spam.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      sender: repeatable,
      rcpt: repeatable,
      subject: repeatable,
      verdict: repeatable,
      ip: repeatable,
      direction: repeatable,
      attachment: repeatable,
      symbol: repeatable,
      node: repeatable,
      or: { type: 'boolean' },
      all: { type: 'boolean' },
      cursor: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
    });
    const [sub, id, ...extra] = positionals;
    const kind = sub === 'report' || sub === 'learn' ? extra.shift() : undefined;
    const moreIds = sub === 'delete' ? extra.splice(0) : [];
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const csm = await connectCsm(values, io);

    if (sub === 'report' || sub === 'learn') {
      if (!id) throw new UsageError(`mail ${sub} needs ${sub === 'report' ? 'a message ID' : 'a message FILE'}`);
      if (kind !== 'spam' && kind !== 'ham') throw new UsageError(`mail ${sub} ${id} needs spam or ham, got "${kind ?? ''}"`);
      const { data, raw } =
        sub === 'report'
          ? await csm.post(`/api/mail/${encodeURIComponent(id)}/report`, reportResultSchema, { kind })
          : await csm.post('/api/classifier/learn', reportResultSchema, { kind, message: (await readMessageFile(resolve(io.cwd, id))).toString('base64') });
      if (values.json) writeJson(io.out, raw);
      if (!data.ok) throw new CliError(`${sub} of ${id} failed: ${data.detail}`);
      if (!values.json) writeLine(io.out, `${id} reported as ${kind} through ${data.nodeId}: ${data.detail}; policy version ${data.policyVersion}`);
      return 0;
    }

    if (sub === 'search') {
      if (id !== undefined) throw new UsageError('mail search takes options only, e.g. --sender alice@example.test');
      if (values.all && values.cursor) throw new UsageError('--all starts at the first page; leave out --cursor');
      const leaves = Object.entries(SEARCH_FIELDS).flatMap(([option, field]) => (values[option as keyof typeof SEARCH_FIELDS] ?? []).map((value) => ({ field, value })));
      const request = {
        where: leaves.length ? (values.or ? { or: leaves } : { and: leaves }) : undefined,
        from: values.from,
        to: values.to,
        limit: intOption('limit', values.limit, 1),
        cursor: values.cursor,
      };
      const first = await csm.post('/api/mail/search', mailSearchSchema, request);
      const messages = [...first.data.messages];
      let next = first.data.nextCursor;
      while (values.all && next) {
        const page = await csm.post('/api/mail/search', mailSearchSchema, { ...request, cursor: next });
        messages.push(...page.data.messages);
        next = page.data.nextCursor;
      }
      if (values.json) writeJson(io.out, values.all ? { messages, nextCursor: null } : first.raw);
      else {
        writeLine(io.out, messages.length ? renderMailRows(messages) : 'no messages match');
        if (next) writeLine(io.out, `more: --cursor ${next}`);
      }
      return 0;
    }

    if (sub === 'delete') {
      if (!id) throw new UsageError('mail delete needs one or more message IDs');
      const { data, raw } = await csm.post('/api/mail/actions', bulkResultSchema, { action: 'delete', ids: [id, ...moreIds] });
      if (values.json) writeJson(io.out, raw);
      else for (const r of data.results) writeLine(io.out, `${r.id}  ${r.ok ? 'deleted' : `not deleted: ${r.detail}`}`);
      if (data.failed) throw new CliError(`${data.failed} of ${data.results.length} messages not deleted`);
      return 0;
    }

    if (sub === 'export') {
      if (!id) throw new UsageError('mail export needs an output FILE (.csv or .xlsx)');
      const format = id.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv';
      const query = new URLSearchParams({ format });
      for (const option of Object.keys(SEARCH_FIELDS) as (keyof typeof SEARCH_FIELDS)[]) for (const value of values[option] ?? []) query.append(option, value);
      if (values.or) query.set('match', 'any');
      if (values.from) query.set('from', values.from);
      if (values.to) query.set('to', values.to);
      const bytes = await csm.download(`/api/mail/export?${query}`);
      const path = resolve(io.cwd, id);
      await writeFile(path, bytes);
      writeLine(io.out, `wrote ${path} (${bytes.length} bytes, ${format})`);
      return 0;
    }

    if (sub === 'body') {
      if (!id) throw new UsageError('mail body needs a message ID (see moat mail search)');
      io.out.write(await csm.download(`/api/mail/${encodeURIComponent(id)}/body`));
      return 0;
    }

    if (sub === 'show' || sub === 'release') {
      if (!id) throw new UsageError(`mail ${sub} needs a message ID (see moat mail search)`);
      const path = `/api/mail/${encodeURIComponent(id)}`;
      if (sub === 'show') {
        const { data, raw } = await csm.get(path, mailDetailSchema);
        if (values.json) writeJson(io.out, raw);
        else writeLine(io.out, renderMailDetail(data));
        return 0;
      }
      const { data, raw } = await csm.post(`${path}/release`, releaseResultSchema);
      if (values.json) writeJson(io.out, raw);
      if (!data.ok) throw new CliError(`release of ${id} failed: ${data.detail}`);
      if (!values.json) writeLine(io.out, `released ${id} through ${data.nodeId}: ${data.detail}`);
      return 0;
    }

    throw new UsageError(`expected search, export, show, body, release, delete, report or learn, got "${sub ?? ''}"`);
  },
};

function renderMailRows(rows: MailRow[]): string {
  return renderTable(
    ['RECEIVED', 'ID', 'NODE', 'DIR', 'ACTION', 'SCORE', 'DELIVERY', 'FROM', 'TO', 'SUBJECT'],
    rows.map((m) => [
      formatTimestamp(m.receivedAtMs),
      m.id,
      m.nodeName ?? m.nodeId,
      m.direction,
      m.action,
      String(m.score),
      m.released ? `${m.deliveryStatus} (released)` : m.deliveryStatus,
      m.mailFrom || '<>',
      m.rcptTo.join(','),
      m.subject,
    ]),
  );
}

function renderMailDetail(m: MailDetail): string {
  const lines = [
    `id        ${m.id}`,
    `received  ${formatTimestamp(m.receivedAtMs)} on ${m.nodeId} from ${m.clientIp} (${m.direction})`,
    `from      ${m.mailFrom || '<>'}`,
    `to        ${m.rcptTo.join(', ')}`,
    `subject   ${m.subject}`,
    `tls       ${m.tls ? [m.tlsVersion, m.tlsCipher, m.tlsServerName ? `SNI ${m.tlsServerName}` : ''].filter(Boolean).join(', ') || 'yes' : 'no'}`,
    `verdict   ${m.action} (score ${m.score})${m.released ? ', released' : ''}; delivery ${m.deliveryStatus}`,
  ];
  if (m.symbols.length) lines.push('', renderTable(['SYMBOL', 'SCORE', 'DETAIL'], m.symbols.map((s) => [s.name, String(s.score), s.detail])));
  if (m.attachments.length) lines.push('', `attachments: ${m.attachments.map((a) => a.name).join(', ')}`);
  return lines.join('\n');
}

async function readMessageFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
}
