import { CliError, UsageError, writeLine, type CommandEntry, type Io } from './command.js';
import { COMMANDS } from './commands/index.js';

const GLOBAL_HELP = `Options every command accepts:
  --json        machine-readable output
  --csm URL     the CSM (default: MOAT_CSM_URL, the running cluster's cluster.json, https://127.0.0.1:8080)
  --var DIR     the local cluster's state directory (default: MOAT_VAR, else var/ at the repository root)
  -h, --help    help for the command
Authentication: MOAT_TOKEN (moat login: a named administrator), else the CSM's local token file <var>/csm/cli-token
(the bootstrap administrator admin).
HTTPS: the CSM's certificate must be MOAT_CSM_CA (a PEM file), else the local cluster's own
(<var>/csm/tls/cert.pem), else one the system trusts.`;

export function helpText(commands: CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'moat: the Moat email security gateway',
    '',
    'usage: moat <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  this text; moat <command> --help for one command`,
    '',
    GLOBAL_HELP,
  ].join('\n');
}

/** Runs one `moat` invocation and returns its exit code; never throws. */
export async function runCli(argv: string[], io: Io, commands: CommandEntry[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    writeLine(io.out, topic ? (await topic.load()).usage : helpText(commands));
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    writeLine(io.err, `moat: unknown command "${name}"; run moat help`);
    return 2;
  }
  const command = await entry.load();
  if (!command.delegatesHelp && (rest.includes('--help') || rest.includes('-h'))) {
    writeLine(io.out, command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      writeLine(io.err, `moat ${name}: ${err.message}\nrun moat ${name} --help for usage`);
      return 2;
    }
    if (err instanceof CliError) {
      writeLine(io.err, `moat ${name}: ${err.message}`);
      for (const detail of err.details) writeLine(io.err, `  ${detail}`);
      return 1;
    }
    writeLine(io.err, `moat ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
