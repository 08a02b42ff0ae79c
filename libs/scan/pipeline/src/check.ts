import type { ContentReport } from '@moat/content';
import type { AddressParse } from './address.js';
import type { CompiledDomain, CompiledPolicy } from './compile-policy.js';
import type { ParsedMessage } from './message/parse-message.js';
import type { Results } from './results.js';
import type { Direction, Envelope, ScanOptions, Stage } from './types.js';

/** What the list checks learned about the connection (kept across transactions). */
export interface ConnectionState {
  /** A global IP allow list matched: every later block list (IP and sender) is skipped. */
  ipAllowed: boolean;
  /** A global IP block list matched, but some domain allows the client: refused per recipient at RCPT. */
  ipBlockDeferred: boolean;
}

/** What the checks learned about the current transaction (MAIL FROM to end of DATA). */
export interface TransactionState {
  /** The parsed MAIL FROM, undefined before MAIL. */
  sender: AddressParse | undefined;
  /** A global sender allow list matched: sender block lists are skipped. */
  senderAllowed: boolean;
  /** A global sender block list matched, but some domain allows the sender: refused per recipient at RCPT. */
  senderBlockDeferred: boolean;
  /** Set by sender authentication: the Authentication-Results value for the relayed copy. */
  authenticationResults?: string;
}

/** The recipient being checked at RCPT. */
export interface RecipientState {
  /** As given, without angle brackets. */
  address: string;
  parsed: AddressParse;
  /** The tenant's domain the address names, if any (relay control decides whether it is really ours). */
  domain: CompiledDomain | undefined;
  /** This recipient's domain allow-listed the client or sender: its block lists are skipped. */
  listAllowed: boolean;
}

interface BaseContext {
  policy: CompiledPolicy;
  options: ScanOptions;
  envelope: Readonly<Envelope>;
  /** Where the check records symbols and forced actions for the current scope. */
  results: Results;
  connection: ConnectionState;
  transaction: TransactionState;
}

/** The inputs a stage adds to the context. */
export interface StageInputs {
  connect: Record<never, never>;
  helo: Record<never, never>;
  mail: Record<never, never>;
  rcpt: { rcpt: RecipientState };
  /** The message, and stage 2's inspection of it (made by the same reading). */
  data: { message: ParsedMessage; content: ContentReport };
}

export type ScanContext<S extends Stage = Stage> = BaseContext & StageInputs[S];

/** One check (Rspamd's rule, Haraka's plugin hook): runs at one stage and adds symbols to `ctx.results`. */
export interface StageCheck<S extends Stage> {
  /** lower_snake name, used in CHECK_ERROR details. */
  readonly name: string;
  readonly stage: S;
  /**
   * A content check reads only the message, the policy, the envelope and the classifier's model, writes only its
   * own symbols and forced action, and runs synchronously. The scan node runs these on its inspection workers
   * after the MIME walk, under `body.checkTimeoutMs` (content-checks.ts); elsewhere they run in the stage's loop.
   */
  readonly content?: true;
  /** False when the policy gives the check nothing to do; it then costs nothing per message. */
  enabled?(policy: CompiledPolicy): boolean;
  /** The directions the check runs in; absent: inbound only. */
  readonly directions?: readonly Direction[];
  run(ctx: ScanContext<S>): void | Promise<void>;
}

/** Any check, discriminated by its stage. */
export type Check = { [S in Stage]: StageCheck<S> }[Stage];
