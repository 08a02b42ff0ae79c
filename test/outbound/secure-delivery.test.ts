import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnot, zoneTxt, type RunningKnot } from '../auth/support/knot.js';
import { startUnbound, type RunningUnbound } from '../auth/support/unbound.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { sendMail } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';

const run = promisify(execFile);

// Issue 13 (delivery): outbound mail by MX with the destination's TLS rules honoured, on a real node: an MX that
// refuses mail without STARTTLS, MTA-STS (a real HTTPS policy host, a certificate from a CA the node trusts) and
// DANE (TLSA records in a DNSSEC-signed zone served by knotd, validated by a real unbound). Each MX host has its own
// loopback address on the same port (the policy's mxPort); the node resolves every name through unbound.
const TENANT_SERVER = '127.0.0.66';
const STS_HOST = '127.0.0.21';

/** One destination: its MX address and what its server presents. */
interface Mx {
  domain: string;
  address: string;
  /** The certificate's names ([] for a self-signed certificate for DANE-EE with a name that does not matter). */
  names: string[];
  selfSigned?: boolean;
  /** Refuse MAIL before STARTTLS (530), as a domain that takes mail only over TLS does. */
  requireStartTls?: boolean;
}

const MXS: Mx[] = [
  { domain: 'tls-only.test', address: '127.0.0.15', names: ['mx.tls-only.test'], requireStartTls: true },
  { domain: 'sts.test', address: '127.0.0.11', names: ['mx.sts.test'] },
  { domain: 'badsts.test', address: '127.0.0.12', names: ['somewhere-else.test'] },
  { domain: 'dane.test', address: '127.0.0.13', names: ['not-the-mx-name.test'], selfSigned: true },
  { domain: 'baddane.test', address: '127.0.0.14', names: ['mx.baddane.test'], selfSigned: true },
  { domain: 'danetrust.test', address: '127.0.0.16', names: ['mx.danetrust.test'] },
];

interface Received {
  rcpt: string;
  secure: boolean;
}

