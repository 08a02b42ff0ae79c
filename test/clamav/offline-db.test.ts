import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// scripts/clamav-db.mjs writes the offline signature set that clamd loads on machines without freshclam.
// These tests run the real clamscan and a real clamd on it.
const root = resolve(import.meta.dirname, '../..');
const testFilesDir = '/usr/share/clamav-testfiles'; // Debian package clamav-testfiles, installed by scripts/setup.sh
// Assembled at run time so that this source file is not itself a virus-scanner hit.
const eicar = Buffer.from(['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''));

const work = mkdtempSync(join(tmpdir(), 'moat-clamav-db-'));
const dbDir = join(work, 'db');

function writeDb(): string {
  return execFileSync(process.execPath, [join(root, 'scripts/clamav-db.mjs'), dbDir], { encoding: 'utf8' });
}

function clamscan(...paths: string[]): { status: number; found: string[] } {
  try {
    execFileSync('clamscan', ['--no-summary', '-d', dbDir, ...paths], { encoding: 'utf8' });
    return { status: 0, found: [] };
  } catch (error) {
    const { status, stdout } = error as { status: number; stdout: string };
    return { status, found: stdout.split('\n').filter((line) => line.endsWith(' FOUND')) };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

// One clamd command over TCP (z-prefixed, NUL-terminated); INSTREAM sends the body as length-prefixed chunks.
function clamdCommand(port: number, command: string, body?: Buffer): Promise<string> {
  return new Promise((resolveReply, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => resolveReply(Buffer.concat(chunks).toString('utf8').replace(/\0$/, '')));
    socket.write(`z${command}\0`);
    if (body) {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(body.length);
      socket.write(Buffer.concat([length, body, Buffer.alloc(4)]));
    }
  });
}

async function waitForPong(port: number, clamd: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && clamd.exitCode === null) {
    const reply = await clamdCommand(port, 'PING').catch(() => '');
    if (reply === 'PONG') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`clamd did not answer PING on port ${port}`);
}

describe('offline ClamAV signature set', () => {
  beforeAll(() => {
    writeDb();
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is rewritten only when it changes', () => {
    const before = readdirSync(dbDir).map((name) => statSync(join(dbDir, name)).mtimeMs);
    expect(writeDb()).toContain('up to date');
    expect(readdirSync(dbDir).map((name) => statSync(join(dbDir, name)).mtimeMs)).toEqual(before);
  });

  it('makes clamscan detect EICAR and pass a clean file', () => {
    const infected = join(work, 'eicar.com');
    const clean = join(work, 'clean.txt');
    writeFileSync(infected, eicar);
    writeFileSync(clean, 'Hello, this is a clean message body.\n');
    expect(clamscan(infected)).toEqual({ status: 1, found: [`${infected}: Eicar-Test-Signature.UNOFFICIAL FOUND`] });
    expect(clamscan(clean)).toEqual({ status: 0, found: [] });
  });

  it('makes clamscan detect every ClamAV test file, packed, archived or encoded', () => {
    const files = readdirSync(testFilesDir).filter((name) => name.startsWith('clam'));
    expect(files.length).toBeGreaterThan(40);
    const { status, found } = clamscan(...files.map((name) => join(testFilesDir, name)));
    expect(status).toBe(1);
    expect(found).toHaveLength(files.length);
    for (const line of found) expect(line).toMatch(/: Clamav\.Test\.File-\w+\.UNOFFICIAL FOUND$/);
  });

  describe('loaded by clamd', () => {
    let clamd: ChildProcess;
    let port: number;

    beforeAll(async () => {
      port = await freePort();
      const config = join(work, 'clamd.conf');
      writeFileSync(config, [`TCPSocket ${port}`, 'TCPAddr 127.0.0.1', 'Foreground yes', `DatabaseDirectory ${dbDir}`, ''].join('\n'));
      clamd = spawn('clamd', ['-c', config], { stdio: 'ignore' });
      await waitForPong(port, clamd);
    });
    afterAll(() => {
      clamd.kill('SIGTERM');
    });

    it('answers PING', async () => {
      expect(await clamdCommand(port, 'PING')).toBe('PONG');
    });

    it('detects EICAR sent with INSTREAM and passes a clean stream', async () => {
      expect(await clamdCommand(port, 'INSTREAM', eicar)).toBe('stream: Eicar-Test-Signature.UNOFFICIAL FOUND');
      expect(await clamdCommand(port, 'INSTREAM', Buffer.from('clean text\n'))).toBe('stream: OK');
    });
  });
});
