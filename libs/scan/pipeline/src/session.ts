import { parseEnvelopeAddress } from './address.js';
import type { ConnectionState, StageInputs, TransactionState } from './check.js';
import type { CompiledPolicy } from './compile-policy.js';
import { CHECK_TIMEOUT, type ContentCheckJob, type ContentCheckOutcome } from './content-checks.js';
import { bodyText } from './message/body-text.js';
import { headersOnly } from './message/parse-message.js';
import { readMessage } from './message/read-message.js';
import type { StagePlan } from './pipeline.js';
import { Results } from './results.js';
import type { Envelope, MessageVerdict, ScanOptions, ScanSymbol, SmtpReply, Stage, StageResult } from './types.js';
import { decideVerdict, refusedMessageVerdict } from './verdict.js';

type Refusal = Extract<StageResult, { ok: false }>;

/** The connection facts the node knows when a client connects. */
export type SessionEnvelope = Pick<Envelope, 'clientIp' | 'clientHostname' | 'tls' | 'authenticatedUser' | 'direction'>;

/** Symbol of a check that threw: the scan is incomplete, so the message is deferred, never passed. */
export const CHECK_ERROR = 'CHECK_ERROR';
// 421 at connect closes the connection (RFC 5321 4.2.2); later stages defer only the command.
const CONNECT_TEMPFAIL: SmtpReply = { code: 421, message: '4.3.0 temporary scanning failure, try again later' };
const TEMPFAIL: SmtpReply = { code: 451, message: '4.3.0 temporary scanning failure, try again later' };
const UNFINISHED: SmtpReply = { code: 554, message: '5.7.1 message refused: its content could not be checked in time' };

/**
 * One SMTP connection. The node calls the stage methods from its smtp-server hooks in protocol order;
 * each runs the checks of its stage and returns `{ ok: false, reply, verdict }` when a check refuses.
 * Connection findings (connect, HELO) carry over to every transaction; `reset` starts a new transaction.
 */
export class ScanSession {
  readonly envelope: Envelope;
  private readonly connectionResults = new Results();
  private transactionResults = new Results();
  private readonly connection: ConnectionState = { ipAllowed: false, ipBlockDeferred: false };
  private transaction: TransactionState = newTransactionState();
  private recipientDomains: string[] = [];

  constructor(
    private readonly plan: StagePlan,
    readonly policy: CompiledPolicy,
    private readonly options: ScanOptions,
    envelope: SessionEnvelope,
  ) {
    this.envelope = { ...envelope, rcptTo: [] };
  }

  async connect(): Promise<StageResult> {
    await this.runStage('connect', this.connectionResults, {});
    return this.stageResult(this.connectionResults);
  }

  /** HELO/EHLO; a repeated one (EHLO again after STARTTLS) replaces the earlier name's findings. */
  async helo(name: string): Promise<StageResult> {
    this.envelope.helo = name;
    this.connectionResults.dropStage('helo');
    await this.runStage('helo', this.connectionResults, {});
    return this.stageResult(this.connectionResults);
  }

  async mailFrom(address: string): Promise<StageResult> {
    const earlier = this.connectionRefusal();
    if (earlier) return earlier;
    this.reset();
    this.envelope.mailFrom = withoutBrackets(address);
    this.transaction.sender = parseEnvelopeAddress(address, true);
    await this.runStage('mail', this.transactionResults, {});
    return this.stageResult(this.transactionResults);
  }

  /** Checks one recipient. A refusal applies to this recipient only; an accepted one joins the envelope. */
  async rcptTo(address: string): Promise<StageResult> {
    const earlier = this.connectionRefusal() ?? this.stageResult(this.transactionResults);
    if (!earlier.ok) return earlier;
    const parsed = parseEnvelopeAddress(address, false);
    const mailbox = parsed.ok ? parsed.mailbox : null;
    const rcpt = { address: withoutBrackets(address), parsed, domain: mailbox ? this.policy.domains.get(mailbox.domain) : undefined, listAllowed: false };
    const rcptResults = new Results();
    await this.runStage('rcpt', rcptResults, { rcpt });
    if (rcptResults.refused) return this.refusal([this.connectionResults, this.transactionResults, rcptResults]);
    this.transactionResults.absorbRecipient(rcptResults);
    this.envelope.rcptTo.push(rcpt.address);
    if (mailbox && !this.recipientDomains.includes(mailbox.domain)) this.recipientDomains.push(mailbox.domain);
    return { ok: true };
  }

