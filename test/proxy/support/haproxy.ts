import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from '../../csm/support/processes.js';
import { freePorts } from '../../harness/free-ports.js';
import { waitFor } from '../../harness/wait.js';

export type ProxyMode = 'send-proxy' | 'send-proxy-v2';

/** One backend server as HAProxy's `show stat` reports it. */
export interface ServerStat {
  name: string;
  status: string;
  checkStatus: string;
  failedChecks: number;
}

/**
 * Debian's haproxy in the foreground on a free 127.0.0.1 port, balancing SMTP round-robin over NODEPORTS
 * with the PROXY protocol (MODE) on traffic and SMTP health checks alike, as deploy/haproxy/haproxy.cfg does;
 * checks every 200 ms so a test sees many. Its admin socket answers `show stat`.
 */
export class Haproxy {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly child: Child,
  ) {}

  static async start(mode: ProxyMode, nodePorts: readonly number[]): Promise<Haproxy> {
    const [port] = await freePorts(1);
    const dir = await mkdtemp(join(tmpdir(), 'moat-haproxy-'));
    const config = [
      'global',
      '    log stdout format raw local0',
      `    stats socket ${join(dir, 'admin.sock')} mode 600 level admin`,
      'defaults',
      '    mode tcp',
      '    log global',
      '    option tcplog',
      '    timeout connect 2s',
      '    timeout client 30s',
      '    timeout server 30s',
      'frontend smtp_in',
      `    bind 127.0.0.1:${port}`,
      '    default_backend moat_nodes',
      'backend moat_nodes',
      '    balance roundrobin',
      '    option smtpchk EHLO haproxy.moat.invalid',
      `    default-server check inter 200ms fall 2 rise 1 ${mode} check-send-proxy`,
      ...nodePorts.map((nodePort, i) => `    server node-${i + 1} 127.0.0.1:${nodePort}`),
      '',
    ].join('\n');
    await writeFile(join(dir, 'haproxy.cfg'), config);
    const child = new Child(spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const haproxy = new Haproxy(port!, dir, child);
    await waitFor('haproxy to answer on its admin socket', async () => ((await haproxy.servers().catch(() => [])).length === nodePorts.length ? true : undefined), { timeoutMs: 10_000, intervalMs: 100 });
    return haproxy;
  }

  /** HAProxy's log (one tcplog line per session) and its own messages. */
  get output(): string {
    return this.child.output;
  }

  /** The backend servers with their state, last health-check result ("* " marks a check running) and failed checks. */
  async servers(): Promise<ServerStat[]> {
    const [header, ...rows] = (await this.admin('show stat')).trim().split('\n');
    const columns = header!.replace(/^# /, '').split(',');
    const column = (row: string[], name: string) => row[columns.indexOf(name)] ?? '';
    return rows
      .map((line) => line.split(','))
      .filter((row) => column(row, 'pxname') === 'moat_nodes' && column(row, 'svname').startsWith('node-'))
      .map((row) => ({ name: column(row, 'svname'), status: column(row, 'status'), checkStatus: column(row, 'check_status').replace(/^\* /, ''), failedChecks: Number(column(row, 'chkfail')) }));
  }

  async stop(): Promise<void> {
    await this.child.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  private admin(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(join(this.dir, 'admin.sock'));
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.end(`${command}\n`);
    });
  }
}
