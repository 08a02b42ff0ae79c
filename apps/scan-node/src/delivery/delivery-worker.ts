import type { DnsResolver } from '@moat/auth';
import { Direction, type HeldDomain } from '@moat/proto/grpc';
import { PROTO_ACTION, type NodeEvents } from '../events/node-events.js';
import { newMessageId } from '../ids.js';
import { errorText, type Logger } from '../log.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { Spool, SpoolEntry, SpoolMeta } from '../spool/spool.js';
import type { DeliveryHolds } from './delivery-holds.js';
import { DownstreamConnections, type RecipientResult } from './downstream-connections.js';
import { buildDsn, headerBlock, type FailedRecipient } from './dsn.js';
import { MtaStsPolicies } from './mta-sts.js';
import { outboundRoute, type DeliveryTarget, type RouteDeps } from './outbound-route.js';
import { tlsaText } from './dane.js';
import { nextRetry } from './retry-schedule.js';

export interface DeliveryDeps {
  spool: Spool;
  policies: PolicyStore;
  events: Pick<NodeEvents, 'message' | 'delivery'>;
  /** MX, MTA-STS and TLSA lookups of outbound mail (the node's resolver). */
  resolver: Pick<DnsResolver, 'query' | 'secure'>;
  log: Logger;
  /** Our name in EHLO to the downstream. */
  nodeName: string;
  /** Domains whose delivery is on hold (F9) and the messages parked for them. */
  holds: DeliveryHolds;
}

/** One delivery attempt of one message: its recipients split by destination, results gathered from each. */
interface Attempt {
  entry: SpoolEntry;
  /** The message bytes when they are still in memory (first attempt of new mail); read from the spool otherwise. */
  message: readonly Buffer[] | undefined;
  pendingJobs: number;
  results: Array<RecipientResult & { downstream: string }>;
  /** Called once the attempt has settled (results recorded, or the message parked). */
  settled?: () => void;
}

interface Job {
  attempt: Attempt;
  rcpts: string[];
}

/** A downstream with its queue; at most `concurrencyPerDestination` jobs run against it at once. */
interface Destination {
  connections: DownstreamConnections;
  queue: Job[];
  active: number;
}

const STOP_WAIT_MS = 10_000;
/** How often domains whose hold window closed are looked for. */
const HOLD_CHECK_MS = 500;

/**
 * Delivers spooled messages to each recipient domain's downstream (looked up in the current policy at every
 * attempt, so a corrected downstream applies to queued mail); outbound mail for other domains goes to the
 * sender domain's smarthost or by MX (outbound-route.ts). Per attempt every recipient ends delivered,
 * bounced (5xx) or deferred; deferred ones are retried on `policy.delivery.retryScheduleSeconds` until
 * `maxAgeSeconds`, then bounced. Each change is a DeliveryEvent. Bounced recipients get a DSN (dsn.ts) to
 * the sender, spooled and delivered like any message, with the null sender (so never a DSN for a DSN). A
 * message leaves the spool once every recipient is final.
 *
 * Recipients at a domain on hold (delivery-holds.ts) are not attempted: a message with nothing else to deliver is
 * parked in the spool until the domain's window closes or is released, then the domain's parked messages go one
 * at a time in order of receipt (so they reach the downstream in that order).
 */
export class DeliveryWorker {
  private readonly destinations = new Map<string, Destination>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Messages with an attempt running or scheduled, so that an entry is never attempted twice at once. */
  private readonly busy = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private stopping = false;
  private readonly holdTimer: NodeJS.Timeout;

  private readonly routes: RouteDeps;

  constructor(private readonly deps: DeliveryDeps) {
    const mtaSts = new MtaStsPolicies(deps.resolver, (domain, problem) => deps.log.warn(`MTA-STS for ${domain}: ${problem}`));
    this.routes = { resolver: deps.resolver, mtaSts };
    this.holdTimer = setInterval(() => {
      for (const domain of deps.holds.due()) this.releaseHeld(domain);
    }, HOLD_CHECK_MS);
    this.holdTimer.unref();
  }

  /**
   * Ends DOMAIN's open hold window (an administrator's release) and delivers its held mail now. Returns the
   * number of messages that were held.
   */
  async release(domain: string): Promise<{ messages: number; windowEndMs: number | undefined }> {
    const messages = this.deps.holds.report().find((h) => h.domain === domain)?.messages ?? 0;
    const span = await this.deps.holds.release(domain);
    if (!this.deps.holds.isHeld(domain)) this.releaseHeld(domain);
    return { messages, windowEndMs: span?.endMs };
  }

  /** Each domain's held queue and open window (for the heartbeat). */
  holdReport(): HeldDomain[] {
    return this.deps.holds.report();
  }

