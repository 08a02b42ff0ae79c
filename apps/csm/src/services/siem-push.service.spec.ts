import type { AuditExport } from '@moat/bus';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiemDestination } from '../csm-config.js';
import { SyslogSenderRepository, type SyslogConnection } from '../repositories/syslog-sender.repository.js';
import { InMemoryConfigRepository, InMemoryEventStore, testConfig } from '../testing/in-memory-repositories.js';
import { ExportLogService } from './export-log.service.js';
import { ReplayWindow, SiemPushService } from './siem-push.service.js';

const audit = (n: number): AuditExport => ({ id: `audit:${n}`, kind: 'audit', atMs: n, admin: 'a', action: 'x', target: String(n), detail: '', ok: true });

/** A receiver that records the ids it got; `cut()` breaks the current connection as a receiver restart would. */
class FakeReceiver extends SyslogSenderRepository {
  received: string[] = [];
  connections = 0;
  down = false;
  private current: { fail: (reason: string) => void } | undefined;

  async connect(): Promise<SyslogConnection> {
    if (this.down) throw new Error('connection refused');
    this.connections++;
    let fail: (reason: string) => void = () => undefined;
    const closed = new Promise<string>((resolve) => (fail = resolve));
    let broken: string | undefined;
    void closed.then((reason) => (broken = reason));
    this.current = { fail };
    return {
      write: async (bytes) => {
        if (broken) throw new Error(broken);
        for (const match of bytes.toString().matchAll(/"id":"([^"]+)"/g)) this.received.push(match[1] ?? '');
      },
      closed,
      end: async () => {
        fail('ended');
        return true;
      },
      destroy: () => fail('destroyed'),
    };
  }

  cut(): void {
    this.current?.fail('receiver restarted');
  }
}

const until = async (what: string, test: () => boolean) => {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!test()) throw new Error(`timed out waiting for ${what}`);
};

describe('SiemPushService', () => {
  let service: SiemPushService | undefined;
  afterEach(async () => service?.beforeApplicationShutdown());

  const setUp = (replayMs: number) => {
    const store = new InMemoryEventStore();
    const log = new ExportLogService(store);
    const positions = new InMemoryConfigRepository();
    const receiver = new FakeReceiver();
    const destination: SiemDestination = { name: 'soc', host: '127.0.0.1', port: 6514, tls: false, ca: undefined, format: 'json', replayMs };
    const config = testConfig({ MOAT_SIEM_DESTINATIONS: JSON.stringify([destination]) });
    service = new SiemPushService(config, log, positions, receiver);
    return { log, positions, receiver, start: () => service?.onApplicationBootstrap() };
  };

  it('sends every event in order and stores the position once it is confirmed', async () => {
    const { log, positions, receiver, start } = setUp(0);
    await log.append([1, 2, 3].map(audit));
    start();
    await until('3 events', () => receiver.received.length === 3);
    await log.append([audit(4)]);
    await until('4 events', () => receiver.received.length === 4);
    expect(receiver.received).toEqual(['audit:1', 'audit:2', 'audit:3', 'audit:4']);
    const last = (await log.read(0, 10)).at(-1)?.seq;
    await until('position stored', () => positions.exportPositions.get('soc') === last);
  });

  it('sends again what was written inside the replay window when the connection breaks, and nothing older', async () => {
    const { log, positions, receiver, start } = setUp(60_000);
    await log.append([1, 2].map(audit));
    positions.exportPositions.set('soc', (await log.read(0, 1))[0]?.seq ?? 0);
    start();
    await until('audit:2', () => receiver.received.length === 1);
    receiver.cut();
    await until('a second connection', () => receiver.connections === 2 && receiver.received.length === 2);
    await log.append([audit(3)]);
    await until('audit:3', () => receiver.received.length === 3);
    expect(receiver.received).toEqual(['audit:2', 'audit:2', 'audit:3']);
  });

  it('stores the last position sent when it stops with a clean close', async () => {
    const { log, positions, receiver, start } = setUp(60_000);
    await log.append([1, 2].map(audit));
    start();
    await until('2 events', () => receiver.received.length === 2);
    await service?.beforeApplicationShutdown();
    service = undefined;
    expect(positions.exportPositions.get('soc')).toBe((await log.read(0, 10)).at(-1)?.seq);
  });
});

describe('ReplayWindow', () => {
  it('confirms a position once it was written the window ago', () => {
    const window = new ReplayWindow(5, 1000);
    window.written(7, 100);
    window.written(9, 600);
    expect(window.confirm(1000)).toBe(5);
    expect(window.confirm(1100)).toBe(7);
    expect(window.confirm(5000)).toBe(9);
  });
});
