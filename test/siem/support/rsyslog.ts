import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Child } from '../../csm/support/processes.js';

/** A test CA and a certificate for 127.0.0.1 it signed (files in DIR). */
export interface TestPki {
  ca: string;
  cert: string;
  key: string;
}

export function makeTestPki(dir: string): TestPki {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '2', '-subj', '/CN=Moat test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial', '-out', path('server.pem'), '-days', '2', '-extfile', path('server.ext'));
  return { ca: path('ca.pem'), cert: path('server.pem'), key: path('server.key') };
}

/**
 * A real rsyslogd (Debian's) listening with imtcp on 127.0.0.1:PORT, plain or TLS (gtls driver with the test
 * PKI), writing each message's MSG part as one line to OUTPUT (appended to across restarts).
 */
export class Rsyslog {
  private child: Child | undefined;
  readonly output: string;
  private readonly conf: string;

  constructor(
    readonly dir: string,
    readonly port: number,
    pki?: TestPki,
  ) {
    this.output = join(dir, 'received.log');
    this.conf = join(dir, 'rsyslog.conf');
    const tlsGlobal = pki ? ` DefaultNetstreamDriverCAFile="${pki.ca}" DefaultNetstreamDriverCertFile="${pki.cert}" DefaultNetstreamDriverKeyFile="${pki.key}"` : '';
    const tlsModule = pki ? ' StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon"' : '';
    writeFileSync(
      this.conf,
      [
        `global(workDirectory="${dir}" maxMessageSize="64k"${tlsGlobal})`,
        `module(load="imtcp"${tlsModule})`,
        `input(type="imtcp" port="${port}" address="127.0.0.1")`,
        'template(name="msgonly" type="string" string="%msg%\\n")',
        `action(type="omfile" file="${this.output}" template="msgonly")`,
        '',
      ].join('\n'),
    );
  }

  async start(): Promise<void> {
    this.child = new Child(spawn('rsyslogd', ['-n', '-f', this.conf, '-i', join(this.dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] }));
    // rsyslogd prints nothing when it starts well: ready once the port accepts connections.
    for (let tries = 0; tries < 100; tries++) {
      if (this.child.process.exitCode !== null) throw new Error(`rsyslogd exited: ${this.child.output}`);
      if (await accepts(this.port)) return;
      await sleep(100);
    }
    throw new Error(`rsyslogd does not listen on ${this.port}: ${this.child.output}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.child?.stop(signal);
    this.child = undefined;
  }

  lines(): string[] {
    return existsSync(this.output) ? readFileSync(this.output, 'utf8').split('\n').filter((l) => l !== '') : [];
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
