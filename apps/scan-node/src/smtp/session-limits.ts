import type { Policy } from '@moat/policy';

/** A reply the node gives by itself; 421 also closes the connection (smtp-server does so for every 421). */
export interface LimitReply {
  code: number;
  message: string;
}

type Limits = Pick<Policy['smtp'], 'maxRecipients' | 'maxMessagesPerSession' | 'maxRecipientsPerSession' | 'maxErrors'>;

/**
 * The session limits of one connection that the gateway enforces at MAIL, RCPT and on refusals (the command
 * limits are counted in MoatConnection, the connection limits at connect). The limits are those of the policy
 * the connection started under.
 */
export class SessionLimits {
  private messages = 0;
  private recipients = 0;
  private refusals = 0;

  constructor(private readonly limits: Limits) {}

  /** Before MAIL: the connection already brought `maxMessagesPerSession` transactions to DATA. */
  beforeMail(): LimitReply | undefined {
    const limit = this.limits.maxMessagesPerSession;
    if (this.messages < limit) return undefined;
    return { code: 421, message: `4.7.0 Error: too many messages in one session (at most ${limit}), closing connection` };
  }

  /**
   * Before RCPT, with the recipients this transaction already has. RCPT commands are counted whatever their
   * answer, repeats included: the limit is on what a client may make the node work through.
   */
  beforeRcpt(transactionRecipients: number): LimitReply | undefined {
    const { maxRecipients, maxRecipientsPerSession } = this.limits;
    if (transactionRecipients >= maxRecipients) return { code: 452, message: `4.5.3 Error: too many recipients (at most ${maxRecipients} per message)` };
    if (this.recipients >= maxRecipientsPerSession) return { code: 452, message: `4.5.3 Error: too many recipients in one session (at most ${maxRecipientsPerSession})` };
    return undefined;
  }

  recipientAccepted(): void {
    this.recipients++;
  }

  /** A transaction reached the end of DATA (whatever its verdict). */
  messageDone(): void {
    this.messages++;
  }

  /**
   * Counts a refusal of the pipeline (connect, MAIL, RCPT or DATA). Past `maxErrors` refusals the reply becomes
   * a 421 that ends the connection, as Postfix's hard error limit does.
   */
  refused(): LimitReply | undefined {
    this.refusals++;
    if (this.refusals <= this.limits.maxErrors) return undefined;
    return { code: 421, message: '4.7.0 Error: too many refused commands, closing connection' };
  }
}
