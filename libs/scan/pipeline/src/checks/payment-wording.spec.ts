import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { paymentWording } from './payment-wording.js';

const policy = compilePolicy(parsePolicy({}), 0);
const scan = async (subject: string, text: string) =>
  (await new Pipeline([paymentWording]).session(policy, { clientIp: '' }).data(Buffer.from(`From: a@b.test\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`))).symbols.map((s) => [s.name, s.detail]);

describe('payment_wording check', () => {
  it('flags payment-change and urgency wording in English', async () => {
    expect(await scan('Invoice 2291', 'Please note our bank details have changed. Send the payment to our new account immediately, it is urgent.')).toEqual([
      ['PHISH_PAYMENT_CHANGE', '"bank details have changed", "Send the payment to our new account"'],
      ['PHISH_URGENCY', '"urgent", "immediately"'],
    ]);
  });

  it('flags payment-change and urgency wording in Korean, with or without spaces', async () => {
    expect(await scan('긴급 송금 요청', '거래처 입금계좌가 변경되었습니다. 아래 계좌로 송금 바랍니다. 오늘 중 처리해 주세요.')).toEqual([
      ['PHISH_PAYMENT_CHANGE', '"입금계좌가 변경", "아래 계좌로 송금"'],
      ['PHISH_URGENCY', '"긴급", "오늘 중"'],
    ]);
    expect(await scan('계정 안내', '고객님의 계정이 정지되었습니다. 24시간 이내 본인 확인을 해주세요.')).toEqual([['PHISH_URGENCY', '"24시간 이내", "계정이 정지", "본인 확인"']]);
  });

  it('leaves ordinary business mail alone, a single urgent word included', async () => {
    expect(await scan('Meeting', 'The invoice is attached; payment is due in 30 days to the usual account. This is urgent for the audit.')).toEqual([]);
    expect(await scan('회의 안내', '다음 주 회의는 화요일 오후 세 시입니다. 자료는 첨부 파일을 참고하세요.')).toEqual([]);
  });
});
