import type { ActionName, ScanSymbol, SmtpReply, Stage } from './types.js';

/** An action a check set directly (Rspamd's forced action), bypassing the score thresholds. */
export interface ForcedAction {
  action: ActionName;
  /** Present for reject and tempfail: what the client is told. */
  reply?: SmtpReply;
}

// When two checks force different actions, the more severe one stands: a definite refusal beats a
// temporary one, which beats anything that would accept the message.
export const SEVERITY: Record<ActionName, number> = { deliver: 0, tag: 1, hold: 2, quarantine: 3, discard: 4, tempfail: 5, reject: 6 };

/** The symbols and forced action collected for one scope (connection, transaction, or one recipient). */
export class Results {
  readonly symbols: ScanSymbol[] = [];
  forced: ForcedAction | undefined;
  /** Stage that `add` records; the session sets it before running a stage's checks. */
  stage: Stage = 'connect';

  add(name: string, score: number, detail: string): void {
    this.symbols.push({ name, score, detail, stage: this.stage });
  }

  reject(reply: SmtpReply): void {
    this.force({ action: 'reject', reply });
  }

  tempfail(reply: SmtpReply): void {
    this.force({ action: 'tempfail', reply });
  }

  /** Forces an action that accepts the message (tag, quarantine, hold, discard, deliver). */
  setAction(action: Exclude<ActionName, 'reject' | 'tempfail'>): void {
    this.force({ action });
  }

  /** Whether the forced action refuses the SMTP command (reject or tempfail). */
  get refused(): boolean {
    return this.forced?.reply !== undefined;
  }

  /** Takes over another scope's findings. */
  absorb(other: Results): void {
    this.symbols.push(...other.symbols);
    if (other.forced) this.force(other.forced);
  }

  /**
   * Takes over an accepted recipient's findings into the transaction. A symbol already present with the
   * same detail (the same domain list hit for a second recipient) is not counted twice.
   */
  absorbRecipient(recipient: Results): void {
    for (const symbol of recipient.symbols) {
      if (!this.symbols.some((s) => s.name === symbol.name && s.detail === symbol.detail)) this.symbols.push(symbol);
    }
    if (recipient.forced) this.force(recipient.forced);
  }

  /** Forgets the symbols of one stage, before that stage runs again. */
  dropStage(stage: Stage): void {
    for (let i = this.symbols.length - 1; i >= 0; i--) {
      if (this.symbols[i]?.stage === stage) this.symbols.splice(i, 1);
    }
  }

  private force(next: ForcedAction): void {
    if (!this.forced || SEVERITY[next.action] > SEVERITY[this.forced.action]) this.forced = next;
  }
}
