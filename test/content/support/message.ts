import { basename } from 'node:path';

/** A message as a mail client sends it: a text body and the file attached in base64. */
export function messageWithAttachment(file: Buffer, name: string, body: string, subject = basename(name)): Buffer {
  const boundary = '=_moat_conformance_boundary';
  const base64 = file.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: sender@example.org',
      'To: rcpt@example.com',
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      `--${boundary}`,
      `Content-Type: application/octet-stream; name="${basename(name)}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${basename(name)}"`,
      '',
      base64,
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}
