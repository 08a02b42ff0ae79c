import { KvFuzzyStore, type KvFuzzyStoreOptions } from '@moat/fuzzy-store';
import { parsePolicy } from '@moat/policy';
import { compilePolicy, defaultChecks, MessageScanner, Pipeline, reportSpam, type ScanSymbol } from '@moat/pipeline';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServer } from '../csm/support/processes.js';

// Two scan pipelines ("nodes"), each with its own NATS connection and store, sharing one real
// nats-server's KV bucket: the fleet counts what neither node sees enough of alone.
const policy = compilePolicy(parsePolicy({ body: { bulk: { low: { count: 12, score: 0.5 }, medium: { count: 30, score: 1.5 }, high: { count: 100, score: 3 } } } }), 1);

let nats: NatsServer;
const connections: NatsConnection[] = [];
const stores: KvFuzzyStore[] = [];

async function openStore(options: KvFuzzyStoreOptions = {}): Promise<KvFuzzyStore> {
  const nc = await connect({ servers: nats.url });
  connections.push(nc);
  const store = await KvFuzzyStore.open(nc, options);
  stores.push(store);
  return store;
}

async function node(): Promise<{ scanner: MessageScanner; store: KvFuzzyStore }> {
  // No local count cache (1 s by default, during which a node adds its own sightings to the fleet count it
  // last read): this run scans faster than that, and the test is about what the fleet counts together.
  const store = await openStore({ cacheMs: 0 });
  return { scanner: new MessageScanner(policy, new Pipeline(defaultChecks(), { fuzzyStore: store })), store };
}

beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  for (const store of stores) await store.close();
  for (const nc of connections) await nc.close();
  await nats?.stop();
});

const names = ['Alice Park', 'Bob Lee', 'Chris Kim', 'Dana Choi', 'Eun Jung', 'Frank Yoon', 'Grace Han', 'Hyun Seo', 'Ivy Lim', 'Jae Kang'];
/** One campaign: the greeting, the order number and the tracking link change per recipient. */
const campaign = (i: number) =>
  Buffer.from(
    [
      'From: Mega Store <news@megastore.test>',
      `To: customer${i}@example.test`,
      `Subject: ${names[i % names.length]}, your spring coupon is here`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Dear ${names[i % names.length]}, thank you for shopping with us. This week only, every product in our online store is half price and`,
      'members receive free delivery on every order. Use the coupon below at checkout before Sunday midnight to claim the discount,',
      `then tell your friends about the sale. Your order number is ${10_000 + i * 37}. Track it at https://track.megastore.test/${i}x${i * 7}.`,
      '이번 주 한정으로 모든 상품을 반값에 드립니다. 감사합니다.',
      '',
    ].join('\r\n'),
  );

const bulkOf = (symbols: ScanSymbol[]) => symbols.find((s) => s.name.startsWith('BULK_') || s.name === 'FUZZY_DENIED');

describe('fuzzy bulk detection across two nodes on one NATS KV', () => {
  it('crosses the threshold fleet-wide when each node sees only half the campaign', async () => {
    const a = await node();
    const b = await node();
    const seen: { node: string; bulk: ScanSymbol | undefined }[] = [];
    for (let i = 0; i < 20; i++) {
      const { scanner } = i % 2 === 0 ? a : b;
      const verdict = await scanner.scan(campaign(i), { mailFrom: 'news@megastore.test' });
      seen.push({ node: i % 2 === 0 ? 'a' : 'b', bulk: bulkOf(verdict.symbols) });
    }
    // Each node alone saw 10 (< 12); fleet-wide the campaign reached BULK_LOW on both nodes.
    expect(seen.slice(0, 8).every((s) => s.bulk === undefined)).toBe(true);
    const late = seen.slice(-4);
    expect(late.map((s) => [s.node, s.bulk?.name])).toEqual([
      ['a', 'BULK_LOW'],
      ['b', 'BULK_LOW'],
      ['a', 'BULK_LOW'],
      ['b', 'BULK_LOW'],
    ]);
    expect(late.at(-1)?.bulk?.detail).toMatch(/^text seen (1[6-9]|20) times in 60 min fleet-wide$/);
  });

  it("denies a reported campaign on the other node through the fleet's deny list", async () => {
    const a = await node();
    const b = await node();
    const phish = (name: string) =>
      Buffer.from(
        `From: IT Desk <it@desk.test>\r\nSubject: mailbox quota\r\n\r\nDear ${name}, your mailbox is almost full and will stop receiving messages. Sign in with your company password on the page below within one day to keep your mail, otherwise it will be closed by the administrator without further notice.\r\n`,
      );
    await reportSpam(a.store, phish('Alice'), 'reported by admin');
    const deadline = Date.now() + 5000;
    let verdict = await b.scanner.scan(phish('Bob'), {});
    while (!verdict.symbols.some((s) => s.name === 'FUZZY_DENIED') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      verdict = await b.scanner.scan(phish('Bob'), {});
    }
    expect(verdict.symbols.find((s) => s.name === 'FUZZY_DENIED')).toMatchObject({ score: 10 });
  });

  it('loses no sighting when many messages carry the same checksum at once', async () => {
    const busy = await openStore();
    const counts = await Promise.all(Array.from({ length: 50 }, () => busy.record(['concurrent'], 3600)));
    // One write answers for the messages that came while it was on its way; each still sees itself counted.
    expect(Math.max(...counts.map(([count]) => count ?? 0))).toBe(50);
    await busy.flush();
    const other = await openStore({ cacheMs: 0 });
    expect(await other.record(['concurrent'], 3600)).toEqual([51]);
  });
});
