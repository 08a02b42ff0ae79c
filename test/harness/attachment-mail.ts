// Built from two halves so that no scanner on the build machine quarantines a source file holding it.
export const EICAR = `X5O!P%@AP[4\\PZX54(P^)7CC)7}$${'EICAR-STANDARD-ANTIVIRUS'}-TEST-FILE!$H+H*`;

/** A raw message to alice@example.test from billing@remote.test with one attachment FILENAME holding CONTENT (base64). */
export function attachmentMail(subject: string, filename: string, content: string): string {
  return [
    'From: billing@remote.test',
    'To: alice@example.test',
    `Subject: ${subject}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'the invoice is attached',
    '--b1',
    `Content-Type: application/octet-stream; name="${filename}"`,
    `Content-Disposition: attachment; filename="${filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(content).toString('base64'),
    '--b1--',
    '',
  ].join('\r\n');
}