describe('outbound delivery by MX with STARTTLS, MTA-STS and DANE', () => {
  let dir: string;
  let knot: RunningKnot;
  let unbound: RunningUnbound;
  let cluster: TestCluster;
  let stsServer: Server;
  const servers: SMTPServer[] = [];
  const received: Received[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-secure-delivery-'));
    const openssl = (args: string[]) => run('openssl', args, { cwd: dir });
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Moat test CA']);
    const certificate = async (name: string, names: string[], selfSigned: boolean): Promise<{ key: string; cert: string }> => {
      const san = `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`;
      if (selfSigned) await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${names[0]}`, '-addext', san]);
      else {
        await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${names[0]}`]);
        await writeFile(join(dir, `${name}.ext`), `${san}\n`);
        await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
      }
      return { key: await readFile(join(dir, `${name}.key`), 'utf8'), cert: await readFile(join(dir, `${name}.pem`), 'utf8') };
    };

    const caPem = await readFile(join(dir, 'ca.pem'), 'utf8');
    const [mxPort, stsPort] = await freePorts(2);
    const records = [];
    for (const mx of MXS) {
      const tls = await certificate(mx.domain, mx.names, mx.selfSigned ?? false);
      const server = new SMTPServer({
        name: `mx.${mx.domain}`,
        key: tls.key,
        // A CA-signed server sends its chain, the CA included: what a DANE-TA record names must be in it.
        cert: mx.selfSigned ? tls.cert : `${tls.cert}${caPem}`,
        authOptional: true,
        disabledCommands: ['AUTH'],
        logger: false,
        onMailFrom(_address, session, callback) {
          if (mx.requireStartTls && !session.secure) return callback(Object.assign(new Error('5.7.0 Must issue a STARTTLS command first'), { responseCode: 530 }));
          callback();
        },
        onData(stream, session, callback) {
          stream.resume();
          stream.on('end', () => {
            for (const rcpt of session.envelope.rcptTo) received.push({ rcpt: rcpt.address, secure: session.secure });
            callback(null, 'stored');
          });
        },
      });
      await new Promise<void>((resolve) => server.listen(mxPort, mx.address, () => resolve()));
      servers.push(server);
      records.push({ name: mx.domain, type: 'MX', data: `10 mx.${mx.domain}.` }, { name: `mx.${mx.domain}`, type: 'A', data: mx.address });
      const leaf = new X509Certificate(tls.cert);
      const spkiSha256 = createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
      if (mx.domain === 'dane.test') records.push({ name: `_${mxPort}._tcp.mx.dane.test`, type: 'TLSA', data: `3 1 1 ${spkiSha256}` });
      if (mx.domain === 'baddane.test') records.push({ name: `_${mxPort}._tcp.mx.baddane.test`, type: 'TLSA', data: `3 1 1 ${'ab'.repeat(32)}` });
      if (mx.domain === 'danetrust.test') {
        const ca = new X509Certificate(caPem);
        records.push({ name: `_${mxPort}._tcp.mx.danetrust.test`, type: 'TLSA', data: `2 0 1 ${createHash('sha256').update(ca.raw).digest('hex')}` });
      }
    }
    // The MTA-STS policy host of sts.test and badsts.test: each enforces its own MX name.
    const stsTls = await certificate('mta-sts', ['mta-sts.sts.test', 'mta-sts.badsts.test'], false);
    stsServer = createServer({ key: stsTls.key, cert: `${stsTls.cert}${caPem}` }, (request, response) => {
      const domain = (request.headers.host ?? '').replace(/^mta-sts\./, '').replace(/:\d+$/, '');
      if (request.url !== '/.well-known/mta-sts.txt') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`version: STSv1\r\nmode: enforce\r\nmx: mx.${domain}\r\nmax_age: 86400\r\n`);
    });
    await new Promise<void>((resolve) => stsServer.listen(stsPort, STS_HOST, () => resolve()));
    for (const domain of ['sts.test', 'badsts.test']) records.push({ name: `_mta-sts.${domain}`, type: 'TXT', data: zoneTxt(['v=STSv1; id=20261208']) }, { name: `mta-sts.${domain}`, type: 'A', data: STS_HOST });

    knot = await startKnot({ records, dnssec: true });
    unbound = await startUnbound(knot);
    cluster = await startCluster({
      nodes: 1,
      // The node trusts the test CA as it would a public one (MTA-STS and required TLS verify against the system's CAs).
      env: { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
      policy: (demo) => ({
        ...demo,
        dns: { servers: [unbound.server] },
        outbound: {
          ...demo.outbound,
          trustedNetworks: [`${TENANT_SERVER}/32`],
          delivery: { smarthosts: [], mxPort: defined(mxPort, 'MX port'), mtaStsPort: defined(stsPort, 'MTA-STS port') },
        },
      }),
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await new Promise<void>((resolve) => (stsServer ? stsServer.close(() => resolve()) : resolve()));
    await unbound?.stop();
    await knot?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const relay = async (domain: string): Promise<string> => {
    const subject = `to ${domain} ${Math.random().toString(36).slice(2)}`;
    const sent = await sendMail(defined(cluster.ports.smtp[0], 'SMTP port'), { from: 'carol@example.test', to: `user@${domain}`, subject }, { localAddress: TENANT_SERVER });
    expect(sent.accepted, sent.response).toBe(true);
    return subject;
  };

  /** The delivery history of the message with SUBJECT once it has an attempt with STATUS. */
  const deliveries = (subject: string, status: string) =>
    waitFor(`a ${status} delivery of "${subject}"`, async () => {
      const [row] = await cluster.searchMail(['--subject', subject]);
      if (!row) return undefined;
      const detail = (await cluster.csmGet(`/api/mail/${row.id}`)) as { deliveries: { status: string; response: string }[] };
      return detail.deliveries.some((d) => d.status === status) ? detail.deliveries : undefined;
    });

  it('delivers over STARTTLS to an MX that takes mail only over TLS', async () => {
    await relay('tls-only.test');
    const got = await waitFor('the message at the TLS-only MX', async () => received.find((r) => r.rcpt === 'user@tls-only.test'));
    expect(got.secure).toBe(true);
  });

  it("follows an enforced MTA-STS policy: delivered over verified TLS, deferred when the MX's certificate is not for its name", async () => {
    await relay('sts.test');
    expect((await waitFor('the message at mx.sts.test', async () => received.find((r) => r.rcpt === 'user@sts.test'))).secure).toBe(true);
    const subject = await relay('badsts.test');
    const history = await deliveries(subject, 'deferred');
    expect(history.map((d) => d.response).join('\n')).toMatch(/certificate|altnames/i);
    expect(received.some((r) => r.rcpt === 'user@badsts.test')).toBe(false);
  });

  it('follows DANE: a DANE-EE record pins a self-signed certificate, a DANE-TA record a private CA; a mismatch defers', async () => {
    await relay('dane.test');
    expect((await waitFor('the message at mx.dane.test', async () => received.find((r) => r.rcpt === 'user@dane.test'))).secure).toBe(true);
    await relay('danetrust.test');
    expect((await waitFor('the message at mx.danetrust.test', async () => received.find((r) => r.rcpt === 'user@danetrust.test'))).secure).toBe(true);
    const subject = await relay('baddane.test');
    const history = await deliveries(subject, 'deferred');
    expect(history.map((d) => d.response).join('\n')).toContain('DANE: no certificate the server presented matches the TLSA records of mx.baddane.test');
    expect(received.some((r) => r.rcpt === 'user@baddane.test')).toBe(false);
  });
});
