import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { encodingTricks } from './encoding-tricks.js';

describe('encoding_tricks rule', () => {
  it('flags a short ASCII body in base64', async () => {
    const body = Buffer.from('Claim your prize now at http://x.test/').toString('base64');
    expect(await ruleSymbols(encodingTricks, `From: a@sender.test\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n`)).toEqual([['TEXT_BASE64_SHORT', '38 characters of ASCII text in base64']]);
  });

  it('flags plain ASCII sent as encoded words, and mixed charsets in one field', async () => {
    expect(await ruleSymbols(encodingTricks, 'From: =?utf-8?B?UGF5UGFs?= <a@sender.test>\r\n\r\nx\r\n')).toEqual([['HEADER_EXCESS_ENCODING', 'from: plain ASCII sent as encoded words']]);
    expect(await ruleSymbols(encodingTricks, 'From: a@sender.test\r\nSubject: =?utf-8?B?7JWI64WV?= =?koi8-r?B?8NLJ18XU?=\r\n\r\nx\r\n')).toEqual([['HEADER_MIXED_CHARSETS', 'subject: utf-8, koi8-r']]);
  });

  it('leaves Korean encoded words and a quoted-printable body alone', async () => {
    expect(await ruleSymbols(encodingTricks, 'From: =?utf-8?B?6rmA66+87IiY?= <a@sender.test>\r\nSubject: =?euc-kr?B?vsiz58fPvLy/5A==?=\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nx\r\n')).toEqual([]);
  });
});
