import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { preparePrivateLog } from './private-log.js';

/**
 * The demo tenant's "mail server" (and, as the demo "internet", its outbound smarthost): a plain SMTP server that stores every message it is given as an .eml
 * file (Return-Path and Delivered-To prepended, as a local delivery agent does). A file appears only once
 * complete and synced, so whoever counts the mailbox never sees half a message.
 */
export class DemoMailbox {
  private server: SMTPServer | undefined;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly logFile: string,
    private readonly name = 'demo-mailbox.moat.test',
  ) {}

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    if (this.server) return;
    await mkdir(this.dir, { recursive: true });
    preparePrivateLog(this.logFile);
    const server = new SMTPServer({
      name: this.name,
      banner: `Moat ${this.name}`,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      // Stopping must not wait for a node's idle delivery connections.
      closeTimeout: 1000,
      onData: (stream, session, callback) => {
        this.store(stream, session).then(
          (file) => callback(null, `2.0.0 stored as ${file}`),
          (err: Error) => callback(Object.assign(new Error(`4.3.0 cannot store the message: ${err.message}`), { responseCode: 451 })),
        );
      },
    });
    server.on('error', (err) => void this.log(`error: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    await this.log(`listening on 127.0.0.1:${this.port}, storing in ${this.dir}`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.log('stopped');
  }

  private async store(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const rcpts = session.envelope.rcptTo.map((r) => r.address);
    const head = Buffer.from(`Return-Path: <${from}>\r\nDelivered-To: ${rcpts.join(', ')}\r\n`);
    const name = `${Date.now()}-${randomUUID()}.eml`;
    const tmp = join(this.dir, `.${name}.tmp`);
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(Buffer.concat([head, ...chunks]));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.dir, name));
    await this.log(`stored ${name} from <${from}> to ${rcpts.join(', ')} (${head.length + chunks.reduce((n, c) => n + c.length, 0)} bytes)`);
    return name;
  }

  private async log(line: string): Promise<void> {
    await appendFile(this.logFile, `${new Date().toISOString()} ${line}\n`).catch(() => undefined);
  }
}
