import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, parseCommandArgs, readSecretLine, UsageError, writeJson, writeLine, type Command, type Io } from '../command.js';
import { directoryReportSchema, directoryViewSchema, type DirectoryReport } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

/** The lists of a sync report as one table: what (account, group, role), which, the change. */
export function reportTable(report: DirectoryReport): string {
  const rows = [
    ...report.added.map((a) => ['account', a.address, `add${a.aliases.length ? ` (aliases ${a.aliases.join(', ')})` : ''}`]),
    ...report.changed.map((c) => ['account', c.address, c.changes.join('; ')]),
    ...report.removed.map((a) => ['account', a.address, 'remove']),
    ...report.groups.filter((g) => g.change !== 'same').map((g) => ['group', g.name, `${g.change} (${g.members.length} members)`]),
    ...report.roles.map((r) => ['administrator', r.username, r.change === 'revoke' ? 'revoke' : `${r.change} ${r.role ?? ''}`]),
  ];
  const head = `${report.dryRun ? 'dry run' : 'sync'} at ${formatTimestamp(report.atMs)} by ${report.author}${report.ok ? '' : ` FAILED: ${report.error ?? ''}`}${report.policyVersion ? `, policy version ${report.policyVersion}` : ''}`;
  const body = rows.length > 0 ? renderTable(['KIND', 'NAME', 'CHANGE'], rows) : 'no changes';
  const skipped = report.skipped.map((s) => `skipped: ${s}`);
  return [head, body, ...skipped].join('\n');
}

async function readSettings(io: Io, file: string, passwordFromStdin: boolean): Promise<Record<string, unknown>> {
  let settings: unknown;
  try {
    settings = JSON.parse(await readFile(resolve(io.cwd, file), 'utf8'));
  } catch (err) {
    throw new CliError(`${file}: not a readable JSON file (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new CliError(`${file}: the settings are a JSON object`);
  return passwordFromStdin ? { ...settings, bindPassword: await readSecretLine(io) } : (settings as Record<string, unknown>);
}

export const directoryCommand: Command = {
  name: 'directory',
  usage: `moat directory show [--json]                      the tenant's LDAP / Active Directory settings and last sync
moat directory set FILE [--bind-password-stdin] [--json]
                                                  replace the settings with the JSON object in FILE (url, bindDn,
                                                  baseDn, preset openldap|active-directory, groupRoles, ...);
                                                  the bind password from stdin (kept when not given)
moat directory sync [--dry-run] [--json]          sync accounts, aliases, groups and roles now; --dry-run only
                                                  lists what would change`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { 'dry-run': { type: 'boolean' }, 'bind-password-stdin': { type: 'boolean' } });
    const [sub, file, ...extra] = positionals;
    if (extra.length > 0 || (sub !== 'set' && file !== undefined)) throw new UsageError(`unexpected arguments: ${[file, ...extra].filter(Boolean).join(' ')}`);
    if (sub !== 'sync' && values['dry-run']) throw new UsageError('--dry-run goes with sync');
    if (sub !== 'set' && values['bind-password-stdin']) throw new UsageError('--bind-password-stdin goes with set');
    if (sub === 'show' || sub === 'set') {
      if (sub === 'set' && !file) throw new UsageError('directory set needs a FILE with the settings (JSON)');
      const csm = await connectCsm(values, io);
      const { data, raw } = sub === 'set' && file ? await csm.put('/api/directory', directoryViewSchema, await readSettings(io, file, values['bind-password-stdin'] === true)) : await csm.get('/api/directory', directoryViewSchema);
      if (values.json) writeJson(io.out, raw);
      else if (!data.settings) writeLine(io.out, 'no directory configured (moat directory set FILE)');
      else {
        const s = data.settings;
        writeLine(io.out, `${s.preset} ${s.url} base ${s.baseDn} as ${s.bindDn} (${s.hasBindPassword ? 'password stored' : 'no password'}), ${s.scheduleMinutes > 0 ? `sync every ${s.scheduleMinutes} minutes` : 'sync on demand'}`);
        if (data.lastSync) writeLine(io.out, `last ${reportTable(data.lastSync)}`);
      }
      return 0;
    }
    if (sub !== 'sync') throw new UsageError(`expected show, set or sync, got "${sub ?? ''}"`);
    const { data, raw } = await (await connectCsm(values, io)).post('/api/directory/sync', directoryReportSchema, { dryRun: values['dry-run'] === true });
    if (values.json) writeJson(io.out, raw);
    else writeLine(io.out, reportTable(data));
    return 0;
  },
};