  /** Delivers DOMAIN's parked messages one at a time, oldest first, including any parked meanwhile. */
  private releaseHeld(domain: string): void {
    if (this.stopping || !this.deps.holds.startDraining(domain)) return;
    const drain = async () => {
      for (let entry = this.deps.holds.next(domain); entry && !this.stopping; entry = this.deps.holds.next(domain)) {
        const settled = new Promise<void>((resolve) => this.attempt(entry, undefined, { settled: resolve, draining: domain }));
        await settled;
      }
    };
    this.track(drain());
  }

  /**
   * Schedules a spooled message at its next attempt time (now for new mail). Ignored if already scheduled.
   * MESSAGE, the bytes just spooled, spares the first attempt a read from disk.
   */
  enqueue(entry: SpoolEntry, message?: readonly Buffer[]): void {
    const id = entry.meta.id;
    if (this.stopping || this.busy.has(id)) return;
    this.busy.add(id);
    const delay = entry.state.nextAttemptAtMs - Date.now();
    if (delay <= 0) {
      this.attempt(entry, message);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.attempt(entry);
    }, delay);
    this.timers.set(id, timer);
  }

  /** Messages with an attempt running or scheduled, and of those the ones waiting for a retry. */
  get queue(): { queued: number; retrying: number } {
    return { queued: this.busy.size, retrying: this.timers.size };
  }

  /** Stops scheduling, waits (bounded) for sends in progress, closes downstream connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.holdTimer);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const destination of this.destinations.values()) destination.queue.length = 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
    for (const destination of this.destinations.values()) destination.connections.close();
  }

  /** OPTIONS.draining: the held domain whose mail this attempt delivers (not held for it). */
  private attempt(entry: SpoolEntry, message?: readonly Buffer[], options: { settled?: () => void; draining?: string } = {}): void {
    this.track(
      this.route(entry, message, options).catch((err: unknown) => {
        this.deps.log.error(`message ${entry.meta.id}: delivery attempt failed, it will be retried after a restart`, err);
        options.settled?.();
      }),
    );
  }

  private async route(entry: SpoolEntry, message: readonly Buffer[] | undefined, options: { settled?: () => void; draining?: string }): Promise<void> {
    const policies = this.deps.policies;
    const attempt: Attempt = { entry, message, pendingJobs: 0, results: [], ...(options.settled ? { settled: options.settled } : {}) };
    const jobs = new Map<string, { downstream: DeliveryTarget; rcpts: string[] }>();
    let heldFor: string | undefined;
    for (const rcpt of entry.meta.rcptTo) {
      if (entry.state.done[rcpt]) continue;
      const domain = rcpt.slice(rcpt.lastIndexOf('@') + 1).toLowerCase();
      if (domain !== options.draining && this.deps.holds.isHeld(domain)) {
        heldFor ??= domain;
        continue;
      }
      let downstream: DeliveryTarget | undefined = policies.domain(domain)?.downstream;
      if (!downstream && entry.meta.direction === 'outbound') {
        const route = await outboundRoute(policies.ofTenant(entry.meta.tenant).policy.outbound, this.routes, entry.meta.mailFrom, domain);
        if (!('downstream' in route)) {
          attempt.results.push({ rcpt, outcome: route.outcome, response: route.response, downstream: '', tlsVersion: '' });
          continue;
        }
        downstream = route.downstream;
      }
      if (!downstream) {
        attempt.results.push({ rcpt, outcome: 'deferred', response: `no downstream configured for ${domain}`, downstream: '', tlsVersion: '' });
        continue;
      }
      const key = JSON.stringify([downstream.host, downstream.port, downstream.tls, downstream.tlsName ?? '', downstream.caBundle ?? '', downstream.dane?.map(tlsaText) ?? []]);
      const job = jobs.get(key) ?? { downstream, rcpts: [] };
      job.rcpts.push(rcpt);
      jobs.set(key, job);
    }
    attempt.pendingJobs = jobs.size;
    if (heldFor && jobs.size === 0 && attempt.results.length === 0) {
      this.deps.holds.park(heldFor, entry);
      attempt.settled?.();
      return;
    }
    if (jobs.size === 0) {
      await this.finish(attempt);
      return;
    }
    for (const [key, job] of jobs) {
      const destination = this.destination(key, job.downstream, policies.current.policy.delivery.connectTimeoutMs);
      destination.queue.push({ attempt, rcpts: job.rcpts });
      this.pump(destination);
    }
  }

  private destination(key: string, downstream: DeliveryTarget, connectTimeoutMs: number): Destination {
    let destination = this.destinations.get(key);
    if (!destination) {
      destination = { connections: new DownstreamConnections(downstream, { name: this.deps.nodeName, connectTimeoutMs }), queue: [], active: 0 };
      this.destinations.set(key, destination);
    }
    return destination;
  }

  private pump(destination: Destination): void {
    const limit = this.deps.policies.current.policy.delivery.concurrencyPerDestination;
    while (destination.active < limit && destination.queue.length > 0) {
      const job = destination.queue.shift()!;
      destination.active++;
      this.track(
        this.send(destination, job).finally(() => {
          destination.active--;
          this.pump(destination);
        }),
      );
    }
  }

  private async send(destination: Destination, job: Job): Promise<void> {
    const { entry } = job.attempt;
    const downstream = destination.connections.label;
    let results: RecipientResult[];
    try {
      const message = job.attempt.message ?? [await this.deps.spool.readMessage(entry.meta.id)];
      results = await destination.connections.send(entry.meta.mailFrom, job.rcpts, message);
    } catch (err) {
      results = job.rcpts.map((rcpt) => ({ rcpt, outcome: 'deferred', response: `local error: ${errorText(err)}`, tlsVersion: '' }));
    }
    job.attempt.results.push(...results.map((r) => ({ ...r, downstream })));
    if (--job.attempt.pendingJobs === 0) await this.finish(job.attempt);
  }

  /** Records the attempt's results: events, then removal from the spool or the next retry. */
  private async finish(attempt: Attempt): Promise<void> {
    try {
      await this.record(attempt);
    } finally {
      attempt.settled?.();
    }
  }

  private async record(attempt: Attempt): Promise<void> {
    const { entry } = attempt;
    const { meta, state } = entry;
    const now = Date.now();
    const attempts = state.attempts + 1;
    const deferred: typeof attempt.results = [];
    const failed: FailedRecipient[] = [];
    for (const result of attempt.results) {
      if (result.outcome === 'deferred') {
        deferred.push(result);
        continue;
      }
      state.done[result.rcpt] = result.outcome;
      this.deps.events.delivery(eventId(meta), result.rcpt, { status: result.outcome, downstream: result.downstream, response: result.response, attempts, atMs: now, tlsVersion: result.tlsVersion });
      if (result.outcome === 'bounced') {
        this.deps.log.warn(`message ${meta.id} bounced for ${result.rcpt}: ${result.response}`);
        failed.push({ rcpt: result.rcpt, response: result.response, remoteMta: result.downstream });
      }
    }
    const attempted = new Set(attempt.results.map((r) => r.rcpt));
    const held = meta.rcptTo.find((rcpt) => !state.done[rcpt] && !attempted.has(rcpt));
    try {
      const retry = deferred.length > 0 ? nextRetry(this.deps.policies.current.policy.delivery, meta.receivedAtMs, attempts, now) : undefined;
      if (retry && 'retryAtMs' in retry) {
        for (const r of deferred) this.deps.events.delivery(eventId(meta), r.rcpt, { status: 'deferred', downstream: r.downstream, response: r.response, attempts, atMs: now, tlsVersion: r.tlsVersion });
        entry.state = { attempts, nextAttemptAtMs: retry.retryAtMs, done: state.done };
        await this.deps.spool.saveState(entry);
        await this.bounce(attempt, failed);
        this.busy.delete(meta.id);
        this.enqueue(entry);
        return;
      }
      for (const r of deferred) {
        const response = `expired: not delivered within ${this.deps.policies.current.policy.delivery.maxAgeSeconds} s; last error: ${r.response}`;
        this.deps.events.delivery(eventId(meta), r.rcpt, { status: 'bounced', downstream: r.downstream, response, attempts, atMs: now, tlsVersion: r.tlsVersion });
        this.deps.log.warn(`message ${meta.id} bounced for ${r.rcpt}: ${response}`);
        failed.push({ rcpt: r.rcpt, response, remoteMta: r.downstream });
      }
      await this.bounce(attempt, failed);
      if (held) {
        // Only recipients at held domains are left: keep the progress and park the message for the first of them.
        entry.state = { attempts, nextAttemptAtMs: now, done: state.done };
        await this.deps.spool.saveState(entry);
        this.deps.holds.park(held.slice(held.lastIndexOf('@') + 1).toLowerCase(), entry);
        return;
      }
      await this.deps.spool.remove(entry);
      this.busy.delete(meta.id);
    } catch (err) {
      // The spool could not record progress; keep the entry busy so it is not retried on stale state until restart.
      this.deps.log.error(`message ${meta.id}: delivery state not saved, it will be retried after a restart`, err);
    }
  }

  /**
   * Sends the sender a DSN for FAILED (nothing for the null sender: a DSN is never answered by another; a
   * forwarded copy's DSN goes to its `bounceTo`, the original sender when SRS stood for it). It is
   * spooled before the original leaves the spool, is reported as a message of its own (symbol DSN), and goes
   * the way any mail to that address goes: the tenant's downstream for a tenant address, else outbound.
   */
  private async bounce(attempt: Attempt, failed: readonly FailedRecipient[]): Promise<void> {
    const original = attempt.entry.meta;
    if (failed.length === 0 || (original.copyOf ? original.copyOf.bounceTo : original.mailFrom) === '') return;
    const bytes = attempt.message ? Buffer.concat([...attempt.message]) : await this.deps.spool.readMessage(original.id);
    await this.notifySender(original, bytes, failed);
  }

  /**
   * Spools and reports a DSN for FAILED to the sender of ORIGINAL (BYTES: its message); also used for a message
   * an approver rejected, and (KIND `held`) to tell the sender that a message waits for an approver. Nothing for
   * the null sender.
   */
  async notifySender(original: SpoolMeta, bytes: Buffer, failed: readonly FailedRecipient[], kind: 'failed' | 'held' = 'failed'): Promise<void> {
    const bounceTo = original.copyOf ? original.copyOf.bounceTo : original.mailFrom;
    if (failed.length === 0 || bounceTo === '') return;
    const dsn = buildDsn({ nodeName: this.deps.nodeName, original: { ...original, mailFrom: bounceTo }, failed, originalHeaders: headerBlock(bytes), now: Date.now(), kind });
    const subject = kind === 'held' ? 'Message held for approval' : 'Undelivered Mail Returned to Sender';
    await this.sendNotice(bounceTo, dsn, subject, { name: 'DSN', detail: `delivery status notification for ${original.id}: ${failed.map((f) => f.rcpt).join(', ')}` }, original.tenant);
  }

  /**
   * Sends the tenant's administrator at TO a plain-text alert (a compromised-account sign tripped), from the null
   * sender like a DSN, reported as a message of its own with symbol COMPROMISE_ALERT.
   */
  async notifyAdmin(to: string, subject: string, lines: readonly string[], tenant?: string): Promise<void> {
    const date = new Date().toUTCString().replace('GMT', '+0000');
    const text = [`From: Moat <MAILER-DAEMON@${this.deps.nodeName}>`, `To: <${to}>`, `Subject: ${subject}`, `Date: ${date}`, `Message-ID: <${newMessageId()}@${this.deps.nodeName}>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', ...lines, ''].join('\r\n');
    await this.sendNotice(to, Buffer.from(text, 'utf8'), subject, { name: 'COMPROMISE_ALERT', detail: `${subject} (to ${to})` }, tenant);
  }

  /**
   * Spools and reports a message the node wrote itself (null sender) for TO, in TENANTID's name (absent: tenant
   * default), inbound when TO is at a tenant domain.
   */
  private async sendNotice(to: string, bytes: Buffer, subject: string, symbol: { name: string; detail: string }, tenantId?: string): Promise<void> {
    const { version, tenant } = this.deps.policies.ofTenant(tenantId);
    const now = Date.now();
    const message = [bytes];
    const outbound = !this.deps.policies.domain(to.slice(to.lastIndexOf('@') + 1).toLowerCase());
    const meta: SpoolMeta = { id: newMessageId(now), receivedAtMs: now, mailFrom: '', rcptTo: [to], clientIp: '', helo: '', action: 'deliver', score: 0, policyVersion: version, ...(tenantId ? { tenant: tenantId } : {}), ...(outbound ? { direction: 'outbound' as const } : {}) };
    const entry = await this.deps.spool.put(meta, message);
    this.deps.events.message({
      id: meta.id,
      tenant,
      receivedAtMs: now,
      direction: outbound ? Direction.DIRECTION_OUTBOUND : Direction.DIRECTION_INBOUND,
      envelope: { mailFrom: '', rcptTo: meta.rcptTo, clientIp: '', clientHostname: '', helo: '', tls: false, authenticatedUser: '', tlsVersion: '', tlsCipher: '', tlsServerName: '' },
      headers: { subject, from: `MAILER-DAEMON@${this.deps.nodeName}`, to, messageId: '', date: '', replyTo: '' },
      action: PROTO_ACTION.deliver,
      score: 0,
      symbols: [{ ...symbol, score: 0, stage: 'data' }],
      attachments: [],
      urls: [],
      delivery: { status: 'queued', downstream: '', response: '', attempts: 0, atMs: now, tlsVersion: '' },
      timings: { sessionMs: 0, scanMs: 0, spoolMs: 0 },
      policyVersion: version,
      sizeBytes: bytes.length,
      smtpReply: '',
      bodyText: '',
    });
    this.enqueue(entry, message);
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }
}

/** The message whose delivery history an entry's events belong to: the copied message for a copy. */
function eventId(meta: SpoolMeta): string {
  return meta.copyOf?.of ?? meta.id;
}
