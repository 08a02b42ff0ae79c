import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { CliError, parseCommandArgs, UsageError, type Command, type CommandEntry, type Io } from './command.js';

function io(): Io & { stdout: () => string; stderr: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c: Buffer) => (o += c.toString()));
  err.on('data', (c: Buffer) => (e += c.toString()));
  return { out, err, env: {}, cwd: '/', stdout: () => o, stderr: () => e };
}

const echo: Command = {
  name: 'echo',
  usage: 'moat echo WORD [--loud]',
  async run(args, { out }) {
    const { values, positionals } = parseCommandArgs(args, { loud: { type: 'boolean' } });
    if (positionals[0] === 'fail') throw new CliError('it failed', ['because']);
    if (!positionals[0]) throw new UsageError('echo needs a WORD');
    out.write(`${values.loud ? positionals[0].toUpperCase() : positionals[0]}\n`);
    return 0;
  },
};

const commands: CommandEntry[] = [{ name: echo.name, summary: 'prints its argument', load: async () => echo }];

describe('runCli', () => {
  it('lists commands for help and prints a command usage for --help', async () => {
    const a = io();
    expect(await runCli(['help'], a, commands)).toBe(0);
    expect(a.stdout()).toContain('echo  prints its argument');
    const b = io();
    expect(await runCli(['echo', '--help'], b, commands)).toBe(0);
    expect(b.stdout()).toBe('moat echo WORD [--loud]\n');
  });

  it('runs the command with its options', async () => {
    const a = io();
    expect(await runCli(['echo', 'hi', '--loud'], a, commands)).toBe(0);
    expect(a.stdout()).toBe('HI\n');
  });

  it('exits 2 on usage errors and unknown options, 1 on failures, with the message on stderr', async () => {
    const a = io();
    expect(await runCli(['echo'], a, commands)).toBe(2);
    expect(a.stderr()).toContain('moat echo: echo needs a WORD');
    const b = io();
    expect(await runCli(['echo', 'x', '--bogus'], b, commands)).toBe(2);
    expect(b.stderr()).toContain("Unknown option '--bogus'");
    const c = io();
    expect(await runCli(['echo', 'fail'], c, commands)).toBe(1);
    expect(c.stderr()).toBe('moat echo: it failed\n  because\n');
    const d = io();
    expect(await runCli(['nope'], d, commands)).toBe(2);
    expect(d.stderr()).toBe('moat: unknown command "nope"; run moat help\n');
  });
});
