import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Action } from '@moat/proto/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMail } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';
import { Downstream, Nats, ScanNode, testPolicy } from '../scan-node/support/scan-node.js';
import { Haproxy, type ProxyMode } from './support/haproxy.js';

// Two scan nodes with MOAT_PROXY_PROTOCOL=1 behind a real HAProxy, once with PROXY v1 and once with v2. The
// clients connect from other loopback addresses (127.0.0.2, 127.0.0.3) than HAProxy does (127.0.0.1), and only
// 127.0.0.1 is a trusted network, so every address the nodes act on can only have come from the PROXY header.
const CLIENT = '127.0.0.2';
const BLOCKED = '127.0.0.3';

describe('scan nodes behind HAProxy', () => {
  let nats: Nats;
  let downstream: Downstream;
  let nodes: ScanNode[];

  beforeAll(async () => {
    nats = await Nats.start();
    downstream = await Downstream.start();
    const policy = testPolicy(downstream.port, { smtp: { trustedNetworks: ['127.0.0.1/32'] }, lists: { ipBlock: [BLOCKED] } });
    nodes = await Promise.all(['proxy-node-1', 'proxy-node-2'].map((name) => ScanNode.create(name, nats.url, policy)));
    await Promise.all(nodes.map((node) => node.start({ MOAT_PROXY_PROTOCOL: '1' })));
  });
  afterAll(async () => {
    await Promise.all((nodes ?? []).map((node) => node.remove()));
    await downstream?.pause();
    await nats?.stop();
  });

  describe.each<ProxyMode>(['send-proxy', 'send-proxy-v2'])('with %s', (mode) => {
    let haproxy: Haproxy;
    /** Node output before this HAProxy started, so each mode is judged on its own log lines. */
    let outputBefore: number[];

    beforeAll(async () => {
      outputBefore = nodes.map((node) => node.output.length);
      haproxy = await Haproxy.start(mode, nodes.map((node) => node.smtpPort));
    });
    afterAll(async () => {
      await haproxy?.stop();
    });

    it('passes health checks on both nodes, and their SMTP side logs nothing about them', async () => {
      // 200 ms between checks: after 1.5 s each node has answered several.
      await sleep(1500);
      const servers = await haproxy.servers();
      expect(servers, haproxy.output).toEqual([
        { name: 'node-1', status: 'UP', checkStatus: 'L7OK', failedChecks: 0 },
        { name: 'node-2', status: 'UP', checkStatus: 'L7OK', failedChecks: 0 },
      ]);
      // The SMTP component only: the node's CSM link, with no CSM in this test, warns on its own schedule.
      nodes.forEach((node, i) => expect(node.output.slice(outputBefore[i])).not.toMatch(/ (warn|error) smtp: /));
    });

    it(`relays mail from ${CLIENT} through both nodes, which see and record ${CLIENT}`, async () => {
      const subjects = [1, 2, 3, 4].map((n) => `${mode} from ${CLIENT} #${n}`);
      for (const subject of subjects) {
        expect(await sendMail(haproxy.port, { from: 'friend@remote.test', to: 'alice@example.test', subject }, { localAddress: CLIENT })).toMatchObject({ accepted: true, code: 250 });
      }
      for (const subject of subjects) {
        const [received] = await waitFor(`"${subject}" at the downstream`, async () => (downstream.withSubject(subject).length ? downstream.withSubject(subject) : undefined));
        expect(received!.raw).toMatch(new RegExp(`^Received: from \\S+ \\(unknown \\[${CLIENT.replaceAll('.', '\\.')}\\]\\)`));
      }
      // Round-robin: two messages went through each node, and each node's events name the real client.
      for (const node of nodes) {
        const events = await waitFor(`${node.name}'s events`, async () => {
          const found = (await nats.messageEvents(node.name)).filter((e) => subjects.includes(e.headers?.subject ?? ''));
          return found.length === 2 ? found : undefined;
        });
        for (const event of events) expect(event).toMatchObject({ action: Action.ACTION_DELIVER, envelope: { clientIp: CLIENT } });
      }
    });

    it(`refuses mail from ${BLOCKED}, on the ip-block list, by the address in the PROXY header`, async () => {
      const refusals = async () => (await Promise.all(nodes.map((node) => nats.messageEvents(node.name)))).flat().filter((e) => e.envelope?.clientIp === BLOCKED);
      const earlier = new Set((await refusals()).map((e) => e.id));
      const subject = `${mode} from ${BLOCKED}`;
      const sent = await sendMail(haproxy.port, { from: 'friend@remote.test', to: 'alice@example.test', subject }, { localAddress: BLOCKED });
      expect(sent).toMatchObject({ accepted: false, code: 554 });
      const refusal = await waitFor('the refusal event', async () => (await refusals()).find((e) => !earlier.has(e.id)));
      expect(refusal.action).toBe(Action.ACTION_REJECT);
      expect(refusal.symbols.map((s) => s.name)).toContain('IP_BLOCKLIST');
      expect(downstream.withSubject(subject)).toEqual([]);
    });
  });

  it('closes, with one log line, a connection that sends a PROXY header from outside the trusted networks', async () => {
    const node = nodes[0]!;
    const before = node.output.length;
    const closed = await forgedProxyHeader(node.smtpPort, CLIENT, 'PROXY TCP4 198.51.100.9 127.0.0.1 40000 25\r\n');
    expect(closed).toEqual({ greeting: '', closed: true });
    await waitFor('the log line', async () => (node.output.slice(before).includes(`PROXY: connection from ${CLIENT} closed: a PROXY header is accepted only from policy.smtp.trustedNetworks`) ? true : undefined), { timeoutMs: 5000 });
  });

  it('closes, with one log line, a connection from the proxy whose header is garbage', async () => {
    const node = nodes[1]!;
    const before = node.output.length;
    const closed = await forgedProxyHeader(node.smtpPort, '127.0.0.1', 'PROXY TCP4 evil.example 127.0.0.1 40000 25\r\nEHLO x\r\n');
    expect(closed).toEqual({ greeting: '', closed: true });
    await waitFor('the log line', async () => (node.output.slice(before).includes('PROXY: connection from 127.0.0.1 closed: v1 addresses are not TCP4 addresses') ? true : undefined), { timeoutMs: 5000 });
    // The node still serves the proxy.
    expect((await forgedProxyHeader(node.smtpPort, '127.0.0.1', 'PROXY TCP4 192.0.2.1 127.0.0.1 40000 25\r\n')).greeting).toMatch(/^220 /);
  });
});

/**
 * Connects from LOCALADDRESS straight to a node, sends HEADER, and reports what came back before the node closed.
 * A node that closes at once may reset the connection under the header being written: that is a close too.
 */
function forgedProxyHeader(port: number, localAddress: string, header: string): Promise<{ greeting: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    let greeting = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ greeting, closed: false });
    }, 3000);
    socket.on('connect', () => socket.write(header));
    socket.on('data', (chunk: Buffer) => {
      greeting += chunk.toString();
      if (greeting.startsWith('220 ') && !socket.writableEnded) socket.end('QUIT\r\n');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ greeting, closed: true });
    });
    socket.on('error', () => undefined);
  });
}
