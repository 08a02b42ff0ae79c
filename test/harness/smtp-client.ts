import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string | string[];
  subject: string;
  body?: string;
  /** Raw RFC 5322 message instead of from/subject/body (the envelope still comes from from/to). */
  raw?: string | Buffer;
}

/** What the node answered: accepted (250) or the refusal's code and text. */
export interface SendResult {
  accepted: boolean;
  code: number;
  response: string;
}

/**
 * Sends one message over a new SMTP connection with nodemailer (a real client: EHLO, pipelining, dot-stuffing),
 * without STARTTLS so that relay tests measure the relay path. Refusals are results, not exceptions.
 * LOCALADDRESS: the client's source address (another loopback address such as 127.0.0.2 to look like another host).
 */
export async function sendMail(port: number, mail: OutgoingMail, { localAddress }: { localAddress?: string } = {}): Promise<SendResult> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, localAddress, secure: false, ignoreTLS: true, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  try {
    const envelope = { from: mail.from, to: [mail.to].flat() };
    const info = mail.raw !== undefined
      ? await transport.sendMail({ envelope, raw: mail.raw })
      : await transport.sendMail({ envelope, from: mail.from, to: mail.to, subject: mail.subject, text: mail.body ?? `${mail.subject}\n` });
    const code = Number(/^\d{3}/.exec(info.response)?.[0] ?? 250);
    return { accepted: info.rejected.length === 0, code, response: info.response };
  } catch (err) {
    return refusal(err);
  } finally {
    transport.close();
  }
}

function refusal(err: unknown): SendResult {
  if (!(err instanceof Error)) throw err;
  const fields = err as Error & { responseCode?: number; response?: string; rejectedErrors?: Array<Error & { responseCode?: number; response?: string }> };
  const first = fields.rejectedErrors?.[0];
  const code = fields.responseCode ?? first?.responseCode;
  if (code === undefined) throw err;
  return { accepted: false, code, response: fields.response ?? first?.response ?? err.message };
}
