import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { DownstreamConnections } from './downstream-connections.js';
import { dotStuffed } from './smtp-client.js';

interface Received {
  from: string;
  to: string[];
  body: string;
  secure: boolean;
  connection: string;
}

/** A real SMTP server that keeps what it receives; RCPT and end of DATA can be made to refuse. */
async function downstream(options: Partial<SMTPServerOptions> & { refuseRcpt?: string; refuseData?: number } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH'],
    logger: false,
    ...options,
    onRcptTo(address, _session, callback) {
      if (address.address === options.refuseRcpt) return callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), body: Buffer.concat(chunks).toString(), secure: session.secure, connection: session.id });
        if (options.refuseData) return callback(Object.assign(new Error('4.3.0 try again later'), { responseCode: options.refuseData }));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, received, port: (server.server.address() as AddressInfo).port };
}

describe('DownstreamConnections', () => {
  const servers: SMTPServer[] = [];
  const pools: DownstreamConnections[] = [];
  const pool = (port: number, tls: 'none' | 'opportunistic' | 'required') => {
    const connections = new DownstreamConnections({ host: '127.0.0.1', port, tls }, { name: 'node.test', connectTimeoutMs: 2000 });
    pools.push(connections);
    return connections;
  };
  afterEach(async () => {
    for (const p of pools.splice(0)) p.close();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('delivers message after message over one connection, a refused recipient bounced and the others delivered', async () => {
    const target = await downstream({ refuseRcpt: 'nobody@example.test' });
    servers.push(target.server);
    const connections = pool(target.port, 'none');
    const first = await connections.send('a@remote.test', ['bob@example.test', 'nobody@example.test'], [Buffer.from('X-Trace: 1\r\n'), Buffer.from('Subject: one\r\n\r\n.hidden line\r\nend\r\n')]);
    expect(first.map((r) => [r.rcpt, r.outcome])).toEqual([
      ['bob@example.test', 'delivered'],
      ['nobody@example.test', 'bounced'],
    ]);
    expect(first[1]!.response).toContain('550');
    // Every recipient refused: the transaction is reset and the connection goes on.
    expect((await connections.send('a@remote.test', ['nobody@example.test'], [Buffer.from('Subject: none\r\n\r\nx\r\n')]))[0]!.outcome).toBe('bounced');
    const third = await connections.send('c@remote.test', ['alice@example.test'], [Buffer.from('Subject: two\r\n\r\nbody')]);
    const fourth = await connections.send('c@remote.test', ['alice@example.test'], [Buffer.from('Subject: three\r\n\r\nbody\r'), Buffer.from('\n')]);
    expect(fourth[0]!.outcome).toBe('delivered');
    expect(third[0]!.outcome).toBe('delivered');

    expect(target.received.map((r) => [r.from, r.to, r.body])).toEqual([
      ['a@remote.test', ['bob@example.test'], 'X-Trace: 1\r\nSubject: one\r\n\r\n.hidden line\r\nend\r\n'],
      ['c@remote.test', ['alice@example.test'], 'Subject: two\r\n\r\nbody\r\n'],
      ['c@remote.test', ['alice@example.test'], 'Subject: three\r\n\r\nbody\r\n'],
    ]);
    expect(new Set(target.received.map((r) => r.connection)).size).toBe(1);
  });

  it('defers on a temporary refusal of the message and bounces on a permanent one', async () => {
    const later = await downstream({ refuseData: 451 });
    const never = await downstream({ refuseData: 554 });
    servers.push(later.server, never.server);
    expect((await pool(later.port, 'none').send('a@remote.test', ['bob@example.test'], [Buffer.from('Subject: x\r\n\r\nx\r\n')]))[0]).toMatchObject({ outcome: 'deferred', response: expect.stringContaining('451') });
    expect((await pool(never.port, 'none').send('a@remote.test', ['bob@example.test'], [Buffer.from('Subject: x\r\n\r\nx\r\n')]))[0]!.outcome).toBe('bounced');
  });

  it('uses STARTTLS when offered, and defers rather than send in plain text when TLS is required and not offered', async () => {
    const tls = await downstream();
    const plain = await downstream({ disabledCommands: ['AUTH', 'STARTTLS'] });
    servers.push(tls.server, plain.server);
    expect((await pool(tls.port, 'opportunistic').send('a@remote.test', ['bob@example.test'], [Buffer.from('Subject: x\r\n\r\nx\r\n')]))[0]!.outcome).toBe('delivered');
    expect(tls.received[0]!.secure).toBe(true);
    expect((await pool(plain.port, 'required').send('a@remote.test', ['bob@example.test'], [Buffer.from('Subject: x\r\n\r\nx\r\n')]))[0]).toMatchObject({ outcome: 'deferred', response: expect.stringContaining('STARTTLS') });
    expect(plain.received).toEqual([]);
  });

  it('defers every recipient when the downstream cannot be reached', async () => {
    const gone = await downstream();
    await new Promise((resolve) => gone.server.close(resolve));
    const results = await pool(gone.port, 'none').send('a@remote.test', ['bob@example.test', 'alice@example.test'], [Buffer.from('x\r\n')]);
    expect(results.map((r) => r.outcome)).toEqual(['deferred', 'deferred']);
  });
});

describe('dotStuffed', () => {
  it('doubles the dot that starts a line, also across parts, and leaves other dots alone', () => {
    expect(Buffer.concat(dotStuffed([Buffer.from('.a\r\nb.c\r\n..d\r\n.')])).toString()).toBe('..a\r\nb.c\r\n...d\r\n..');
    expect(Buffer.concat(dotStuffed([Buffer.from('X: 1\r\n'), Buffer.from('.b\r\n'), Buffer.from('c'), Buffer.from('.d\r\n')])).toString()).toBe('X: 1\r\n..b\r\nc.d\r\n');
    const plain = [Buffer.from('X-Trace: 1\r\n'), Buffer.from('no dots at line starts\r\n')];
    expect(dotStuffed(plain)).toEqual(plain);
  });

  it('doubles a dot after a bare CR too, so no lenient reading of line ends finds an end of data', () => {
    expect(Buffer.concat(dotStuffed([Buffer.from('START\r\n\r.\r\r\nEND\r\n')])).toString()).toBe('START\r\n\r..\r\r\nEND\r\n');
    expect(Buffer.concat(dotStuffed([Buffer.from('a\r.b\n.c\r\n.d\r.e')])).toString()).toBe('a\r..b\n..c\r\n..d\r..e');
    expect(Buffer.concat(dotStuffed([Buffer.from('x\r'), Buffer.from('.y\r\n')])).toString()).toBe('x\r..y\r\n');
  });
});
