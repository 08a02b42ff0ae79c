import { Action } from '@moat/proto/grpc';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEventsStream } from '@moat/bus';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from './support/api.js';
import { messageEvent, publishMessage } from './support/events.js';
import { buildCsm, removeTempDirs, startCsm, startNats, tempDir, type Csm, type NatsServer } from './support/processes.js';

interface Sent {
  id: string;
  atMs: number;
  sender: string;
  rcpts: string[];
  subject: string;
  action: 'deliver' | 'quarantine';
}
interface MailPage {
  messages: { id: string }[];
  nextCursor: string | null;
}

const DAY_MS = 86_400_000;
const SENDERS = ['Lena.Wagner@Gmail.test', 'lena.wagner@gmail.test', 'helena.wagner@gmail.test', 'lena.wagner@gmail.test.evil', 'paul.berg@outlook.test', '', 'ünal.çelik@posta.test'];
const RECIPIENTS = ['bob@example.test', 'Alice@Example.test', 'carol@corp.example.test', 'bobby@example.test'];
/** Distinct senders (and recipients) of the bulk mail: more than a search takes the address look-up for. */
const BULK = 1010;

// Sender and recipient search through the real CSM (chdb): a part found among few stored addresses is read by
// primary key (address_times), one found in many through the bloom filter; both must give exactly the messages
// whose sender or a recipient contains the part, in any case, in order and across pages, alone or in a tree.
describe('mail search by sender and recipient', () => {
  let nats: NatsServer;
  let csm: Csm;
  let nc: NatsConnection;
  let api: CsmApi;
  const run = Date.now().toString(36);
  const now = Date.now();
  const sent: Sent[] = [];

  beforeAll(async () => {
    buildCsm();
    nats = await startNats();
    csm = await startCsm({ natsUrl: nats.url, dataDir: await tempDir('moat-csm-address-search-') });
    api = await CsmApi.withCliToken(csm);
    nc = await connect({ servers: nats.url });
    await ensureEventsStream(nc);
    for (let n = 0; n < 60; n++) {
      sent.push({
        id: `${run}-p${String(n).padStart(2, '0')}`,
        // A third 40 days back (another month), the rest within the last hour.
        atMs: n < 20 ? now - 40 * DAY_MS + n * 60_000 : now - 3_600_000 + n * 10_000,
        sender: SENDERS[n % SENDERS.length] ?? '',
        rcpts: n % 5 === 0 ? [RECIPIENTS[n % 4] ?? '', RECIPIENTS[(n + 1) % 4] ?? ''] : [RECIPIENTS[n % 4] ?? ''],
        subject: `people ${run} ${n}${n % 6 === 0 ? ' invoice' : ''}`,
        action: n % 4 === 1 ? 'quarantine' : 'deliver',
      });
    }
    for (let k = 0; k < BULK; k++) {
      sent.push({ id: `${run}-b${String(k).padStart(4, '0')}`, atMs: now - 7_200_000 + k * 100, sender: `bulk${k}@many.test`, rcpts: [`team${k}@many.test`], subject: `bulk ${run}`, action: 'deliver' });
    }
    await Promise.all(
      sent.map((m) => {
        const event = messageEvent(m.id, { receivedAtMs: m.atMs, action: m.action === 'quarantine' ? Action.ACTION_QUARANTINE : Action.ACTION_DELIVER });
        if (event.envelope) event.envelope = { ...event.envelope, mailFrom: m.sender, rcptTo: m.rcpts };
        if (event.headers) event.headers = { ...event.headers, subject: m.subject };
        return publishMessage(nc, event);
      }),
    );
    await waitFor('every message stored', async () => ((await api.get<{ total: number }>('/api/stats?from=0')).total === sent.length ? true : undefined), { timeoutMs: 120_000 });
  }, 300_000);

  afterAll(async () => {
    await nc?.close();
    await csm?.stop();
    await nats?.stop();
    await removeTempDirs();
  });

  const has = (text: string, part: string) => text.toLowerCase().includes(part.toLowerCase());
  /** The ids of the sent messages in [fromMs, toMs) that PREDICATE holds for, newest first (the search's order). */
  const expected = (predicate: (m: Sent) => boolean, fromMs = 0, toMs = now + DAY_MS) =>
    sent
      .filter((m) => m.atMs >= fromMs && m.atMs < toMs && predicate(m))
      .sort((a, b) => b.atMs - a.atMs || (a.id < b.id ? 1 : -1))
      .map((m) => m.id);
  const bySender = (part: string) => (m: Sent) => has(m.sender, part);
  const byRcpt = (part: string) => (m: Sent) => m.rcpts.some((r) => has(r, part));

  /** Every page of the search (QUERY: `GET /api/mail` parameters), following nextCursor. */
  async function allPages(query: string, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: MailPage = await api.get<MailPage>(`/api/mail?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      ids.push(...page.messages.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  it('finds a whole address in any case, and every address that contains it, over both months', async () => {
    const lena = expected(bySender('lena.wagner@gmail.test'));
    // Lena in two cases, Helena, and the address with a longer domain: 4 of every 7 people messages.
    expect(lena).toHaveLength(36);
    expect(await allPages('sender=lena.wagner%40gmail.test', 100)).toEqual(lena);
    expect(await allPages('sender=LENA.WAGNER%40GMAIL.TEST', 7)).toEqual(lena);
    expect(await allPages(`sender=%C3%9CNAL.%C3%87ELIK`, 100)).toEqual(expected(bySender('ünal.çelik')));
  });

  it('keeps to the range: the last day holds only the recent messages of the address', async () => {
    const from = now - DAY_MS;
    const recent = expected(bySender('lena.wagner@gmail.test'), from);
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThan(36);
    expect(await allPages(`sender=lena.wagner%40gmail.test&from=${from}`, 5)).toEqual(recent);
  });

  it('finds nothing for an address no message has', async () => {
    expect(await allPages('sender=nobody%40nowhere.test', 100)).toEqual([]);
    expect(await allPages('rcpt=nobody%40nowhere.test', 100)).toEqual([]);
  });

  it('finds a recipient among several, and a domain part across addresses', async () => {
    expect(await allPages('rcpt=bob%40', 100)).toEqual(expected(byRcpt('bob@')));
    expect(await allPages('rcpt=EXAMPLE.TEST', 9)).toEqual(expected(byRcpt('example.test')));
  });

  it('gives the same results for a part in more addresses than the look-up takes (bloom filter path)', async () => {
    const many = expected(bySender('many.test'));
    expect(many).toHaveLength(BULK);
    expect(await allPages('sender=many.test', 400)).toEqual(many);
    expect(await allPages('rcpt=%40MANY', 1000)).toEqual(expected(byRcpt('@many')));
    // A part in 111 of those addresses (bulk7, bulk70-79, bulk700-799) takes the look-up again.
    expect(await allPages('sender=bulk7', 20)).toEqual(expected(bySender('bulk7')));
    expect(await allPages('sender=bulk7%40', 20)).toEqual(expected(bySender('bulk7@')));
  });

  it('combines address parts with other fields, with AND and with OR', async () => {
    expect(await allPages(`match=any&sender=paul.berg&subject=invoice`, 100)).toEqual(expected((m) => has(m.sender, 'paul.berg') || has(m.subject, 'invoice')));
    expect(await allPages(`sender=lena.wagner&rcpt=alice%40&verdict=quarantine`, 100)).toEqual(
      expected((m) => bySender('lena.wagner')(m) && byRcpt('alice@')(m) && m.action === 'quarantine'),
    );
    const where = { and: [{ field: 'rcpt', value: 'bob' }, { or: [{ field: 'sender', value: 'WAGNER@' }, { field: 'verdict', value: 'quarantine' }, { field: 'sender', value: 'nobody@' }] }] };
    const { status, body } = await api.call<MailPage>('POST', '/api/mail/search', { where, limit: 1000 });
    expect(status).toBe(200);
    expect(body.messages.map((m) => m.id)).toEqual(expected((m) => byRcpt('bob')(m) && (bySender('wagner@')(m) || m.action === 'quarantine')));
  });
});
