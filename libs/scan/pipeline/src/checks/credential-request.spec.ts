import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { credentialRequest } from './credential-request.js';

const mail = (subject: string, body: string) => `From: a@sender.test\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;

describe('credential_request rule', () => {
  it('flags requests for a password or login in English and Korean', async () => {
    expect(await ruleSymbols(credentialRequest, mail('Mailbox notice', 'Your mailbox will expire today. Please confirm your password here.'))).toEqual([['PHISH_CREDENTIAL_REQUEST', '"confirm your password", "Your mailbox will expire"']]);
    expect(await ruleSymbols(credentialRequest, mail('=?utf-8?B?6rOE7KCVIOyViOuCtA==?=', Buffer.from('아래 링크에서 비밀번호를 입력해 주세요').toString()))).toEqual([['PHISH_CREDENTIAL_REQUEST', '"비밀번호를 입력해 주"']]);
  });

  it('leaves talk about passwords that asks for nothing alone', async () => {
    expect(await ruleSymbols(credentialRequest, mail('Security tips', 'Never share your password with anyone, including us.'))).toEqual([]);
  });
});
