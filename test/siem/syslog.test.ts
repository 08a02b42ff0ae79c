import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEventsStream } from '@moat/bus';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../harness/free-ports.js';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from '../csm/support/api.js';
import { messageEvent, publishMessage } from '../csm/support/events.js';
import { buildCsm, startCsm, startNats, removeTempDirs, tempDir, type Csm, type NatsServer } from '../csm/support/processes.js';
import { makeTestPki, Rsyslog } from './support/rsyslog.js';

interface EventPage {
  events: { seq: number; id: string; kind: string }[];
  cursor: string;
}

/** The duplicate window of both destinations. */
const REPLAY_MS = 2000;
const HOSTILE_SUBJECT = 'x=1 | y\\ \r\n<13>1 - forged - - - CEF:0|forged|';

/** Every event id in the export log, through the pull API. */
async function exportedIds(api: CsmApi): Promise<string[]> {
  const ids: string[] = [];
  let cursor = '';
  for (;;) {
    const page = await api.get<EventPage>(`/api/events?limit=1000&cursor=${cursor}`);
    if (!page.events.length) return ids;
    ids.push(...page.events.map((e) => e.id));
    cursor = page.cursor;
  }
}

type Format = 'json' | 'cef' | 'leef';

/** How often each id arrived at a receiver: JSON lines carry `id`, CEF lines `externalId=`, LEEF lines `id=`. */
function receivedCounts(lines: string[], format: Format): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const id = format === 'json' ? (JSON.parse(line) as { id: string }).id : (format === 'cef' ? /externalId=(\S+)/ : /\^id=([^^]+)/).exec(line)?.[1];
    if (!id) throw new Error(`a line without an event id: ${line}`);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

