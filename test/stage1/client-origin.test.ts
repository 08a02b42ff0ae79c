import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnot, type RunningKnot } from '../auth/support/knot.js';
import { waitFor } from '../harness/wait.js';
import { Downstream, Nats, ScanNode, testPolicy } from '../scan-node/support/scan-node.js';
import { letter, xclientTransaction } from './support/xclient-transaction.js';

// Issue 3: what the client address says about a message. Reverse DNS (PTR, forward confirmation, generic
// names) through a real knotd, and per-country authentication actions with the country looked up in the
// real GeoIP database from npm (@ip-location-db/geo-whois-asn-country-mmdb). The public addresses are
// long-standing allocations: 193.99.144.80 (heise.de, RIPE, DE) and 8.8.8.8 (Google, ARIN, US).
const IN_GERMANY = '193.99.144.80';
const IN_THE_US = '8.8.8.8';
const ZONE = [
  { name: '20.100.51.198.in-addr.arpa', type: 'PTR', data: 'mail.sender.test.' },
  { name: 'mail.sender.test', type: 'A', data: '198.51.100.20' },
  { name: '21.100.51.198.in-addr.arpa', type: 'PTR', data: 'mail.elsewhere.test.' },
  { name: 'mail.elsewhere.test', type: 'A', data: '192.0.2.1' },
  { name: '7.113.0.203.in-addr.arpa', type: 'PTR', data: '203-0-113-7.dyn.isp.test.' },
  { name: '203-0-113-7.dyn.isp.test', type: 'A', data: '203.0.113.7' },
  { name: '7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', type: 'PTR', data: '2001-db8-0-1--7.ipv6.isp.test.' },
  { name: '2001-db8-0-1--7.ipv6.isp.test', type: 'AAAA', data: '2001:db8:0:1::7' },
];

describe('client origin: reverse DNS and sender country', () => {
  let knot: RunningKnot;
  let nats: Nats;
  let downstream: Downstream;
  let node: ScanNode;

  beforeAll(async () => {
    knot = await startKnot({ records: ZONE });
    nats = await Nats.start();
    downstream = await Downstream.start();
    const policy = testPolicy(downstream.port, {
      dns: { servers: [knot.server], timeoutMs: 1000, tries: 1 },
      smtpChecks: {
        auth: {
          // No sender here publishes SPF: from Germany that is refused, unless the sender domain is a partner.
          countries: [{ countries: ['de'], actions: { spfNone: 'block' } }],
          senderDomains: [{ domains: ['partner.test'], actions: { spfNone: 'pass' } }],
          precedence: 'domain',
        },
      },
    });
    node = await ScanNode.create('origin-node', nats.url, policy);
    await node.start();
  }, 120_000);

  afterAll(async () => {
    await node?.remove();
    await downstream?.pause();
    await nats?.stop();
    await knot?.stop();
  });

  /** The symbols (name -> detail) of the stored event of the transaction from SENDER. */
  async function symbolsOf(sender: string): Promise<Map<string, string>> {
    const event = await waitFor(`the event of ${sender}`, async () => (await nats.messageEvents('origin-node')).find((e) => e.envelope?.mailFrom === sender));
    return new Map(event.symbols.map((s) => [s.name, s.detail]));
  }

  it.each([
    ['198.51.100.20', 'fcrdns', ['RDNS_OK'], ['RDNS_GENERIC', 'RDNS_NOT_CONFIRMED']],
    ['198.51.100.21', 'unconfirmed', ['RDNS_NOT_CONFIRMED'], ['RDNS_OK']],
    ['203.0.113.7', 'dynamic', ['RDNS_OK', 'RDNS_GENERIC'], []],
    ['2001:db8:0:1::7', 'dynamic6', ['RDNS_OK', 'RDNS_GENERIC'], []],
    ['192.0.2.99', 'noptr', ['RDNS_NONE'], ['RDNS_OK']],
  ])('reverse DNS of %s (%s)', async (clientIp, name, present, absent) => {
    const sender = `${name}@sender.test`;
    const dialog = await xclientTransaction(node.smtpPort, clientIp.includes(':') ? `IPV6:${clientIp}` : clientIp, sender, 'alice@example.test', letter(sender, `rdns ${name}`));
    expect(dialog.data?.code).toBe(250);
    const symbols = await symbolsOf(sender);
    for (const symbol of present) expect(symbols.has(symbol), `${symbol} in ${[...symbols.keys()].join(' ')}`).toBe(true);
    for (const symbol of absent) expect(symbols.has(symbol)).toBe(false);
  });

  it('applies the country override to a client the GeoIP database places in Germany, and not to one in the US', async () => {
    const fromGermany = await xclientTransaction(node.smtpPort, IN_GERMANY, 'shop@webshop.test', 'alice@example.test', letter('shop@webshop.test', 'order de'));
    expect(fromGermany.data).toMatchObject({ code: 550, text: expect.stringContaining('sender authentication (spfNone)') });
    expect((await symbolsOf('shop@webshop.test')).get('AUTH_POLICY')).toBe('spfNone -> block (country DE)');

    const fromUs = await xclientTransaction(node.smtpPort, IN_THE_US, 'shop@store.test', 'alice@example.test', letter('shop@store.test', 'order us'));
    expect(fromUs.data?.code).toBe(250);
    const usSymbols = await symbolsOf('shop@store.test');
    expect(usSymbols.has('SPF_NONE')).toBe(true);
    expect(usSymbols.has('AUTH_POLICY')).toBe(false);
  });

  it('lets a sender-domain override win over the country one when precedence is domain', async () => {
    const partner = await xclientTransaction(node.smtpPort, IN_GERMANY, 'orders@partner.test', 'alice@example.test', letter('orders@partner.test', 'order partner'));
    expect(partner.data?.code).toBe(250);
    expect((await symbolsOf('orders@partner.test')).has('AUTH_POLICY')).toBe(false);
    await waitFor('the partner message downstream', async () => (downstream.withSubject('order partner').length === 1 ? true : undefined));
  });
});
