import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnot, zoneTxt, type RunningKnot } from '../auth/support/knot.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { waitFor } from '../harness/wait.js';
import { pythonDkimVerify, startRemoteServer } from '../outbound/support.js';

const ALICE = 'alice@example.test';

// Issue 13 (F6/F9): a copy the node relays for a forwarding rule carries an ARC set (ARC-Seal,
// ARC-Message-Signature, ARC-Authentication-Results) signed with the tenant domain's DKIM key; Debian's
// python3-dkim validates the chain against the key served by knotd, and fails it once the copy is altered.
describe('ARC sealing of forwarded copies', () => {
  const run = Date.now().toString(36);
  let cluster: TestCluster;
  let knot: RunningKnot;
  let remote: Awaited<ReturnType<typeof startRemoteServer>>;

  beforeAll(async () => {
    const [remotePort] = await freePorts(1);
    remote = await startRemoteServer(defined(remotePort, 'a port for the remote server'));
    cluster = await startCluster({
      nodes: 1,
      policy: (demo) => ({
        ...demo,
        outbound: { ...demo.outbound, delivery: { smarthosts: [{ senderDomain: '*', host: '127.0.0.1', port: defined(remotePort, 'remote port'), tls: 'none' }] } },
        forwarding: { rules: [{ name: 'alice copy', recipients: { kind: 'address', address: ALICE }, to: ['alice@remote.test'] }] },
      }),
    });
    const generated = (await cluster.moatJson(['dkim', 'generate', 'example.test', '--selector', 'arc1', '--algorithm', 'rsa'])) as { keys: { selector: string; dnsName: string; dnsStrings: string[] }[] };
    const key = defined(generated.keys.find((k) => k.selector === 'arc1'), 'the arc1 key');
    knot = await startKnot({ records: [{ name: key.dnsName, type: 'TXT', data: zoneTxt(key.dnsStrings) }] });
  });

  afterAll(async () => {
    await cluster?.stop();
    await knot?.stop();
    await remote?.close();
  });

  it('seals the copy (i=1, cv=none) with example.test; python3-dkim validates the chain; an altered copy fails', async () => {
    const subject = `arc ${run}`;
    // The node takes the keys from the CSM's stream a moment after they are made: send until a copy is sealed.
    const copy = await waitFor('a sealed copy at the remote server', async () => {
      const sent = await cluster.sendMail(0, { from: 'dave@sender.test', to: ALICE, subject, body: 'for alice and her copy\n' });
      expect(sent.code).toBe(250);
      const got = await waitFor('the copy', async () => remote.received.find((m) => m.raw.includes(`Subject: ${subject}`)));
      remote.received.splice(remote.received.indexOf(got), 1);
      return got.raw.startsWith('ARC-Seal:') || got.raw.includes('\r\nARC-Seal:') ? got : undefined;
    });
    expect(copy.to).toEqual(['alice@remote.test']);
    expect(copy.raw).toMatch(/ARC-Seal: i=1; a=rsa-sha256; (?:[^\r]*?)d=example\.test; s=arc1/);
    expect(copy.raw).toContain('ARC-Authentication-Results: i=1;');
    const verified = await pythonDkimVerify(Buffer.from(copy.raw, 'utf8'), knot.server, 'arc');
    expect(verified.output.trim().split(' ')[0], verified.output).toBe('pass');
    expect(verified.code).toBe(0);
    const altered = await pythonDkimVerify(Buffer.from(copy.raw.replace('for alice and her copy', 'for mallory instead'), 'utf8'), knot.server, 'arc');
    expect(altered.code, altered.output).not.toBe(0);
    const rows = await cluster.searchMail(['--subject', subject]);
    const detail = (await cluster.csmGet(`/api/mail/${defined(rows[0], 'the message row').id}`)) as { symbols: { name: string; detail: string }[] };
    expect(detail.symbols.find((s) => s.name === 'ARC_SEALED')?.detail).toBe('rule alice copy: i=1 cv=none d=example.test s=arc1');
  });
});
