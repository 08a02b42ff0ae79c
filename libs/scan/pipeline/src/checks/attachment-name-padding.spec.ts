import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { attachmentNamePadding } from './attachment-name-padding.js';

const mail = (name: string) =>
  ['From: a@sender.test', 'Subject: s', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'see attached', '--b', `Content-Type: application/octet-stream; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '', 'aGVsbG8=', '--b--', ''].join('\r\n');

describe('attachment_name_padding rule', () => {
  it('flags blanks that push the real extension out of sight', async () => {
    expect(await ruleSymbols(attachmentNamePadding, mail(`invoice.pdf${' '.repeat(30)}.exe`))).toEqual([['ATTACHMENT_NAME_PADDING', '"invoice.pdf .exe"']]);
  });

  it('leaves names with ordinary spaces alone', async () => {
    expect(await ruleSymbols(attachmentNamePadding, mail('Quarterly report  2024.pdf'))).toEqual([]);
  });
});
