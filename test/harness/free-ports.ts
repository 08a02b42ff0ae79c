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
  const [http, grpc, nats, clamd, downstream, ...perNode] = await freePorts(5 + 2 * nodes);
  if (downstream === undefined || http === undefined || grpc === undefined || nats === undefined || clamd === undefined) throw new Error('not enough free ports');
  return { http, grpc, nats, clamd, downstream, smtp: perNode.slice(0, nodes), metrics: perNode.slice(nodes) };
}