// The CSM pushes the export log to three real rsyslogd receivers: TCP with JSON, TLS with CEF, TCP with LEEF;
// they are stopped (SIGTERM, SIGKILL) and started again while events flow, and so is the CSM.
describe('syslog push to a SIEM', () => {
  let nats: NatsServer;
  let csm: Csm;
  let nc: NatsConnection;
  let api: CsmApi;
  let tcp: Rsyslog;
  let tls: Rsyslog;
  let leef: Rsyslog;
  /** Every receiver with the format its destination sends. */
  let receivers: [Rsyslog, Format][];
  let csmEnv: Parameters<typeof startCsm>[0];
  const run = Date.now().toString(36);
  let published = 0;
  const publish = async (count: number, gapMs = 0) => {
    for (let i = 0; i < count; i++) {
      const n = published++;
      await publishMessage(nc, messageEvent(`${run}-${n}`, n === 3 ? { headers: { subject: HOSTILE_SUBJECT, from: '', to: '', messageId: '', date: '', replyTo: '' } } : {}));
      if (gapMs) await sleep(gapMs);
    }
  };

  beforeAll(async () => {
    buildCsm();
    const [tcpPort, tlsPort, leefPort] = await freePorts(3);
    const pki = makeTestPki(await tempDir('moat-siem-pki-'));
    const otherPki = makeTestPki(await tempDir('moat-siem-other-pki-'));
    tcp = new Rsyslog(await tempDir('moat-siem-tcp-'), tcpPort!);
    tls = new Rsyslog(await tempDir('moat-siem-tls-'), tlsPort!, pki);
    leef = new Rsyslog(await tempDir('moat-siem-leef-'), leefPort!);
    receivers = [
      [tcp, 'json'],
      [tls, 'cef'],
      [leef, 'leef'],
    ];
    for (const [receiver] of receivers) await receiver.start();
    nats = await startNats();
    const dataDir = await tempDir('moat-siem-csm-');
    const destinations = [
      { name: 'soc-tcp', host: '127.0.0.1', port: tcpPort, format: 'json', replayMs: REPLAY_MS },
      { name: 'soc-tls', host: '127.0.0.1', port: tlsPort, tls: true, ca: pki.ca, format: 'cef', replayMs: REPLAY_MS },
      { name: 'soc-leef', host: '127.0.0.1', port: leefPort, format: 'leef', replayMs: REPLAY_MS },
      // The same receiver, but its certificate does not chain to this CA: nothing may be sent there.
      { name: 'soc-untrusted', host: '127.0.0.1', port: tlsPort, tls: true, ca: otherPki.ca, format: 'cef', replayMs: REPLAY_MS },
    ];
    csmEnv = { natsUrl: nats.url, dataDir, MOAT_SIEM_DESTINATIONS: JSON.stringify(destinations) };
    csm = await startCsm(csmEnv);
    api = await CsmApi.withCliToken(csm);
    nc = await connect({ servers: nats.url });
    await ensureEventsStream(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await csm?.stop();
    await nats?.stop();
    for (const [receiver] of receivers ?? []) await receiver.stop();
    await removeTempDirs();
  });

  const allArrived = async (expected: string[]) => {
    for (const [receiver, format] of receivers) {
      await waitFor(`${expected.length} events at the ${format} receiver`, async () => {
        const counts = receivedCounts(receiver.lines(), format);
        return expected.every((id) => counts.has(id)) ? true : undefined;
      }, { timeoutMs: 60_000 });
    }
  };

  it('delivers every event to every receiver, a hostile subject inside its one line', async () => {
    await publish(100);
    await waitFor('200 message and finding events exported', async () => ((await exportedIds(api)).filter((id) => id.includes(run)).length === 200 ? true : undefined));
    const expected = await exportedIds(api);
    await allArrived(expected);
    for (const [receiver, format] of receivers) {
      const counts = receivedCounts(receiver.lines(), format);
      expect([...counts.values()].every((c) => c === 1)).toBe(true);
      expect([...counts.keys()].sort()).toEqual([...expected].sort());
    }
    const hostileJson = tcp.lines().find((l) => l.includes(`"message:${run}-3"`));
    expect((JSON.parse(hostileJson ?? '{}') as { subject: string }).subject).toBe(HOSTILE_SUBJECT);
    const hostileCef = tls.lines().filter((l) => l.includes(`externalId=message:${run}-3 `));
    expect(hostileCef).toHaveLength(1);
    const hostileLeef = leef.lines().filter((l) => l.includes(`^id=message:${run}-3^`));
    expect(hostileLeef).toHaveLength(1);
    expect(hostileLeef[0]?.split('^')).toContain(`subject=${HOSTILE_SUBJECT.replace(/[\r\n]/g, ' ')}`);
    expect(hostileCef[0]).toContain('msg=x\\=1 | y\\\\ \\r\\n<13>1 - forged - - - CEF:0|forged|');
    // Each event once at the TLS receiver (above), so the destination with the wrong CA sent nothing.
    expect(csm.child.output).toMatch(/soc-untrusted: cannot connect to 127\.0\.0\.1:\d+, retrying in \d+ ms: .*certificate/);
  });

  it('loses nothing across a restart of the receivers while events flow; repeats only inside the replay window', async () => {
    const before = new Set(await exportedIds(api));
    // Sent longer ago than the replay window: confirmed, so never sent again.
    await sleep(REPLAY_MS + 500);
    const flowing = publish(300, 10);
    await sleep(1000);
    for (const [receiver] of receivers) await receiver.stop();
    await sleep(1500);
    for (const [receiver] of receivers) await receiver.start();
    await flowing;
    await waitFor('all 800 message and finding events exported', async () => ((await exportedIds(api)).filter((id) => id.includes(run)).length === 800 ? true : undefined));
    const expected = await exportedIds(api);
    await allArrived(expected);
    for (const [receiver, format] of receivers) {
      const counts = receivedCounts(receiver.lines(), format);
      expect([...counts.keys()].sort()).toEqual([...expected].sort());
      const repeated = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
      expect(repeated.filter((id) => before.has(id))).toEqual([]);
      console.log(`${format} receiver: ${expected.length} events, ${repeated.length} received twice (sent in the ${REPLAY_MS} ms before the receiver stopped)`);
    }
  });

  it('loses nothing when a receiver is killed (SIGKILL) while events flow', async () => {
    const before = new Set(await exportedIds(api));
    const counted = new Map(receivers.map(([r, format]) => [r, receivedCounts(r.lines(), format)]));
    await sleep(REPLAY_MS + 500);
    const flowing = publish(300, 10);
    await sleep(1000);
    for (const [receiver] of receivers) await receiver.stop('SIGKILL');
    await sleep(1500);
    for (const [receiver] of receivers) await receiver.start();
    await flowing;
    await waitFor('all 1400 message and finding events exported', async () => ((await exportedIds(api)).filter((id) => id.includes(run)).length === 1400 ? true : undefined));
    const expected = await exportedIds(api);
    await allArrived(expected);
    for (const [receiver, format] of receivers) {
      const counts = receivedCounts(receiver.lines(), format);
      expect([...counts.keys()].sort()).toEqual([...expected].sort());
      const earlier = counted.get(receiver);
      const repeated = [...counts].filter(([id, c]) => c > (earlier?.get(id) ?? 1)).map(([id]) => id);
      expect(repeated.filter((id) => before.has(id))).toEqual([]);
      console.log(`${format} receiver after SIGKILL: ${expected.length - before.size} new events, ${repeated.length} received twice`);
    }
  });

  it('resumes from the stored positions across a CSM restart: nothing lost, nothing sent twice', async () => {
    const before = new Set(await exportedIds(api));
    const counted = new Map(receivers.map(([r, format]) => [r, receivedCounts(r.lines(), format)]));
    const flowing = publish(200, 10);
    await sleep(800);
    await csm.stop();
    await sleep(500);
    csm = await startCsm(csmEnv);
    api = await CsmApi.withCliToken(csm);
    await flowing;
    await waitFor('all 1800 message and finding events exported', async () => ((await exportedIds(api)).filter((id) => id.includes(run)).length === 1800 ? true : undefined));
    const expected = await exportedIds(api);
    await allArrived(expected);
    for (const [receiver, format] of receivers) {
      const counts = receivedCounts(receiver.lines(), format);
      expect([...counts.keys()].sort()).toEqual([...expected].sort());
      const earlier = counted.get(receiver);
      const repeated = [...counts].filter(([id, c]) => c > (earlier?.get(id) ?? 1) && !before.has(id)).map(([id]) => id);
      expect(repeated).toEqual([]);
    }
  });
});
