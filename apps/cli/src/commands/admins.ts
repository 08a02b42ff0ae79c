import { z } from 'zod';
import { parseCommandArgs, readSecretLine, UsageError, writeJson, writeLine, type Command, type Io } from '../command.js';
import { adminCreatedSchema, adminListSchema, adminSchema, generatedPasswordSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';

const ROLES = 'super-admin, tenant-admin, approver, auditor, end-user';

export const adminsCommand: Command = {
  name: 'admins',
  usage: `moat admins add NAME --role ROLE [--tenant T] [--password-stdin] [--json]   add an administrator
moat admins list [--json]                                                   the administrators
moat admins remove NAME                                                     remove one (its sessions end)
moat admins role NAME ROLE [--tenant T] [--json]                            change its role
moat admins password NAME [--password-stdin] [--json]                       reset its password

ROLE is one of ${ROLES}. Without --password-stdin the CSM generates a password, printed here once, which
the account must change at its first login; with it, the password is the first line of standard input (at
least 12 characters, not the name, not a common password). A reset password must be changed at the next
login too. The CLI acts as the administrator of its token (the local token: admin), which the audit log names.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { role: { type: 'string' }, tenant: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
    const [sub, name, third, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const tenant = values.tenant === undefined ? {} : { tenant: values.tenant };

    if (sub === 'list') {
      if (name !== undefined) throw new UsageError('admins list takes no NAME');
      const { data, raw } = await (await connectCsm(values, io)).get('/api/admins', adminListSchema);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, renderTable(['NAME', 'ROLE', 'TENANT', 'TOTP', 'PASSWORD'], data.admins.map((a) => [a.username, a.role, a.tenant, a.totpEnabled ? 'on' : 'off', a.mustChangePassword ? 'must change' : 'set'])));
      return 0;
    }
    if (!name) throw new UsageError(`admins ${sub ?? '...'} needs a NAME`);
    const path = `/api/admins/${encodeURIComponent(name)}`;

    if (sub === 'add') {
      if (!values.role) throw new UsageError(`admins add needs --role (${ROLES})`);
      if (third !== undefined) throw new UsageError(`unexpected argument: ${third}`);
      const password = values['password-stdin'] ? { password: await readSecretLine(io) } : {};
      const { data, raw } = await (await connectCsm(values, io)).post('/api/admins', adminCreatedSchema, { username: name, role: values.role, ...tenant, ...password });
      if (values.json) writeJson(io.out, raw);
      else {
        writeLine(io.out, `administrator ${data.admin.username} added: role ${data.admin.role}, tenant ${data.admin.tenant}`);
        printGenerated(io, data.password, 'its first');
      }
      return 0;
    }

    if (sub === 'remove') {
      if (third !== undefined) throw new UsageError(`unexpected argument: ${third}`);
      await (await connectCsm(values, io)).delete(path, z.unknown());
      if (values.json) writeJson(io.out, { removed: name });
      else writeLine(io.out, `administrator ${name} removed`);
      return 0;
    }

    if (sub === 'role') {
      if (!third) throw new UsageError(`admins role needs NAME and ROLE (${ROLES})`);
      const { data, raw } = await (await connectCsm(values, io)).put(path, adminSchema, { role: third, ...tenant });
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, `administrator ${data.username}: role ${data.role}, tenant ${data.tenant}`);
      return 0;
    }

    if (sub === 'password') {
      if (third !== undefined) throw new UsageError(`unexpected argument: ${third}`);
      const password = values['password-stdin'] ? { password: await readSecretLine(io) } : {};
      const { data, raw } = await (await connectCsm(values, io)).post(`${path}/password`, generatedPasswordSchema, password);
      if (values.json) writeJson(io.out, raw);
      else {
        writeLine(io.out, `administrator ${name}: password reset`);
        printGenerated(io, data.password, 'its next');
      }
      return 0;
    }

    throw new UsageError(`expected add, list, remove, role or password, got "${sub ?? ''}"`);
  },
};

function printGenerated(io: Io, password: string | undefined, which: string): void {
  if (password) writeLine(io.out, `generated password (shown once; to be changed at ${which} login): ${password}`);
}
