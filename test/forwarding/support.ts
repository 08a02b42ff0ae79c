import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';

const run = promisify(execFile);
const SPF_CHECK = fileURLToPath(new URL('./spf_check.py', import.meta.url));

/** A message the far end received, with the SPF result it got for the envelope sender. */
export interface FarMessage {
  from: string;
  to: string[];
  raw: string;
  clientIp: string;
  helo: string;
  spf: string;
}

/** Debian's python3-spf on (client IP, MAIL FROM, HELO), looking records up at the knot server DNS ("host:port"). */
export async function spfCheck(dns: string, clientIp: string, mailFrom: string, helo: string): Promise<string> {
  const { stdout } = await run('/usr/bin/python3', [SPF_CHECK, dns, clientIp, mailFrom, helo], { timeout: 30_000 });
  return stdout.trim();
}

/**
 * The far end: a real SMTP server (smtp-server) taking every recipient, as a receiving MTA would check SPF for
 * the envelope sender of each message before storing it. RELAY is called for each message after it is stored
 * (a forwarder on the far side sends some back).
 */
export async function startFarEnd(port: number, dns: string, relay: (message: FarMessage) => void): Promise<{ received: FarMessage[]; close(): Promise<void> }> {
  const received: FarMessage[] = [];
  const server = new SMTPServer({
    name: 'far.test',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const helo = session.hostNameAppearsAs;
        const checked = from === '' ? Promise.resolve('none') : spfCheck(dns, session.remoteAddress, from, helo);
        checked.then(
          (spf) => {
            const message = { from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), clientIp: session.remoteAddress, helo, spf };
            received.push(message);
            callback(null, `stored, spf=${spf}`);
            relay(message);
          },
          (err: unknown) => callback(Object.assign(new Error(`4.4.3 SPF check failed: ${String(err)}`), { responseCode: 451 })),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
