import type { ActionName, Direction as FlowDirection, MessageVerdict, ScanSymbol, Stage, Verdict } from '@moat/pipeline';
import { Direction, type MessageEvent } from '@moat/proto/grpc';
import type { DeliveryStatus } from '../events/node-events.js';
import { PROTO_ACTION } from '../events/node-events.js';
import type { ActivePolicy } from '../policy/policy-store.js';
import type { TlsFacts } from './tls-facts.js';

/** Connection facts an event needs. */
export interface ClientFacts extends TlsFacts {
  clientIp: string;
  clientHostname?: string;
  helo: string;
}

/** One SMTP transaction (MAIL to end of DATA), or a connection refused before any: what its event reports. */
export interface Transaction {
  id: string;
  startedAtMs: number;
  policy: ActivePolicy;
  direction: FlowDirection;
  /** The SMTP AUTH user of an outbound transaction; '' otherwise. */
  authenticatedUser: string;
  mailFrom: string;
  /** Recipients accepted so far. */
  rcptTo: string[];
  /** Recipients refused at RCPT (reported when the transaction ends without DATA). */
  refusedRcpts: string[];
  /** The first refusal (connect, HELO, MAIL or RCPT), which becomes the verdict if no DATA follows. */
  refusal?: { verdict: Verdict; reply: string };
  /** Accepted recipients that are our SRS addresses (bounces of forwarded copies), with the sender each stands for. */
  srsReturns: { rcpt: string; to: string }[];
}

export interface Outcome {
  verdict: Verdict | MessageVerdict;
  reply: string;
  status: DeliveryStatus;
  scanMs?: number;
  spoolMs?: number;
  sizeBytes?: number;
}

export function newTransaction(id: string, policy: ActivePolicy, now = Date.now()): Transaction {
  return { id, startedAtMs: now, policy, direction: 'inbound', authenticatedUser: '', mailFrom: '', rcptTo: [], refusedRcpts: [], refusal: undefined, srsReturns: [] };
}

/** A verdict made by the node itself (size limit, framing, local failure), explained by one symbol. */
export function nodeVerdict(action: ActionName, name: string, detail: string, stage: Stage = 'data'): Verdict {
  const symbol: ScanSymbol = { name, score: 0, detail, stage };
  return { action, score: 0, symbols: [symbol] };
}

export function transactionEvent(tx: Transaction, client: ClientFacts, outcome: Outcome, now = Date.now()): Omit<MessageEvent, 'nodeId'> {
  const verdict = outcome.verdict;
  const message = 'headers' in verdict ? verdict : undefined;
  return {
    id: tx.id,
    tenant: tx.policy.tenant,
    receivedAtMs: tx.startedAtMs,
    direction: tx.direction === 'outbound' ? Direction.DIRECTION_OUTBOUND : Direction.DIRECTION_INBOUND,
    envelope: {
      mailFrom: tx.mailFrom,
      rcptTo: tx.rcptTo,
      clientIp: client.clientIp,
      clientHostname: client.clientHostname ?? '',
      helo: client.helo,
      tls: client.tls,
      authenticatedUser: tx.authenticatedUser,
      tlsVersion: client.tlsVersion,
      tlsCipher: client.tlsCipher,
      tlsServerName: client.tlsServerName,
    },
    headers: message?.headers,
    action: PROTO_ACTION[verdict.action],
    score: verdict.score,
    symbols: verdict.symbols.map((s) => ({ name: s.name, score: s.score, detail: s.detail, stage: s.stage })),
    attachments: message?.attachments ?? [],
    urls: message?.urls ?? [],
    delivery: { status: outcome.status, downstream: '', response: outcome.reply, attempts: 0, atMs: now, tlsVersion: '' },
    timings: { sessionMs: now - tx.startedAtMs, scanMs: outcome.scanMs ?? 0, spoolMs: outcome.spoolMs ?? 0 },
    policyVersion: tx.policy.version,
    sizeBytes: outcome.sizeBytes ?? 0,
    smtpReply: outcome.reply,
    // Searchable body words only where the policy keeps bodies of this direction at all.
    bodyText: message && tx.policy.policy.retention[tx.direction === 'outbound' ? 'outbound' : 'inbound'].bodies !== 'none' ? message.bodyText : '',
  };
}
