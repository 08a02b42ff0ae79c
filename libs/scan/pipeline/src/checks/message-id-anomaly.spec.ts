import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { messageIdAnomaly } from './message-id-anomaly.js';

const mail = (headers: string) => `From: a@sender.test\r\n${headers}\r\nbody\r\n`;

describe('message_id_anomaly rule', () => {
  it('flags a missing or malformed Message-ID and leaves <left@right> alone', async () => {
    expect(await ruleSymbols(messageIdAnomaly, mail(''))).toEqual([['MID_MISSING', 'no Message-ID header']]);
    expect(await ruleSymbols(messageIdAnomaly, mail('Message-ID: 12345\r\n'))).toEqual([['MID_MALFORMED', 'Message-ID: "12345"']]);
    expect(await ruleSymbols(messageIdAnomaly, mail('Message-ID: <a b@c>\r\n'))).toEqual([['MID_MALFORMED', 'Message-ID: "<a b@c>"']]);
    expect(await ruleSymbols(messageIdAnomaly, mail('Message-ID: <20241203.1@mail.sender.test>\r\n'))).toEqual([]);
  });
});