  /** Reads the message once, runs the data checks and gives the verdict of the transaction. */
  async data(raw: Buffer): Promise<MessageVerdict> {
    const earlier = this.connectionRefusal() ?? this.stageResult(this.transactionResults);
    if (!earlier.ok) return refusedMessageVerdict(earlier.verdict);
    const { blockedExtensions, archiveLimits, settings } = this.policy.attachments;
    const options = { blockedExtensions, archiveLimits };
    const reading = await (this.options.reader ? this.options.reader(raw, options, settings.inspectionTimeoutMs, this.contentCheckJob()) : readMessage(raw, options));
    // A stopped reading has no content: the checks see the headers, and the report's finding decides.
    const message = { ...(reading.message ?? headersOnly(raw, 'the message could not be read within its time and memory budget')), raw };
    await this.runStage('data', this.transactionResults, { message, content: reading.report }, reading.checks);
    const verdict = decideVerdict([this.connectionResults, this.transactionResults], this.thresholds);
    return { ...verdict, headers: message.headers, attachments: message.attachments, urls: message.urls, bodyText: bodyText(message), recipientDomains: [...this.recipientDomains], ...(this.transaction.authenticationResults ? { authenticationResults: this.transaction.authenticationResults } : {}) };
  }

  /** RSET, or the end of a transaction: forget sender, recipients and their findings; keep the connection's. */
  reset(): void {
    this.transactionResults = new Results();
    this.transaction = newTransactionState();
    this.recipientDomains = [];
    this.envelope.rcptTo = [];
    delete this.envelope.mailFrom;
  }

  symbols(): ScanSymbol[] {
    return [...this.connectionResults.symbols, ...this.transactionResults.symbols];
  }

  /** Outbound mail is judged by the outbound thresholds. */
  private get thresholds(): CompiledPolicy['thresholds'] {
    return this.envelope.direction === 'outbound' ? this.policy.outbound.thresholds : this.policy.thresholds;
  }

  /** The content checks a reader runs beside its MIME walk (content-checks.ts); none without a reader. */
  private contentCheckJob(): ContentCheckJob | undefined {
    const checks = this.plan.data.filter((check) => check.content).map((check) => check.name);
    if (checks.length === 0) return undefined;
    return { checks, policy: this.policy, envelope: this.envelope, model: this.options.classifier?.model, timeoutMs: this.policy.policy.body.checkTimeoutMs };
  }

  /**
   * Takes over what a content check found on the reader's thread, in the check's place. The check it stopped
   * in gets CHECK_TIMEOUT and the action of an incomplete message (attachments.settings.incomplete: quarantine
   * or refuse, never deliver as clean); the ones after it did not run.
   */
  private applyContentCheck(name: string, outcome: ContentCheckOutcome, results: Results): void {
    const result = outcome.results.find((r) => r.check === name);
    if (result && 'error' in result) {
      results.add(CHECK_ERROR, 0, `${name}: ${result.error}`);
      results.tempfail(TEMPFAIL);
    } else if (result) {
      const found = new Results();
      found.stage = results.stage;
      for (const symbol of result.symbols) found.add(symbol.name, symbol.score, symbol.detail);
      found.forced = result.forced;
      results.absorb(found);
    } else if (outcome.stopped?.check === name) {
      results.add(CHECK_TIMEOUT, 0, `${name}: ${outcome.stopped.why}; later content checks skipped`);
      if (this.policy.attachments.settings.incomplete === 'block') results.reject(UNFINISHED);
      else results.setAction('quarantine');
    }
  }

  private async runStage<S extends Stage>(stage: S, results: Results, inputs: StageInputs[S], precomputed?: ContentCheckOutcome): Promise<void> {
    const ctx = {
      policy: this.policy,
      options: this.options,
      envelope: this.envelope,
      results,
      connection: this.connection,
      transaction: this.transaction,
      ...inputs,
    };
    results.stage = stage;
    const refusedBefore = results.refused;
    for (const check of this.plan[stage]) {
      if (precomputed && check.content) {
        this.applyContentCheck(check.name, precomputed, results);
        if (results.refused && !refusedBefore) break;
        continue;
      }
      try {
        const pending = check.run(ctx);
        if (pending) await pending;
      } catch (err) {
        results.add(CHECK_ERROR, 0, `${check.name}: ${err instanceof Error ? err.message : String(err)}`);
        results.tempfail(stage === 'connect' ? CONNECT_TEMPFAIL : TEMPFAIL);
      }
      // A refusal (reject, tempfail) ends the stage: nothing later could accept the command again. An
      // accepting forced action (tag, quarantine, hold) does not: later checks still add their findings and
      // may find something more severe.
      if (results.refused && !refusedBefore) break;
    }
  }

  private stageResult(scope: Results): StageResult {
    return scope.refused ? this.refusal(scope === this.connectionResults ? [scope] : [this.connectionResults, scope]) : { ok: true };
  }

  private connectionRefusal(): StageResult | undefined {
    return this.connectionResults.refused ? this.refusal([this.connectionResults]) : undefined;
  }

  private refusal(scopes: Results[]): Refusal {
    const verdict = decideVerdict(scopes, this.thresholds);
    // A refused scope always carries a reply; the fallback only satisfies the type.
    return { ok: false, reply: verdict.reply ?? TEMPFAIL, verdict };
  }
}

function newTransactionState(): TransactionState {
  return { sender: undefined, senderAllowed: false, senderBlockDeferred: false };
}

function withoutBrackets(address: string): string {
  return address.length >= 2 && address.startsWith('<') && address.endsWith('>') ? address.slice(1, -1) : address;
}
