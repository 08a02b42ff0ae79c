// Stage-1 cost per message: CPU ms of the scan pipeline with the stage-1 checks (reverse DNS, SPF, DKIM,
// DMARC, ARC, greylisting, rate control, mail-bomb defence; fleet state in JetStream KV on a real
// nats-server, DNS from a real knotd and answered from the resolver's cache after the first message)
// beside the relay-only pipeline (lists, relay control, accounts, MIME parse) in the same process and run.
// Configurations alternate in blocks so that machine load hits both alike.
//
//   node benchmarks/stage1/run.mjs [--messages N] [--blocks N]
//
// Needs the libraries built (npx nx run-many -t build) and knotd and nats-server on PATH.
import { generateKeyPairSync } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createResolver } from '@moat/auth';
import { KvFleetState } from '@moat/fleet-state/kv';
import { compilePolicy, defaultChecks, MessageScanner, Pipeline, resolverOptions } from '@moat/pipeline';
import { parsePolicy } from '@moat/policy';
import { connect } from '@nats-io/transport-node';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { startKnot } from '../../test/auth/support/knot.ts';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '500' }, blocks: { type: 'string', default: '6' } } });
const perBlock = Number(values.messages);
const blocks = Number(values.blocks);

const CLIENT = '198.51.100.20';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const knot = await startKnot({
  records: [
    { name: 'bank.test', type: 'TXT', data: '"v=spf1 ip4:198.51.100.20 -all"' },
    { name: '_dmarc.bank.test', type: 'TXT', data: '"v=DMARC1; p=reject"' },
    { name: 'sel._domainkey.bank.test', type: 'TXT', data: `"v=DKIM1; k=rsa; p=${publicDer}"` },
    { name: 'mail.bank.test', type: 'A', data: CLIENT },
    { name: '20.100.51.198.in-addr.arpa', type: 'PTR', data: 'mail.bank.test.' },
  ],
});
const nats = await startNats();

const unsigned = Buffer.from(
  'From: Bank <news@bank.test>\r\nTo: alice@example.test\r\nSubject: statement\r\nMessage-ID: <bench@bank.test>\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
    'Your monthly statement is ready.\r\n'.repeat(60),
);
const signature = await dkimSign(unsigned, { signatureData: [{ signingDomain: 'bank.test', selector: 'sel', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) }] });
const raw = Buffer.concat([Buffer.from(signature.signatures.replace(/(\r?\n)?$/, '\r\n')), unsigned]);

const domains = [{ name: 'example.test', downstream: { host: '127.0.0.1' }, accounts: ['alice'], smtpChecks: { greylist: { enabled: true, delaySeconds: 0 } } }];
const base = { domains, dns: { servers: [knot.server] } };
const relayOnly = parsePolicy({ ...base, smtpChecks: { auth: { enabled: false }, reverseDns: { enabled: false }, mailBomb: { enabled: false } } });
const stage1 = parsePolicy({
  ...base,
  smtpChecks: {
    rateLimits: [
      { name: 'PER_IP', key: 'clientIp', limit: 1_000_000, windowSeconds: 3600 },
      { name: 'PER_SENDER_DOMAIN', key: 'senderDomain', limit: 1_000_000, windowSeconds: 3600 },
    ],
    mailBomb: { maxMessages: 1_000_000, windowSeconds: 600 },
  },
});

const nc = await connect({ servers: nats.url });
const options = { resolver: createResolver(resolverOptions(stage1.dns)), fleetState: new KvFleetState(() => nc), hostname: 'bench.moat.test' };
const envelope = { clientIp: CLIENT, helo: 'mail.bank.test', mailFrom: 'news@bank.test', rcptTo: ['alice@example.test'] };
const configurations = {
  'relay-only': new MessageScanner(compilePolicy(relayOnly, 1), new Pipeline(defaultChecks(), options)),
  'stage-1': new MessageScanner(compilePolicy(stage1, 2), new Pipeline(defaultChecks(), options)),
};

// Warm-up: JIT, the DNS cache, the greylist auto-allow; the first stage-1 message is greylisted (delay 0 passes the retry).
for (let i = 0; i < 50; i++) for (const scanner of Object.values(configurations)) await scanner.scan(raw, envelope);
const check = await configurations['stage-1'].scan(raw, envelope);
const fired = check.symbols.map((s) => s.name).sort();
if (check.action !== 'deliver' || !['DKIM_PASS', 'DMARC_PASS', 'RDNS_OK', 'SPF_PASS'].every((name) => fired.includes(name))) {
  throw new Error(`stage-1 configuration does not verify: ${check.action} ${fired.join(' ')}`);
}

const totals = Object.fromEntries(Object.keys(configurations).map((name) => [name, { cpuUs: 0, wallMs: 0, messages: 0 }]));
for (let block = 0; block < blocks; block++) {
  for (const [name, scanner] of Object.entries(configurations)) {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    for (let i = 0; i < perBlock; i++) await scanner.scan(raw, envelope);
    const used = process.cpuUsage(cpu);
    totals[name].cpuUs += used.user + used.system;
    totals[name].wallMs += performance.now() - wall;
    totals[name].messages += perBlock;
  }
}

const row = (name) => {
  const t = totals[name];
  return { configuration: name, messages: t.messages, cpuMsPerMessage: +(t.cpuUs / 1000 / t.messages).toFixed(3), wallMsPerMessage: +(t.wallMs / t.messages).toFixed(3) };
};
const rows = [row('relay-only'), row('stage-1')];
console.table(rows);
console.log(`stage-1 checks add ${(rows[1].cpuMsPerMessage - rows[0].cpuMsPerMessage).toFixed(3)} ms CPU per message; symbols: ${fired.join(' ')}`);
console.log(`resolver: ${JSON.stringify(options.resolver.stats())}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);

await nc.close();
await nats.stop();
await knot.stop();

async function startNats() {
  const dir = mkdtempSync(join(tmpdir(), 'moat-bench-nats-'));
  const port = await new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address();
      server.close(() => resolve(free));
    });
  });
  const child = spawn('nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((resolve, reject) => {
    let seen = '';
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('Server is ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`nats-server exited ${code}: ${seen}`)));
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
