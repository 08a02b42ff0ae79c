import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BodyStoreRepository, type BodyStoreUsage, type StoredBody } from '../repositories/body-store.repository.js';
import { DEFAULT_TENANT } from '../repositories/config.repository.js';
import { EventStoreRepository, type MailDetail } from '../repositories/event-store.repository.js';
import { ConflictError, errorMessage, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { messageView, type MessageView } from '../util/message-view.js';
import { AuditService } from './audit.service.js';
import { ControlService } from './control.service.js';
import { inScope } from './mail.service.js';
import { PolicyService } from './policy.service.js';

/** How often expired bodies of delivered mail are deleted from moat_bodies. */
const SWEEP_INTERVAL_MS = 10 * 60_000;
/** The store's size is listed at most this often (it lists every object of both buckets). */
const USAGE_CACHE_MS = 5000;
/**
 * An address to forward to: local part without spaces, brackets or quotes (at most 64), a host name with a dot.
 * Linear: the domain's labels each end with their dot, the top-level label has letters only.
 */
const FORWARD_ADDRESS = /^[^\s@<>()[\],;:"\\]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,63}$/;

/** The result of forwarding one kept message. */
export interface ForwardResult {
  ok: boolean;
  nodeId: string;
  detail: string;
}

/**
 * Kept message bodies (F24): the download from mail tracking (audited), the sweeper that deletes bodies past
 * their retention, and the store's size for the status page. A body past its time is gone even before the
 * sweeper ran: the download checks the expiry it was stored with.
 */
@Injectable()
export class MessageBodyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MessageBodyService.name);
  private timer: NodeJS.Timeout | undefined;
  private usageCache: { atMs: number; usage: Promise<BodyStoreUsage | null> } | undefined;

  constructor(
    private readonly bodies: BodyStoreRepository,
    private readonly store: EventStoreRepository,
    private readonly policy: PolicyService,
    private readonly audit: AuditService,
    private readonly control: ControlService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** `GET /api/mail/:id/body`: the message as received (with Moat's trace headers); 404 when not kept or expired. */
  async download(id: string, admin: string, nowMs = Date.now()): Promise<Buffer> {
    const { body } = await this.kept(id, nowMs);
    await this.audit.record({ admin, action: 'mail.body', target: id, detail: `${body.raw.length} bytes from ${body.bucket === 'bodies' ? 'moat_bodies' : 'moat_quarantine'}` });
    return body.raw;
  }

  /** `GET /api/mail/:id/body/view`: the kept message's parts as text (HTML as its source); 409 when it cannot be read. */
  async view(id: string, admin: string, nowMs = Date.now()): Promise<MessageView> {
    const { body } = await this.kept(id, nowMs);
    const view = await messageView(body.raw).catch((err: unknown) => {
      throw new ConflictError(`the body of message ${id} cannot be read: ${errorMessage(err)}`);
    });
    await this.audit.record({ admin, action: 'mail.body', target: id, detail: 'viewed' });
    return view;
  }

  /**
   * Forwards the kept message ID to address TO through a connected node (its outbound delivery), with a
   * `X-Moat-Admin-Forward` trace header, from postmaster@ the tenant's first domain; audited `mail.forward`.
   * InvalidInputError for a bad address, NotFoundError when the body is not kept, UnavailableError without a node.
   */
  async forward(id: string, to: string, admin: string, nowMs = Date.now()): Promise<ForwardResult> {
    if (!FORWARD_ADDRESS.test(to) || to.length > 254) throw new InvalidInputError('invalid forward', [`to: must be an email address, got ${JSON.stringify(to.slice(0, 80))}`]);
    const { mail, body } = await this.kept(id, nowMs);
    const nodeId = this.control.connected(mail.nodeId) ? mail.nodeId : this.control.connectedNodes()[0];
    if (!nodeId) throw new UnavailableError('no scan node is connected to the CSM to deliver the message');
    const { policy } = await this.policy.of(mail.tenant || DEFAULT_TENANT).get();
    const domain = policy.domains[0]?.name;
    const trace = `X-Moat-Admin-Forward: message ${id} by ${admin.replace(/[^\x20-\x7e]/g, '?')} to ${to}\r\n`;
    const reply = await this.control
      .forward(nodeId, { messageId: id, mailFrom: domain ? `postmaster@${domain}` : '', to, raw: Buffer.concat([Buffer.from(trace, 'ascii'), body.raw]) })
      .catch((err: unknown) => ({ ok: false, error: errorMessage(err), detail: '' }));
    await this.audit.recordQuietly({ admin, action: 'mail.forward', target: id, detail: reply.ok ? `to ${to} via node ${nodeId}` : `to ${to}: ${reply.error}`, ok: reply.ok });
    return reply.ok ? { ok: true, nodeId, detail: reply.detail || `forwarded to ${to}` } : { ok: false, nodeId, detail: reply.error || 'the node refused the forward' };
  }

  /** Message ID (of the call's tenant, util/tenant-scope.ts) with its kept body; NotFoundError when either is missing. */
  private async kept(id: string, nowMs: number): Promise<{ mail: MailDetail; body: StoredBody }> {
    const mail = inScope(await this.store.getMail(id));
    if (!mail) throw new NotFoundError(`no message with id ${id}`);
    const { policy } = await this.policy.of(mail.tenant || DEFAULT_TENANT).get();
    const retention = mail.direction === 'outbound' ? policy.retention.outbound : policy.retention.inbound;
    const body = retention.bodies === 'none' ? undefined : await this.bodies.find(id);
    if (!body && retention.bodies === 'none') throw new NotFoundError(`the body of message ${id} is not kept: the retention policy keeps no ${mail.direction} bodies`);
    if (!body) throw new NotFoundError(`the body of message ${id} is not kept (retention ${retention.bodies}, ${retention.days} days): it was never stored or was deleted`);
    if (body.expiresAtMs !== undefined && body.expiresAtMs <= nowMs) throw new NotFoundError(`the body of message ${id} is not kept: past its ${retention.days} days of retention`);
    return { mail, body };
  }

  /** Deletes the kept bodies past their retention; returns how many (0 while NATS is down, logged). */
  async sweep(nowMs = Date.now()): Promise<number> {
    try {
      return await this.bodies.sweep(nowMs);
    } catch (err) {
      this.logger.warn(`body retention sweep failed: ${errorMessage(err)}`);
      return 0;
    }
  }

  /** Size of the body store for `/api/status`; null while NATS cannot answer. */
  usage(nowMs = Date.now()): Promise<BodyStoreUsage | null> {
    if (!this.usageCache || nowMs - this.usageCache.atMs >= USAGE_CACHE_MS) this.usageCache = { atMs: nowMs, usage: this.bodies.usage().catch(() => null) };
    return this.usageCache.usage;
  }
}
