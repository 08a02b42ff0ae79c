import { describe, expect, it } from 'vitest';
import { SessionLimits } from './session-limits.js';

const limits = (overrides: Partial<ConstructorParameters<typeof SessionLimits>[0]> = {}) =>
  new SessionLimits({ maxRecipients: 3, maxMessagesPerSession: 2, maxRecipientsPerSession: 5, maxErrors: 2, ...overrides });

describe('session limits of one connection', () => {
  it('closes the connection at the MAIL after maxMessagesPerSession transactions reached DATA', () => {
    const session = limits();
    expect(session.beforeMail()).toBeUndefined();
    session.messageDone();
    expect(session.beforeMail()).toBeUndefined();
    session.messageDone();
    expect(session.beforeMail()).toEqual({ code: 421, message: '4.7.0 Error: too many messages in one session (at most 2), closing connection' });
  });

  it('refuses RCPT past maxRecipients in the transaction with 452, whatever the session count', () => {
    const session = limits();
    expect(session.beforeRcpt(2)).toBeUndefined();
    expect(session.beforeRcpt(3)).toEqual({ code: 452, message: '4.5.3 Error: too many recipients (at most 3 per message)' });
  });

  it('refuses RCPT once the connection accepted maxRecipientsPerSession recipients over all its transactions', () => {
    const session = limits();
    for (let i = 0; i < 5; i++) {
      expect(session.beforeRcpt(i % 3)).toBeUndefined();
      session.recipientAccepted();
    }
    expect(session.beforeRcpt(0)).toEqual({ code: 452, message: '4.5.3 Error: too many recipients in one session (at most 5)' });
  });

  it('answers the refusal after maxErrors refusals with 421', () => {
    const session = limits();
    expect(session.refused()).toBeUndefined();
    expect(session.refused()).toBeUndefined();
    expect(session.refused()).toEqual({ code: 421, message: '4.7.0 Error: too many refused commands, closing connection' });
  });
});
