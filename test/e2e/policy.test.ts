import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';

const listEdit = z.object({ version: z.number(), values: z.array(z.string()) });

// Issue 2: list changes go through the CSM as new policy versions, reach every node within 5 seconds, and
// `moat status` shows which version each node runs. Also: policy get/set, quarantine and release.
describe('policy changes through the CLI', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const bothNodesOn = (version: number) =>
    waitFor(
      `both nodes to report policy version ${version}`,
      async () => {
        const status = await cluster.status();
        return status.policyVersion === version && status.nodes.length === 2 && status.nodes.every((n) => n.up && n.policyVersion === version) ? status : undefined;
      },
      { timeoutMs: 20_000 },
    );

  it('ip-block 127.0.0.1 makes both nodes refuse within 5 s, status shows the version, removal restores delivery', async () => {
    const before = await cluster.status();
    const added = listEdit.parse(await cluster.moatJson(['list', 'add', 'ip-block', '127.0.0.1']));
    const changedAt = Date.now();
    expect(added.version).toBeGreaterThan(before.policyVersion);
    expect(added.values).toContain('127.0.0.1');

    for (const node of [0, 1]) {
      const refusal = await waitFor(
        `node ${node + 1} to refuse 127.0.0.1`,
        async () => {
          const r = await cluster.sendMail(node, { from: 'x@remote.test', to: 'alice@example.test', subject: `blocked probe ${node}` });
          return r.accepted ? undefined : r;
        },
        { timeoutMs: 5000 - (Date.now() - changedAt), intervalMs: 100 },
      );
      expect(refusal.code).toBeGreaterThanOrEqual(500);
    }
    expect(Date.now() - changedAt).toBeLessThan(5000);
    await bothNodesOn(added.version);

    const shown = await cluster.moat(['list', 'show', 'ip-block']);
    expect(shown.stdout.trim().split('\n')).toEqual(['127.0.0.1']);

    const removed = listEdit.parse(await cluster.moatJson(['list', 'remove', 'ip-block', '127.0.0.1']));
    expect(removed.version).toBe(added.version + 1);
    expect(removed.values).not.toContain('127.0.0.1');
    for (const node of [0, 1]) {
      await waitFor(`node ${node + 1} to accept again`, async () => {
        const r = await cluster.sendMail(node, { from: 'x@remote.test', to: 'alice@example.test', subject: `restored ${node}` });
        return r.accepted ? r : undefined;
      });
    }
    await cluster.waitForMailbox(2, (m) => m.subject.startsWith('restored '));
    await bothNodesOn(removed.version);
  });

  it('refuses an invalid list value with the reason, without a new version', async () => {
    const before = (await cluster.status()).policyVersion;
    const bad = await cluster.moat(['list', 'add', 'ip-block', '300.1.1.1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/IPv4\/IPv6 address or CIDR/);
    const usage = await cluster.moat(['list', 'add', 'mx-block', 'x']);
    expect(usage.code).toBe(2);
    expect((await cluster.status()).policyVersion).toBe(before);
  });

  it('gets the policy, refuses an invalid file with every problem listed, and sets a valid one', async () => {
    const got = await cluster.moat(['policy', 'get']);
    expect(got.code).toBe(0);
    const policy = z.looseObject({ domains: z.array(z.looseObject({ name: z.string() })) }).parse(JSON.parse(got.stdout));
    expect(policy.domains.map((d) => d.name)).toEqual(['example.test']);

    const before = (await cluster.status()).policyVersion;
    const invalid = join(cluster.varDir, 'invalid-policy.json');
    await writeFile(invalid, JSON.stringify({ ...policy, thresholds: { tag: 20, quarantine: 10, reject: 15 }, surprise: true }));
    const refused = await cluster.moat(['policy', 'set', invalid]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not a valid policy');
    expect(refused.stderr).toContain('thresholds');
    expect(refused.stderr).toContain('surprise');
    const notJson = join(cluster.varDir, 'not-json.json');
    await writeFile(notJson, '{ "domains": [');
    expect((await cluster.moat(['policy', 'set', notJson])).stderr).toContain('not valid JSON');
    expect((await cluster.status()).policyVersion).toBe(before);

    const valid = join(cluster.varDir, 'valid-policy.json');
    await writeFile(valid, JSON.stringify({ ...policy, smtp: { banner: 'Moat e2e ESMTP' } }));
    const set = await cluster.moat(['policy', 'set', valid, '--comment', 'e2e banner']);
    expect(set.code).toBe(0);
    expect(set.stdout.trim()).toBe(`policy version ${before + 1}`);
    const versions = await cluster.moat(['policy', 'versions']);
    expect(versions.stdout).toContain('e2e banner');
  });

  it('quarantines by policy, then releases: the message is delivered and marked released', async () => {
    const original = await cluster.moat(['policy', 'get']);
    const policy = JSON.parse(original.stdout) as Record<string, unknown>;
    // Every message scores at least 0, so a quarantine threshold of 0 holds everything.
    const strict = join(cluster.varDir, 'quarantine-all.json');
    await writeFile(strict, JSON.stringify({ ...policy, thresholds: { tag: 0, quarantine: 0, reject: 100 } }));
    expect((await cluster.moat(['policy', 'set', strict])).code).toBe(0);
    const strictVersion = (await cluster.status()).policyVersion;
    await bothNodesOn(strictVersion);

    const sent = await cluster.sendMail(1, { from: 'someone@remote.test', to: 'bob@example.test', subject: 'hold me' });
    expect(sent.accepted).toBe(true);
    const row = await waitFor('the quarantined message in the search', async () => {
      const [found] = await cluster.searchMail(['--subject', 'hold me', '--verdict', 'quarantine']);
      return found;
    });
    expect(row.released).toBe(false);
    expect((await cluster.mailbox()).filter((m) => m.subject === 'hold me')).toEqual([]);

    const originalFile = join(cluster.varDir, 'original.json');
    await writeFile(originalFile, original.stdout);
    expect((await cluster.moat(['policy', 'set', originalFile])).code).toBe(0);

    const released = await cluster.moat(['mail', 'release', row.id]);
    expect(released.stderr).toBe('');
    expect(released.code).toBe(0);
    expect(released.stdout).toContain(`released ${row.id}`);
    const delivered = await cluster.waitForMailbox(1, (m) => m.subject === 'hold me');
    expect(delivered.map((m) => m.deliveredTo)).toEqual([['bob@example.test']]);
    await waitFor('the message marked released', async () => {
      const [r] = await cluster.searchMail(['--subject', 'hold me']);
      return r?.released ? r : undefined;
    });
    const again = await cluster.moat(['mail', 'release', row.id]);
    expect(again.code).toBe(1);
  });
});
