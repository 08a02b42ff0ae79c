import { parseCommandArgs, readSecretLine, UsageError, writeJson, writeLine, type Command } from '../command.js';
import { sessionSchema } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';

export const loginCommand: Command = {
  name: 'login',
  usage: `moat login NAME --password-stdin [--totp CODE] [--json]

Logs in as the named administrator (the password is the first line of standard input) and prints the session
token, for MOAT_TOKEN: commands then act as that administrator, with its role, and the audit log names it.
  export MOAT_TOKEN=$(moat login alice --password-stdin < alice.pass)
--totp CODE: the authenticator app's code, for an account with a second factor. The session ends after 30 minutes
without a call. Without MOAT_TOKEN, commands use the CSM's local token file (the bootstrap admin).`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { 'password-stdin': { type: 'boolean' }, totp: { type: 'string' } });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('login takes exactly one NAME');
    if (!values['password-stdin']) throw new UsageError('login needs --password-stdin (a password on the command line would show in ps and the shell history)');
    const password = await readSecretLine(io);
    const credentials = { username: name, password, ...(values.totp ? { totp: values.totp } : {}) };
    const { data, raw } = await (await connectCsm(values, io)).login(sessionSchema, credentials);
    if (values.json) writeJson(io.out, raw);
    else writeLine(io.out, data.token);
    return 0;
  },
};
