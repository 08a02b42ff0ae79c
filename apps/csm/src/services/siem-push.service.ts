import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ExportedEvent } from '@moat/bus';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { CsmConfig, type SiemDestination } from '../csm-config.js';
import { ConfigRepository } from '../repositories/config.repository.js';
import { SyslogSenderRepository, type SyslogConnection } from '../repositories/syslog-sender.repository.js';
import { errorMessage } from '../util/errors.js';
import { retryUntilDone } from '../util/retry.js';
import { syslogFrame } from '../util/syslog.js';
import { ExportLogService } from './export-log.service.js';

/** Events per write: one buffer, one wait for the socket to take it (the back-pressure step). */
export const PUSH_BATCH = 500;
/** Longest wait for new events before the confirmed position is looked at again. */
export const IDLE_MS = 1000;
export const CONNECT_TIMEOUT_MS = 10_000;
/** On shutdown, how long the receiver has to close after our FIN. */
export const END_TIMEOUT_MS = 5000;
export const MIN_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 30_000;

/**
 * Pushes the export log to each configured SIEM destination as syslog, one loop per destination, from the
 * position it confirmed (KV `export.position.<name>`). A TCP write is not a receipt: an event counts as
 * confirmed once it was handed to the socket `replayMs` ago and the connection is still up; when the
 * connection fails, the loop reconnects (backoff 0.5 s doubling to 30 s) and sends again from the confirmed
 * position. At-least-once: the events written in the last `replayMs` before a failure may arrive twice;
 * none is lost unless a receiver holds events unread for longer than that and then dies.
 */
@Injectable()
export class SiemPushService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('siem');
  private readonly stopping = new AbortController();
  private runs: Promise<void>[] = [];
  private readonly host = hostname();

  constructor(
    private readonly config: CsmConfig,
    private readonly exportLog: ExportLogService,
    private readonly positions: ConfigRepository,
    private readonly sender: SyslogSenderRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.runs = this.config.siemDestinations.map((d) => this.run(d));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.runs);
  }

  /** Connects, streams and reconnects until the CSM stops. */
  async run(destination: SiemDestination): Promise<void> {
    const signal = this.stopping.signal;
    const name = destination.name;
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    let confirmed = 0;
    await retryUntilDone(`export position of ${name}`, async () => void (confirmed = await this.positions.getExportPosition(name)), signal, this.logger);
    let delayMs = MIN_BACKOFF_MS;
    while (!signal.aborted) {
      let connection: SyslogConnection;
      try {
        connection = await this.sender.connect(destination, CONNECT_TIMEOUT_MS);
      } catch (err) {
        this.logger.warn(`${name}: cannot connect to ${destination.host}:${destination.port}, retrying in ${delayMs} ms: ${errorMessage(err)}`);
        await sleep(delayMs, undefined, { signal }).catch(() => undefined);
        delayMs = Math.min(delayMs * 2, MAX_BACKOFF_MS);
        continue;
      }
      delayMs = MIN_BACKOFF_MS;
      this.logger.log(`${name}: connected to ${destination.host}:${destination.port}${destination.tls ? ' (TLS)' : ''}, sending after position ${confirmed}`);
      confirmed = await this.stream(destination, connection, confirmed, signal, stopped);
    }
  }

  /** Sends from position FROM until the connection fails or SIGNAL aborts (STOPPED); returns the confirmed position. */
  private async stream(destination: SiemDestination, connection: SyslogConnection, from: number, signal: AbortSignal, stopped: Promise<void>): Promise<number> {
    const window = new ReplayWindow(from, destination.replayMs);
    let persisted = from;
    let warned = false;
    const persist = async (seq: number) => {
      if (seq <= persisted) return;
      try {
        await this.positions.putExportPosition(destination.name, seq);
        persisted = seq;
        warned = false;
      } catch (err) {
        if (!warned) this.logger.warn(`${destination.name}: position ${seq} not stored yet (KV unavailable; what follows it is sent again after a restart): ${errorMessage(err)}`);
        warned = true;
      }
    };
    let failure: string | undefined;
    void connection.closed.then((reason) => (failure ??= reason));
    const interrupted = Promise.race([connection.closed, stopped]);
    let sent = from;
    while (!signal.aborted && failure === undefined) {
      await persist(window.confirm(Date.now()));
      let events: ExportedEvent[];
      try {
        events = await this.exportLog.read(sent, PUSH_BATCH);
      } catch (err) {
        this.logger.warn(`${destination.name}: export log unreadable, retrying: ${errorMessage(err)}`);
        await Promise.race([sleep(2000), interrupted]);
        continue;
      }
      if (!events.length) {
        await Promise.race([this.exportLog.nextAppend(IDLE_MS), interrupted]);
        continue;
      }
      try {
        await connection.write(Buffer.concat(events.map((e) => syslogFrame(e, destination.format, this.host))));
      } catch (err) {
        failure ??= errorMessage(err);
        break;
      }
      sent = events.at(-1)?.seq ?? sent;
      window.written(sent, Date.now());
    }
    if (failure === undefined && (await connection.end(END_TIMEOUT_MS))) {
      // Stopping: our FIN follows the last event and the receiver closed after reading to it.
      await persist(sent);
      return sent;
    }
    connection.destroy();
    this.logger.warn(`${destination.name}: connection lost (${failure ?? 'no clean close'}); sending again after position ${window.confirmed}`);
    return window.confirmed;
  }
}

/** Positions written to the socket, confirmed once they were written REPLAYMS ago with the connection still up. */
export class ReplayWindow {
  private readonly pending: { seq: number; atMs: number }[] = [];

  constructor(
    public confirmed: number,
    private readonly replayMs: number,
  ) {}

  written(seq: number, atMs: number): void {
    this.pending.push({ seq, atMs });
  }

  /** Confirms what was written at least replayMs before NOW; returns the confirmed position. */
  confirm(now: number): number {
    while (this.pending.length && (this.pending[0]?.atMs ?? now) <= now - this.replayMs) this.confirmed = this.pending.shift()?.seq ?? this.confirmed;
    return this.confirmed;
  }
}
