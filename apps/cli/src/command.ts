import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** Where a command writes and what it reads from its surroundings; tests pass their own. */
export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What `--password-stdin` reads; the process's standard input unless given. */
  stdin?: NodeJS.ReadableStream;
}

/** One `moat` subcommand. `run` returns the exit code; thrown CliError/UsageError become messages on stderr. */
export interface Command {
  name: string;
  /** Unused by `moat help`, which lists the summaries of the registry (commands/index.ts) without loading modules. */
  summary?: string;
  /** Full help text shown by `moat <name> --help`. */
  usage: string;
  /** The command parses its own options, --help included (scan, owned by the offline scanner). */
  delegatesHelp?: boolean;
  run(args: string[], io: Io): Promise<number>;
}

/** A command as `moat help` lists it; the module with its code loads only when it runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** A failure the user can act on; printed without a stack trace, exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Wrong arguments; printed with a pointer to the command's help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Options every command accepts. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  csm: { type: 'string' },
  var: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** Parses a command's arguments (strict: unknown options are usage errors) with the common options added. */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

export function writeJson(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Parses an integer option, with a usage error naming the option when it is not one. */
export function intOption(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/** The first line of STREAM (without its line ending), read up to 4 KiB: a secret given with `--password-stdin`. */
export async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('\n') || text.length > 4096) break;
  }
  return (text.split(/\r?\n/, 1)[0] ?? '').slice(0, 4096);
}

/** The secret on the first line of standard input (`--password-stdin`); a CliError when there is none. */
export async function readSecretLine(io: Io): Promise<string> {
  const line = await readFirstLine(io.stdin ?? process.stdin);
  if (line === '') throw new CliError('no password on standard input');
  return line;
}
