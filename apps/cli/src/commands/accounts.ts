import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, parseCommandArgs, readSecretLine, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { accountBlockSchema, accountBlocksSchema, accountPasswordSchema, accountsImportSchema, accountsViewSchema, type AccountBlockView } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

function blockRow(a: AccountBlockView): string[] {
  const until = a.state === 'hold' ? 'until cleared' : a.untilMs > 0 ? formatTimestamp(a.untilMs) : '-';
  return [a.address, a.active ? a.state : `${a.state} (ended)`, a.sign, formatTimestamp(a.sinceMs), a.active ? until : '-', String(a.trips), a.detail];
}

export const accountsCommand: Command = {
  name: 'accounts',
  usage: `moat accounts import FILE [--replace] [--json]   add the addresses of a CSV file to the tenant's accounts
moat accounts list [--json]                       the accounts of each domain and the senders
moat accounts passwd ADDRESS --password-stdin [--no-send] [--json]
                                                  set the SMTP AUTH password of ADDRESS (read from stdin)
moat accounts blocked [--json]                    accounts a compromised-account sign throttled or held
moat accounts unblock ADDRESS [--json]            end ADDRESS's throttle or hold at once on every node

FILE has one address per line in its first column (alice@example.com,Alice Example); a header line
(address/email), blank lines and # comments are skipped. Every address must be at one of the tenant's
domains. The CSM checks the whole file first: if any line is bad, it lists every bad line and imports
nothing. --replace makes the file the complete list of accounts of each domain it names.
Once a domain lists accounts, mail to any other address of it is refused at RCPT (550 5.1.1).
The import is a new policy version; every node applies it.

passwd reads the password from standard input (its first line), never from the command line, so it is
not seen in the process list or the shell history. The CSM refuses weak passwords (under 12 characters,
a common password, or built from the address), stores only a scrypt hash in the policy (a new, audited
version) and lists the address as a sender (may submit mail on the submission ports) unless --no-send.

Nodes throttle (451 4.7.1 for outbound.compromise.throttleMinutes) or hold (for approval, until unblocked) an
account whose sending trips a sign of outbound.compromise: sudden volume, many new recipient domains, or
several messages scoring as spam within an hour. unblock also starts the account's sign counters afresh.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { replace: { type: 'boolean' }, 'password-stdin': { type: 'boolean' }, 'no-send': { type: 'boolean' } });
    const [sub, file, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);

    if (sub === 'list') {
      const { data, raw } = await (await connectCsm(values, io)).get('/api/accounts', accountsViewSchema);
      if (values.json) writeJson(io.out, raw);
      else {
        writeLine(io.out, renderTable(['DOMAIN', 'ACCOUNTS'], data.domains.map((d) => [d.name, d.accounts.length === 0 ? '(any address)' : d.accounts.join(' ')])));
        if (data.senders.length > 0) {
          writeLine(io.out);
          writeLine(io.out, renderTable(['SENDER', 'MAY SEND', 'PASSWORD', 'ALIASES'], data.senders.map((s) => [s.address, s.canSend ? 'yes' : 'no', s.hasPassword ? 'set' : 'none', s.aliases.join(' ')])));
        }
      }
      return 0;
    }

    if (sub === 'import') {
      if (!file) throw new UsageError('accounts import needs a FILE');
      const path = resolve(io.cwd, file);
      let csv: string;
      try {
        csv = await readFile(path, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
      }
      const { data, raw } = await (await connectCsm(values, io)).post('/api/accounts/import', accountsImportSchema, { csv, replace: values.replace ?? false });
      if (values.json) writeJson(io.out, raw);
      else for (const d of data.domains) writeLine(io.out, `${d.name}: ${d.accounts} accounts (${d.added} new), policy version ${data.version}`);
      return 0;
    }

    if (sub === 'passwd') {
      if (!file) throw new UsageError('accounts passwd needs an ADDRESS');
      if (!values['password-stdin']) throw new UsageError('accounts passwd reads the password from standard input: add --password-stdin');
      const password = await readSecretLine(io);
      const body = { password, ...(values['no-send'] ? { canSend: false } : {}) };
      const { data, raw } = await (await connectCsm(values, io)).post(`/api/accounts/${encodeURIComponent(file)}/password`, accountPasswordSchema, body);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, `password set for ${data.address} (${data.canSend ? 'may send' : 'may not send'}), policy version ${data.version}`);
      return 0;
    }

    if (sub === 'blocked') {
      if (file !== undefined) throw new UsageError(`unexpected arguments: ${file}`);
      const { data, raw } = await (await connectCsm(values, io)).get('/api/account-blocks', accountBlocksSchema);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, renderTable(['ACCOUNT', 'STATE', 'SIGN', 'SINCE', 'UNTIL', 'TRIPS', 'FINDING'], data.accounts.map(blockRow)));
      return 0;
    }

    if (sub === 'unblock') {
      if (!file) throw new UsageError('accounts unblock needs an ADDRESS');
      const { data, raw } = await (await connectCsm(values, io)).delete(`/api/account-blocks/${encodeURIComponent(file)}`, accountBlockSchema);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, `${data.address} unblocked on every node (was ${data.sign}: ${data.detail})`);
      return 0;
    }

    throw new UsageError(`expected import, list, passwd, blocked or unblock, got "${sub ?? ''}"`);
  },
};
