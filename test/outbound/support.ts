import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';

const run = promisify(execFile);

/** What the "internet" received: a real SMTP server (smtp-server) recording envelope and bytes. */
export interface Received {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
}

/** The outside world's mail server, used as the tenant's smarthost: records what it gets, refuses REFUSED (550 5.1.1). */
export async function startRemoteServer(port: number, refused?: string): Promise<{ received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    name: 'remote.test',
    authOptional: true,
    disabledCommands: ['AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address === refused) return callback(Object.assign(new Error('5.1.1 no such user here'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), secure: session.secure });
        callback(null, 'stored');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** swaks (Debian's), as an administrator would test submission; exits non-zero when the server refuses. */
export async function swaks(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('swaks', ['--server', '127.0.0.1', '--timeout', '30', ...args], { timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const VERIFIER = fileURLToPath(new URL('./dkim_verify.py', import.meta.url));

/**
 * Debian's python3-dkim (an independent verifier) on MESSAGE, with keys from the DNS server at DNS (a test knotd):
 * its DKIM signatures, or with WHAT `arc` its ARC chain. Code 0 means pass; the output says what it found.
 */
export function pythonDkimVerify(message: Buffer, dns: string, what: 'dkim' | 'arc' = 'dkim'): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [VERIFIER, dns, ...(what === 'arc' ? ['--arc'] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(message);
  });
}
