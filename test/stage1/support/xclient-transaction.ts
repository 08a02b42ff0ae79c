import { expect } from 'vitest';
import { RawSmtp, type SmtpReply } from '../../harness/raw-smtp.js';

/** The replies of one transaction, up to the first refusal. */
export interface Dialog {
  mail: SmtpReply;
  rcpt?: SmtpReply;
  data?: SmtpReply;
}

/**
 * One transaction through node PORT from CLIENTIP, presented with XCLIENT (the node trusts loopback), so
 * stage-1 checks see an internet address while the test connects over 127.0.0.1. Stops at the first refusal.
 * MESSAGE is written with LF line ends.
 */
export async function xclientTransaction(port: number, clientIp: string, from: string, to: string, message: string): Promise<Dialog> {
  const smtp = await RawSmtp.connect(port);
  try {
    await smtp.reply();
    await smtp.command('EHLO proxy.test');
    expect((await smtp.command(`XCLIENT ADDR=${clientIp}`)).code).toBe(220);
    await smtp.command(`EHLO ${from.split('@')[1]}`);
    const mail = await smtp.command(`MAIL FROM:<${from}>`);
    if (mail.code >= 400) return { mail };
    const rcpt = await smtp.command(`RCPT TO:<${to}>`);
    if (rcpt.code >= 400) return { mail, rcpt };
    expect((await smtp.command('DATA')).code).toBe(354);
    const data = await smtp.command(`${message.replace(/\n/g, '\r\n')}\r\n.`, 30_000);
    await smtp.command('QUIT').catch(() => undefined);
    return { mail, rcpt, data };
  } finally {
    smtp.close();
  }
}

/** A short message from FROM to alice@example.test whose Message-ID is made from SUBJECT; EXTRA goes first. */
export const letter = (from: string, subject: string, extra = '') => `${extra}From: ${from}\nTo: alice@example.test\nSubject: ${subject}\nMessage-ID: <${subject.replace(/\W/g, '')}@test>\n\nHello.\n`;
