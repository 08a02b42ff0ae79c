import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { mapLimit, range } from '../harness/pool.js';
import { waitFor } from '../harness/wait.js';

// Issue 2: a real SMTP client sends 100 messages split over two nodes; all 100 reach the demo mailbox,
// ClickHouse holds exactly 100 message rows, and `moat stats` shows 100.
describe('relay through a two-node cluster', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('delivers 100 messages sent over two nodes, records exactly 100 rows and counts 100', async () => {
    const sent = await mapLimit(range(100), 10, (i) =>
      cluster.sendMail(i % 2, { from: `sender${i}@remote.test`, to: i % 3 === 0 ? 'bob@example.test' : 'alice@example.test', subject: `relay #${i}`, body: `message ${i}\n` }),
    );
    expect(sent.filter((r) => !r.accepted)).toEqual([]);

    const stored = await cluster.waitForMailbox(100, (m) => m.subject.startsWith('relay #'));
    expect(stored).toHaveLength(100);
    expect(new Set(stored.map((m) => m.subject)).size).toBe(100);

    const stats = await waitFor('moat stats to count 100 messages', async () => {
      const s = await cluster.stats();
      return s.total >= 100 ? s : undefined;
    });
    expect(stats.total).toBe(100);
    expect(stats.byDirectionAction.reduce((n, r) => n + r.count, 0)).toBe(100);
    expect(stats.byDirectionAction.filter((r) => r.action === 'deliver').reduce((n, r) => n + r.count, 0)).toBe(100);

    const rows = await cluster.searchMail();
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.id)).size).toBe(100);
    expect(new Set(rows.map((r) => r.nodeId)).size).toBe(2);
    expect(rows.every((r) => r.action === 'deliver')).toBe(true);

    // Nothing arrives twice later (redelivered events, duplicate inserts).
    await new Promise((r) => setTimeout(r, 3000));
    expect((await cluster.stats()).total).toBe(100);
    expect((await cluster.mailbox()).length).toBe(100);
  });

  it('finds messages by sender, recipient and subject, and explains one', async () => {
    const bySender = await cluster.searchMail(['--sender', 'sender7@remote.test']);
    expect(bySender.map((r) => r.subject)).toEqual(['relay #7']);
    const toBob = await cluster.searchMail(['--rcpt', 'bob@example.test']);
    expect(toBob).toHaveLength(34);
    const shown = await cluster.moat(['mail', 'show', defined(bySender[0], 'the message from sender7').id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('relay #7');
    expect(shown.stdout).toContain('verdict   deliver');
  });

  it('prints human-readable status and stats', async () => {
    const status = await cluster.moat(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^policy version \d+ {3}NATS ok {3}ClickHouse ok/);
    expect(status.stdout).toContain('node-1');
    expect(status.stdout).toContain('node-2');
    const stats = await cluster.moat(['stats', '--from', '0']);
    expect(stats.stdout).toMatch(/^total 100\b/);
  });
});
