import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePorts } from './free-ports.js';

/**
 * A TCP relay on 127.0.0.1 in front of a real mail server that keeps every byte the client side sends, per
 * connection, exactly as it went over the wire (a downstream's own parser would already have read line ends
 * and dots its way). Point a node's plain-text downstream at `port`.
 */
export class ByteRecorder {
  /** What each connection sent, in connection order. */
  readonly sessions: Buffer[][] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly server: Server,
  ) {}

  static async start(targetPort: number): Promise<ByteRecorder> {
    const [port] = await freePorts(1);
    const server = createServer();
    const recorder = new ByteRecorder(port!, server);
    server.on('connection', (client) => recorder.relay(client, targetPort));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return recorder;
  }

  /** Every byte every connection sent, one buffer per connection. */
  get received(): Buffer[] {
    return this.sessions.map((chunks) => Buffer.concat(chunks));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, targetPort: number): void {
    const chunks: Buffer[] = [];
    this.sessions.push(chunks);
    const server = connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, server]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        server.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.pipe(server);
    server.pipe(client);
  }
}
