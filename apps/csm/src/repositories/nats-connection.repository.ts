import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { natsServers } from '@moat/bus';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { CsmConfig } from '../csm-config.js';
import { errorMessage, UnavailableError } from '../util/errors.js';
import { NatsRepository, type Health } from './nats.repository.js';

/**
 * Connects in the background and keeps reconnecting forever, so the CSM starts and serves health and login
 * while NATS is down, and resumes every NATS-backed task once it is back.
 */
@Injectable()
export class NatsConnectionRepository extends NatsRepository implements OnApplicationShutdown {
  private readonly logger = new Logger('nats');
  private readonly connected: Promise<NatsConnection>;
  private nc: NatsConnection | undefined;
  private state: Health = { ok: false, detail: 'connecting' };

  constructor(private readonly config: CsmConfig) {
    super();
    this.connected = connect({
      servers: natsServers(config.natsUrl),
      name: 'moat-csm',
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
    this.connected.then(
      (nc) => this.track(nc),
      (err: unknown) => {
        this.state = { ok: false, detail: errorMessage(err) };
        this.logger.error(`cannot connect to ${config.natsUrl}: ${errorMessage(err)}`);
      },
    );
  }

  async connection(timeoutMs = 3000): Promise<NatsConnection> {
    if (this.nc) return this.nc;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UnavailableError(`NATS at ${this.config.natsUrl} is not reachable: ${this.state.detail}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.connected, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  health(): Health {
    return this.state;
  }

  async onApplicationShutdown(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  private track(nc: NatsConnection): void {
    this.nc = nc;
    this.state = { ok: true, detail: `connected to ${nc.getServer()}` };
    this.logger.log(this.state.detail);
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.state = { ok: false, detail: `disconnected from ${this.config.natsUrl}, reconnecting` };
        if (status.type === 'reconnect') this.state = { ok: true, detail: `connected to ${nc.getServer()}` };
        if (status.type === 'disconnect' || status.type === 'reconnect') this.logger.log(this.state.detail);
      }
    })();
  }
}
