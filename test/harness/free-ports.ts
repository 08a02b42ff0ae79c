import type { ClusterPorts } from '@moat/cli/cluster';
import { createServer, type Server } from 'node:net';

/**
 * Distinct free TCP ports on 127.0.0.1, chosen by the kernel. All are held open until every one is chosen,
 * so the same port is never handed out twice; suites running at the same time get different ports.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      servers.push(server);
    }
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** Free ports for every listener of a local cluster with `nodes` scan nodes. */
export async function freeClusterPorts(nodes: number): Promise<ClusterPorts> {
  const [http, grpc, enrol, nats, clamd, downstream, internet, ...perNode] = await freePorts(7 + 4 * nodes);
  if (downstream === undefined || http === undefined || grpc === undefined || enrol === undefined || nats === undefined || clamd === undefined || internet === undefined) throw new Error('not enough free ports');
  const slice = (i: number) => perNode.slice(i * nodes, (i + 1) * nodes);
  return { http, grpc, enrol, nats, clamd, downstream, internet, smtp: slice(0), metrics: slice(1), submission: slice(2), submissions: slice(3) };
}
