import { AUTH_RESULTS_FIELD, withoutForgedAuthResults } from '@moat/auth';
import { authservId, framingProblem, withBareCrNormalised, type Direction, type MessageVerdict, type Pipeline, type ScanSession, type ScanSymbol, type StageResult, type Verdict } from '@moat/pipeline';
import type { DirectionRetention } from '@moat/policy';
import type { SMTPServerAddress, SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { FailedRecipient } from '../delivery/dsn.js';
import { arcSeal, type DkimSigner } from '../dkim/dkim-signer.js';
import type { NodeEvents } from '../events/node-events.js';
import { planForwarding, type ForwardedCopy, type ForwardingPlan } from '../forwarding/forwarding-plan.js';
import { srsReverse } from '../forwarding/srs.js';
import type { SrsKey } from '../forwarding/srs-key.js';
import { newMessageId } from '../ids.js';
import { errorText, type Logger } from '../log.js';
import type { TimedStage } from '../metrics/node-metrics.js';
import type { ActivePolicy, PolicyStore } from '../policy/policy-store.js';
import type { Spool, SpoolEntry, SpoolMeta } from '../spool/spool.js';
import { collectMessage, type CollectedMessage } from './collect-message.js';
import { compromiseAlert } from './compromise-alert.js';
import { ConnectionCounter } from './connection-counter.js';
import { END_OF_DATA, SYNC_ERROR } from './pipelining-guard.js';
import { SessionLimits, type LimitReply } from './session-limits.js';
import type { SubmissionAuth } from './submission-auth.js';
import { tlsFacts } from './tls-facts.js';
import { traceHeaders, withoutMoatHeaders } from './trace-headers.js';
import { newTransaction, nodeVerdict, transactionEvent, type ClientFacts, type Outcome, type Transaction } from './transaction.js';

/** relay: the MX listener; submission (STARTTLS) and submissions (implicit TLS) take the tenant's outbound mail. */
export type SmtpMode = 'relay' | 'submission' | 'submissions';

export interface GatewayDeps {
  nodeName: string;
  mode: SmtpMode;
  /** Checks AUTH on the submission listeners. */
  auth?: SubmissionAuth;
  /** Signs outbound mail with its domain's active DKIM key. */
  signer?: Pick<DkimSigner, 'sign' | 'keyFor'>;
  /** The cluster's SRS key: forwarded copies' senders, bounces to them. */
  srs: Pick<SrsKey, 'key'>;
  policies: PolicyStore;
  pipeline: Pipeline;
  spool: Spool;
  delivery: {
    enqueue(entry: SpoolEntry, message?: readonly Buffer[]): void;
    notifySender(original: SpoolMeta, bytes: Buffer, failed: readonly FailedRecipient[], kind: 'held'): Promise<void>;
    notifyAdmin(to: string, subject: string, lines: readonly string[], tenant?: string): Promise<void>;
  };
  quarantine: { store(meta: SpoolMeta, message: readonly Buffer[]): Promise<unknown> };
  /** Keeps a copy of delivered mail's body when the policy's retention asks for it (moat_bodies). */
  bodies: { keep(meta: SpoolMeta, message: readonly Buffer[], direction: Direction, retention: DirectionRetention): void };
  events: NodeEvents;
  /** Receives the time each SMTP stage's checks and each spool write took (the node's metrics). */
  stages: { stage(stage: TimedStage, ms: number): void };
  log: Logger;
  /** Ends a connection with a 421 reply (the data timeout). */
  closeConnection(sessionId: string, reply: string): void;
}

/** Per connection: the policy it started under, its scan session and the transaction in progress. */
interface ConnectionState {
  policy: ActivePolicy;
  scan: ScanSession;
  client: ClientFacts;
  /** The address counted against the per-IP limit (the connecting one, even after XCLIENT). */
  countedIp: string;
  limits: SessionLimits;
  tx: Transaction | undefined;
  /** The client sent more after the final dot before the reply (refused: `smtp.forbidUnauthPipelining`). */
  pipelinedAfterData?: boolean;
  /** The scan session of the transaction in progress: `scan` (inbound), or an outbound one made at MAIL. */
  txScan: ScanSession;
}

const TEMPORARY_FAILURE = { code: 451, message: '4.3.0 Error: temporary local problem, try again later' };

type Callback = (err?: Error | null) => void;

/**
 * The node's SMTP logic behind smtp-server's hooks: every stage goes through the scan pipeline under the policy
 * the connection started with, refusals are answered from the stage result, and at the end of DATA the verdict
 * decides between spool (deliver, tag), quarantine store (quarantine, hold), discard and refusal. Every
 * transaction that reached a verdict produces exactly one MessageEvent.
 */
export class SmtpGateway {
  private readonly connections = new Map<string, ConnectionState>();
  private readonly perIp = new ConnectionCounter();

  constructor(private readonly deps: GatewayDeps) {}

  get activeConnections(): number {
    return this.connections.size;
  }

  onConnect(session: SMTPServerSession, callback: Callback): void {
    const policy = this.deps.policies.current;
    const clientIp = session.remoteAddress;
    if (!this.perIp.acquire(clientIp, policy.policy.smtp.maxConnectionsPerIp)) {
      callback(smtpError(421, '4.7.0 Error: too many connections from your address, try again later'));
      return;
    }
    const client: ClientFacts = { clientIp, helo: '', ...tlsFacts(session) };
    const scan = this.newScan(policy, client, this.deps.mode === 'relay' ? 'inbound' : 'outbound');
    const state: ConnectionState = { policy, scan, client, countedIp: clientIp, limits: new SessionLimits(policy.policy.smtp), tx: undefined, txScan: scan };
    this.connections.set(session.id, state);
    this.guard(callback, async () => {
      const result = await this.timed('connect', () => state.scan.connect());
      if (result.ok) return callback();
      state.tx = newTransaction(newMessageId(), policy);
      this.refuse(state, result, callback);
      this.finishRefused(state);
    });
  }

  /** AUTH PLAIN / LOGIN on the submission listeners (smtp-server offers AUTH only there, and on 587 only after STARTTLS). */
  onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession, callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void): void {
    const checker = this.deps.auth;
    if (!checker || this.deps.mode === 'relay') return callback(smtpError(502, '5.5.1 Error: AUTH not available on this port'));
    checker.authenticate(session.remoteAddress, auth.username ?? '', auth.password ?? '').then(
      (outcome) => (outcome.ok ? callback(null, { user: outcome.user }) : callback(smtpError(outcome.code, outcome.message))),
      (err: unknown) => {
        this.deps.log.error('AUTH check failed', err);
        callback(smtpError(454, '4.7.0 Error: temporary authentication failure, try again later'));
      },
    );
  }

  onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void {
    const state = this.connections.get(session.id);
    if (!state) return callback(smtpError(TEMPORARY_FAILURE.code, TEMPORARY_FAILURE.message));
    const overLimit = state.limits.beforeMail();
    if (overLimit) return callback(limitError(overLimit));
    this.guard(callback, async () => {
      this.finishRefused(state);
      state.tx = newTransaction(newMessageId(), state.policy);
      state.tx.mailFrom = address.address;
      const changed = await this.followClientChanges(state, session);
      if (changed && !changed.ok) return this.refuse(state, changed, callback);
      const direction = this.directionOf(state, session, address.address);
      if (!direction) {
        const verdict = nodeVerdict('reject', 'AUTH_REQUIRED', 'MAIL without AUTH on the submission port', 'mail');
        return this.refuse(state, { ok: false, reply: { code: 530, message: '5.7.0 Error: authentication required' }, verdict }, callback);
      }
      state.tx.direction = direction;
      state.tx.authenticatedUser = direction === 'outbound' && typeof session.user === 'string' ? session.user : '';
      // Outbound mail is its sender's tenant's (F18): the authenticated user's domain, else the envelope sender's.
      if (direction === 'outbound') state.tx.policy = this.deps.policies.forAddress(state.tx.authenticatedUser || address.address);
      state.txScan = direction === 'inbound' ? state.scan : this.newScan(state.tx.policy, state.client, 'outbound', state.tx.authenticatedUser || undefined);
      const result = await this.timed('mail', () => state.txScan.mailFrom(address.address));
      if (!result.ok) return this.refuse(state, result, callback);
      callback();
    });
  }

  onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void {
    const state = this.connections.get(session.id);
    const tx = state?.tx;
    if (!state || !tx) return callback(smtpError(503, '5.5.1 Error: need MAIL command'));
    const overLimit = state.limits.beforeRcpt(tx.rcptTo.length);
    if (overLimit) return callback(limitError(overLimit));
    const owner = tx.direction === 'inbound' ? this.deps.policies.forDomain(domainOf(address.address)) : undefined;
    if (owner && owner.tenant !== tx.policy.tenant) {
      // One tenant per transaction (F18): its policy judges the whole message, so a recipient of another waits.
      if (tx.rcptTo.length > 0) return callback(smtpError(451, '4.3.0 Error: recipients of another tenant, send them in another transaction'));
      this.guard(callback, async () => {
        const switched = await this.switchTenant(state, tx, owner);
        if (!switched.ok) {
          tx.refusedRcpts.push(address.address);
          return this.refuse(state, switched, callback);
        }
        this.acceptRcpt(state, tx, address, callback);
      });
      return;
    }
    this.acceptRcpt(state, tx, address, callback);
  }

  /**
   * Makes OWNER's policy the transaction's (its first recipient is at one of OWNER's domains): a scan session
   * under it runs the connect, HELO and MAIL checks again, so that tenant's settings judge them too.
   */
  private async switchTenant(state: ConnectionState, tx: Transaction, owner: ActivePolicy): Promise<StageResult> {
    tx.policy = owner;
    state.txScan = this.newScan(owner, state.client, 'inbound');
    const connected = await this.timed('connect', () => state.txScan.connect());
    if (!connected.ok) return connected;
    if (state.client.helo) {
      const greeted = await this.timed('helo', () => state.txScan.helo(state.client.helo));
      if (!greeted.ok) return greeted;
    }
    return this.timed('mail', () => state.txScan.mailFrom(tx.mailFrom));
  }

  /** RCPT under the transaction's tenant: an SRS address of ours, else the RCPT checks. */
  private acceptRcpt(state: ConnectionState, tx: Transaction, address: SMTPServerAddress, callback: Callback): void {
    const srs = this.srsRecipient(tx, address.address);
    if (srs && !srs.ok) {
      tx.refusedRcpts.push(address.address);
      const verdict = nodeVerdict(srs.temporary ? 'tempfail' : 'reject', 'SRS_INVALID', `${address.address}: ${srs.reason}`, 'rcpt');
      const reply = srs.temporary ? { code: 451, message: '4.3.0 Error: SRS address cannot be checked yet, try again later' } : { code: 550, message: '5.7.1 Error: invalid SRS address' };
      return this.refuse(state, { ok: false, reply, verdict }, callback);
    }
    if (srs) {
      // A bounce of a copy we forwarded: it goes back to the sender the address stands for, past the RCPT checks.
      tx.rcptTo.push(address.address);
      tx.srsReturns.push({ rcpt: address.address, to: srs.address });
      state.limits.recipientAccepted();
      return callback();
    }
    this.guard(callback, async () => {
      const result = await this.timed('rcpt', () => state.txScan.rcptTo(address.address));
      if (!result.ok) {
        tx.refusedRcpts.push(address.address);
        return this.refuse(state, result, callback);
      }
      tx.rcptTo.push(address.address);
      state.limits.recipientAccepted();
      callback();
    });
  }

  onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void): void {
    const state = this.connections.get(session.id);
    const tx = state?.tx;
    if (!state || !tx) {
      stream.resume();
      stream.once('end', () => callback(smtpError(503, '5.5.1 Error: need MAIL command')));
      return;
    }
    tx.rcptTo = session.envelope.rcptTo.map((rcpt) => rcpt.address);
    const limits = state.policy.policy.smtp;
    const timer = setTimeout(() => this.deps.closeConnection(session.id, `4.4.2 Error: DATA not completed within ${limits.dataTimeoutMs} ms`), limits.dataTimeoutMs);
    collectMessage(stream, limits.maxMessageBytes)
      .finally(() => clearTimeout(timer))
      .then(
        async (collected) => {
          const outcome = await this.decide(state, tx, collected).catch((err: unknown): Outcome => {
            this.deps.log.error(`message ${tx.id} from ${state.client.clientIp} could not be processed`, err);
            return { verdict: nodeVerdict('tempfail', 'LOCAL_FAILURE', String(err)), reply: `${TEMPORARY_FAILURE.code} ${TEMPORARY_FAILURE.message}`, status: 'rejected' };
          });
          this.report(state, tx, outcome);
          state.tx = undefined;
          state.limits.messageDone();
          const code = Number(outcome.reply.slice(0, 3));
          if (code < 400) return callback(null, outcome.reply.slice(4));
          const closing = state.limits.refused();
          callback(closing ? limitError(closing) : smtpError(code, outcome.reply.slice(4)));
        },
        // The client left (or hit the data timeout) before the final dot: no verdict, nothing to report.
        () => {
          state.tx = undefined;
        },
      );
  }

  /** The connection saw input after the final dot before its reply: the message it ends is refused. */
  pipelinedAfterData(sessionId: string): void {
    const state = this.connections.get(sessionId);
    if (state) state.pipelinedAfterData = true;
  }

  private async decide(state: ConnectionState, tx: Transaction, collected: CollectedMessage): Promise<Outcome> {
    const limits = state.policy.policy.smtp;
    if (state.pipelinedAfterData) return pipeliningRefusal(collected.tooBig ? collected.bytes : collected.raw.length);
    if (collected.tooBig) {
      const reply = `552 5.3.4 Error: message exceeds the size limit of ${limits.maxMessageBytes} bytes`;
      return { verdict: nodeVerdict('reject', 'SMTP_MESSAGE_TOO_BIG', `${collected.bytes} bytes`), reply, status: 'rejected', sizeBytes: collected.bytes };
    }
    const problem = framingProblem(collected.raw, limits.bareCr);
    const raw = limits.bareCr === 'normalise' ? withBareCrNormalised(collected.raw) : collected.raw;
    if (problem) {
      return { verdict: nodeVerdict('reject', problem.symbol, problem.message), reply: `${problem.code} ${problem.message}`, status: 'rejected', sizeBytes: raw.length };
    }
    const scanStart = performance.now();
    const verdict = await state.txScan.data(raw);
    const scanMs = performance.now() - scanStart;
    this.deps.stages.stage('data', scanMs);
    // Input may also come after the final dot while the message is being scanned: still before its reply.
    if (state.pipelinedAfterData) return { ...pipeliningRefusal(raw.length), scanMs: Math.round(scanMs) };
    return { ...(await this.act(state, tx, verdict, raw)), scanMs: Math.round(scanMs), sizeBytes: raw.length };
  }

  onClose(session: SMTPServerSession): void {
    const state = this.connections.get(session.id);
    if (!state) return;
    this.finishRefused(state);
    this.connections.delete(session.id);
    this.perIp.release(state.countedIp);
  }

  /** Stores or refuses a scanned message as its verdict says; resolves with the reply once it is safe. */
  private async act(state: ConnectionState, tx: Transaction, verdict: MessageVerdict, raw: Buffer): Promise<Outcome> {
    const accepted = `250 2.0.0 Ok: queued as ${tx.id}`;
    switch (verdict.action) {
      case 'reject':
      case 'tempfail': {
        const reply = verdict.reply ?? (verdict.action === 'reject' ? { code: 554, message: '5.7.1 Error: message refused by policy' } : { code: 451, message: '4.7.1 Error: message deferred by policy, try again later' });
        return { verdict, reply: `${reply.code} ${reply.message}`, status: 'rejected' };
      }
      case 'discard':
        return { verdict, reply: accepted, status: 'discarded' };
      case 'deliver':
      case 'tag':
      case 'quarantine':
      case 'hold': {
        const spoolStart = performance.now();
        const passing = verdict.action === 'deliver' || verdict.action === 'tag';
        // Only mail that is delivered is forwarded (never quarantined or held mail); the rules add their symbols.
        const forwarding = passing ? this.forwardingPlan(tx, raw) : undefined;
        if (forwarding && forwarding.symbols.length > 0) verdict = { ...verdict, symbols: [...verdict.symbols, ...forwarding.symbols] };
        const meta = this.spoolMeta(state, tx, verdict);
        // Outbound mail that leaves now goes to outside recipients: no X-Moat-* fields (internal), DKIM-signed.
        const leaving = tx.direction === 'outbound' && passing;
        const trace = { ...state.client, id: tx.id, nodeName: this.deps.nodeName, action: verdict.action, score: verdict.score, symbols: verdict.symbols, receivedAtMs: tx.startedAtMs };
        // Only we speak for our authserv-id: such fields from outside are forged and go, whether or not we checked.
        const body = withoutForgedAuthResults(withoutMoatHeaders(raw), authservId(tx.policy.compiled, this.deps.pipeline.options));
        let message = [traceHeaders({ ...trace, leaving }), ...(verdict.authenticationResults ? [Buffer.from(`${AUTH_RESULTS_FIELD}: ${verdict.authenticationResults}\r\n`)] : []), body];
        let status: Outcome['status'] = 'quarantined';
        if (leaving && this.deps.signer) {
          const signature = await this.deps.signer.sign(Buffer.concat(message), tx.mailFrom);
          if (signature) {
            message = [signature.header, ...message];
            verdict = { ...verdict, symbols: [...verdict.symbols, { name: 'DKIM_SIGNED', score: 0, detail: `d=${signature.domain} s=${signature.selector} a=${signature.algorithm}`, stage: 'data' }] };
          }
        }
        if (forwarding) {
          if (forwarding.deliverTo.length > 0) this.deps.delivery.enqueue(await this.deps.spool.put({ ...meta, rcptTo: forwarding.deliverTo }, message), message);
          this.deps.bodies.keep(meta, message, tx.direction, tx.policy.policy.retention[tx.direction]);
          // Copies leave with only our Received field (and the hop count): X-Moat-* verdict fields are internal.
          const leavingTrace = traceHeaders({ ...trace, leaving: true });
          // A copy relays someone else's mail: sealed with an ARC set (RFC 8617) by the tenant's key, so that the
          // far end can trust what we saw of the original's authentication.
          const copies = await Promise.all(forwarding.copies.map((copy) => this.arcSealed(state, copy, [leavingTrace, Buffer.from(copy.header), body], verdict.authenticationResults)));
          const seals = copies.flatMap((c) => (c.symbol ? [c.symbol] : []));
          if (seals.length > 0) verdict = { ...verdict, symbols: [...verdict.symbols, ...seals] };
          // Written together, so the spool's group commit makes one write of them.
          await Promise.all([
            ...copies.map(({ copy, message: parts }) => this.spoolCopy(meta, copy, parts, 'forwarded', `rule ${copy.rule}: copy sent from ${copy.mailFrom}`)),
            ...tx.srsReturns.map(({ rcpt, to }) => {
              const back: ForwardedCopy = { rule: 'srs', mailFrom: tx.mailFrom, rcptTo: [to], bounceTo: '', header: '' };
              return this.spoolCopy(meta, back, [leavingTrace, body], 'returned', `to SRS address ${rcpt}: returned to the original sender`);
            }),
          ]);
          status = 'queued';
        } else {
          await this.deps.quarantine.store(meta, message);
          // Outbound mail held for an approver (F7): its sender is told now, and again of the decision.
          if (tx.direction === 'outbound' && verdict.action === 'hold') {
            const held = meta.rcptTo.map((rcpt) => ({ rcpt, response: '451 4.7.1 held for an approver', remoteMta: '' }));
            this.deps.delivery.notifySender(meta, Buffer.concat(message), held, 'held').catch((err: unknown) => this.deps.log.warn(`message ${meta.id}: the notice of its hold was not sent: ${errorText(err)}`));
          }
        }
        const spoolMs = performance.now() - spoolStart;
        this.deps.stages.stage('spool', spoolMs);
        return { verdict, reply: accepted, status, spoolMs: Math.round(spoolMs) };
      }
    }
  }

  /** COPY's bytes with an ARC set on top when a tenant domain (its sender's first) has a signing key; symbol ARC_SEALED. */
  private async arcSealed(state: ConnectionState, copy: ForwardedCopy, message: Buffer[], authResults: string | undefined): Promise<{ copy: ForwardedCopy; message: Buffer[]; symbol?: ScanSymbol }> {
    if (!this.deps.signer) return { copy, message };
    const senderDomain = copy.mailFrom.slice(copy.mailFrom.lastIndexOf('@') + 1).toLowerCase();
    const domains = [senderDomain, ...state.policy.compiled.domains.keys()].filter((d) => state.policy.compiled.domains.has(d));
    const seal = await arcSeal(this.deps.signer, Buffer.concat(message), domains, authResults, authservId(state.policy.compiled, this.deps.pipeline.options));
    if (!seal) return { copy, message };
    const symbol = { name: 'ARC_SEALED', score: 0, detail: `rule ${copy.rule}: i=${seal.instance} cv=${seal.cv} d=${seal.domain} s=${seal.selector}`, stage: 'data' as const };
    return { copy, message: [seal.header, ...message], symbol };
  }

  /**
   * The forwarding rules' copies of a message about to be delivered; recipients that are SRS addresses are not
   * the rules' business (they go back to their senders) and leave the message's own delivery.
   */
  private forwardingPlan(tx: Transaction, raw: Buffer): ForwardingPlan {
    const returned = new Set(tx.srsReturns.map((r) => r.rcpt));
    const rcptTo = tx.rcptTo.filter((rcpt) => !returned.has(rcpt));
    return planForwarding({ compiled: tx.policy.compiled, mailFrom: tx.mailFrom, rcptTo, raw, srsKey: this.deps.srs.key });
  }

  /**
   * Spools COPY of the message ORIGINAL (outbound, so outside recipients go by smarthost or MX) for delivery; its
   * delivery events belong to the original message, starting with STATUS for each of its recipients.
   */
  private async spoolCopy(original: SpoolMeta, copy: ForwardedCopy, message: Buffer[], status: string, response: string): Promise<void> {
    const now = Date.now();
    const meta: SpoolMeta = { ...original, id: newMessageId(now), mailFrom: copy.mailFrom, rcptTo: copy.rcptTo, direction: 'outbound', copyOf: { of: original.id, rule: copy.rule, bounceTo: copy.bounceTo } };
    this.deps.delivery.enqueue(await this.deps.spool.put(meta, message), message);
    for (const rcpt of copy.rcptTo) this.deps.events.delivery(original.id, rcpt, { status, downstream: '', response, attempts: 0, atMs: now, tlsVersion: '' });
  }

  /** Whether RCPT is an SRS address at one of the tenant's domains: undefined if not, else its reversal or why it is refused. */
  private srsRecipient(tx: Transaction, rcpt: string): ReturnType<typeof srsReverse> {
    if (!tx.policy.compiled.domains.has(domainOf(rcpt))) return undefined;
    return srsReverse(rcpt, this.deps.srs.key, tx.policy.policy.forwarding.srs.maxAgeDays);
  }

  private spoolMeta(state: ConnectionState, tx: Transaction, verdict: Verdict): SpoolMeta {
    return {
      id: tx.id,
      receivedAtMs: tx.startedAtMs,
      mailFrom: tx.mailFrom,
      rcptTo: tx.rcptTo,
      clientIp: state.client.clientIp,
      helo: state.client.helo,
      action: verdict.action,
      score: verdict.score,
      policyVersion: tx.policy.version,
      tenant: tx.policy.tenant,
      ...(tx.direction === 'outbound' ? { direction: 'outbound' as const, ...(tx.authenticatedUser ? { authenticatedUser: tx.authenticatedUser } : {}) } : {}),
    };
  }

  /**
   * Outbound: an authenticated client, or one of the tenant's own servers (`outbound.trustedNetworks`) sending
   * from a tenant domain (on the relay port; on the submission ports any sender, which the pipeline then
   * judges). Undefined: the submission port refuses the transaction (530, AUTH first).
   */
  private directionOf(state: ConnectionState, session: SMTPServerSession, mailFrom: string): Direction | undefined {
    if (this.deps.mode !== 'relay' && session.user) return 'outbound';
    // The servers of the sender's tenant (tenant default's when the sender is at no tenant's domain).
    const tenant = this.deps.policies.forAddress(mailFrom);
    const trusted = tenant.compiled.outbound.trustedNetworks.has(state.client.clientIp);
    if (this.deps.mode !== 'relay') return trusted ? 'outbound' : undefined;
    if (!trusted) return 'inbound';
    return mailFrom.includes('@') && tenant.compiled.domains.has(domainOf(mailFrom)) ? 'outbound' : 'inbound';
  }

  /**
   * Before MAIL: re-runs the connect stage when XCLIENT changed the client address, and the HELO stage when
   * the client greeted (again). Returns the refusal, if any.
   */
  private async followClientChanges(state: ConnectionState, session: SMTPServerSession): Promise<StageResult | undefined> {
    if (session.remoteAddress !== state.client.clientIp) {
      const xclientName = session.xClient.get('NAME');
      state.client = { clientIp: session.remoteAddress, clientHostname: typeof xclientName === 'string' ? xclientName : undefined, helo: '', ...tlsFacts(session) };
      state.scan = this.newScan(state.policy, state.client, state.scan.envelope.direction ?? 'inbound');
      state.txScan = state.scan;
      const connected = await this.timed('connect', () => state.scan.connect());
      if (!connected.ok) return connected;
    }
    Object.assign(state.client, tlsFacts(session));
    const helo = session.hostNameAppearsAs || '';
    if (helo !== state.client.helo) {
      state.client.helo = helo;
      const greeted = await this.timed('helo', () => state.scan.helo(helo));
      if (!greeted.ok) return greeted;
    }
    return undefined;
  }

  /** Awaits one stage's checks and reports how long they took. */
  private async timed(stage: TimedStage, checks: () => Promise<StageResult>): Promise<StageResult> {
    const start = performance.now();
    const result = await checks();
    this.deps.stages.stage(stage, performance.now() - start);
    return result;
  }

  private newScan(policy: ActivePolicy, client: ClientFacts, direction: Direction, authenticatedUser?: string): ScanSession {
    return this.deps.pipeline.session(policy.compiled, { clientIp: client.clientIp, clientHostname: client.clientHostname, tls: client.tls, direction, authenticatedUser });
  }

  /** Answers a refused stage; the first refusal of a transaction becomes its verdict. Too many close the connection. */
  private refuse(state: ConnectionState, result: Extract<StageResult, { ok: false }>, callback: Callback): void {
    const tx = state.tx!;
    const reply = `${result.reply.code} ${result.reply.message}`;
    tx.refusal ??= { verdict: result.verdict, reply };
    const closing = state.limits.refused();
    callback(closing ? limitError(closing) : smtpError(result.reply.code, result.reply.message));
  }

  /** Emits the event of a transaction that ended with a refusal and never reached DATA. */
  private finishRefused(state: ConnectionState): void {
    const tx = state.tx;
    if (!tx?.refusal) return;
    state.tx = undefined;
    const attempted = { ...tx, rcptTo: [...tx.rcptTo, ...tx.refusedRcpts] };
    this.report(state, attempted, { verdict: tx.refusal.verdict, reply: tx.refusal.reply, status: 'rejected' });
  }

  /** Emits a transaction's event, and mails the tenant's administrator when it tripped a compromised-account sign. */
  private report(state: ConnectionState, tx: Transaction, outcome: Outcome): void {
    this.deps.events.message(transactionEvent(tx, state.client, outcome));
    if (tx.direction !== 'outbound') return;
    const facts = { messageId: tx.id, account: tx.authenticatedUser, clientIp: state.client.clientIp, nodeName: this.deps.nodeName };
    const alert = compromiseAlert(tx.policy.policy.outbound.compromise, outcome.verdict.symbols, facts);
    if (alert) this.deps.delivery.notifyAdmin(alert.to, alert.subject, alert.lines, tx.policy.tenant).catch((err: unknown) => this.deps.log.warn(`message ${tx.id}: the compromised-account alert was not sent: ${errorText(err)}`));
  }

  /** Runs a hook body; an unexpected failure is logged and answered 451 instead of crashing the node. */
  private guard(callback: Callback, body: () => Promise<void>): void {
    body().catch((err: unknown) => {
      this.deps.log.error('SMTP hook failed', err);
      callback(smtpError(TEMPORARY_FAILURE.code, TEMPORARY_FAILURE.message));
    });
  }
}

/** The lower-case domain of ADDRESS. */
function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

const limitError = (reply: LimitReply) => smtpError(reply.code, reply.message);

/** The outcome of a message whose client sent more after the final dot before the reply. */
function pipeliningRefusal(sizeBytes: number): Outcome {
  const { code, message } = SYNC_ERROR;
  return { verdict: nodeVerdict('reject', 'SMTP_UNAUTH_PIPELINING', `input after ${END_OF_DATA} before its reply`), reply: `${code} ${message}`, status: 'rejected', sizeBytes };
}
