import { getServers } from 'node:dns';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';

const resolverSchema = z.object({ source: z.string(), servers: z.array(z.string()), warning: z.string() });

// Issue 15 finding 6: a node reports the resolver its checks ask (the policy's dns.servers, or the machine's
// from /etc/resolv.conf) in its heartbeat; `moat status` and `--json` show it, with a warning while sender
// authentication runs on the system resolver. Real CSM, NATS and node.
describe('the effective DNS resolver of a node', () => {
  let cluster: TestCluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1 });
    dir = await mkdtemp(join(tmpdir(), 'moat-resolver-'));
  });
  afterAll(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const reported = (want: (r: z.infer<typeof resolverSchema>) => boolean) =>
    waitFor(
      'the resolver in the node heartbeat',
      async () => {
        const node = (await cluster.status()).nodes[0];
        const resolver = node?.up ? resolverSchema.safeParse(node.resolver) : undefined;
        return resolver?.success && want(resolver.data) ? resolver.data : undefined;
      },
      { timeoutMs: 30_000 },
    );

  it('is the system resolver without dns.servers, with a sender-authentication warning in status and --json', async () => {
    const resolver = await reported((r) => r.source === 'system');
    expect(resolver.servers).toEqual(getServers());
    expect(resolver.warning).toContain("sender authentication runs on the machine's resolver");
    const text = await cluster.moat(['status']);
    expect(text.stdout).toMatch(/POLICY +DNS/);
    expect(text.stdout).toContain(`system ${getServers().join(', ') || 'none'}`);
    expect(text.stdout).toContain("warning: node-1: sender authentication runs on the machine's resolver");
  });

  it("is the policy's servers once dns.servers is set, without the warning", async () => {
    const got = await cluster.moat(['policy', 'get']);
    const policy = z.looseObject({ dns: z.looseObject({}) }).parse(JSON.parse(got.stdout));
    const file = join(dir, 'policy.json');
    await writeFile(file, JSON.stringify({ ...policy, dns: { ...policy.dns, servers: ['127.0.0.1:53535'] } }));
    const set = await cluster.moat(['policy', 'set', file, '--comment', 'resolver of record']);
    expect(set.code, set.stderr).toBe(0);
    const resolver = await reported((r) => r.source === 'configured');
    expect(resolver).toEqual({ source: 'configured', servers: ['127.0.0.1:53535'], warning: '' });
    const text = await cluster.moat(['status']);
    expect(text.stdout).toContain('127.0.0.1:53535');
    expect(text.stdout).not.toContain('warning:');
  });
});
