import { Action, Direction, MessageEvent } from '@moat/proto/grpc';
import { describe, expect, it } from 'vitest';
import { deliveryExport, MAX_RCPTS, MAX_TEXT, messageExports } from './export-events.js';

describe('export events', () => {
  it('turns a message into its message event and one finding per symbol that did not speak for it', () => {
    const event = MessageEvent.fromPartial({
      id: 'm1',
      nodeId: 'n1',
      receivedAtMs: 1000,
      direction: Direction.DIRECTION_INBOUND,
      action: Action.ACTION_QUARANTINE,
      score: 7,
      envelope: { mailFrom: 'a@remote.test', rcptTo: ['b@example.test'], clientIp: '192.0.2.1' },
      headers: { subject: 'Hi' },
      symbols: [
        { name: 'DKIM_ALLOW', score: -1, stage: 'data', detail: '' },
        { name: 'AV_EICAR', score: 0, stage: 'data', detail: 'Eicar' },
        { name: 'BULK_HIGH', score: 7, stage: 'data', detail: '12' },
      ],
    });
    const [message, ...findings] = messageExports(event);
    expect(message).toMatchObject({ id: 'message:m1', kind: 'message', atMs: 1000, action: 'quarantine', direction: 'inbound', symbols: ['DKIM_ALLOW', 'AV_EICAR', 'BULK_HIGH'] });
    expect(findings.map((f) => f.id)).toEqual(['finding:m1:1', 'finding:m1:2']);
    expect(findings[1]).toMatchObject({ kind: 'finding', symbol: 'BULK_HIGH', symbolScore: 7, score: 7, subject: 'Hi', clientIp: '192.0.2.1', rcptTo: ['b@example.test'] });
  });

  it('keeps an event small whatever the message carried', () => {
    const huge = MessageEvent.fromPartial({
      id: 'big',
      envelope: { rcptTo: Array.from({ length: 5000 }, (_, n) => `user${n}@example.test`) },
      headers: { subject: 'S'.repeat(100_000) },
      symbols: [{ name: 'REGEX_X', score: 1, detail: 'd'.repeat(100_000) }],
    });
    const [message, finding] = messageExports(huge);
    expect(message).toMatchObject({ rcptCount: 5000 });
    expect(message?.kind === 'message' && message.rcptTo).toHaveLength(MAX_RCPTS);
    expect(finding?.kind === 'finding' && [finding.subject.length, finding.detail.length]).toEqual([MAX_TEXT, MAX_TEXT]);
    expect(JSON.stringify([message, finding]).length).toBeLessThan(8 * 1024);
  });

  it('names a delivery event by message, status, attempt and recipient', () => {
    const event = deliveryExport({ messageId: 'm1', nodeId: 'n1', recipient: 'b@example.test', result: { status: 'deferred', downstream: 'mx', response: '451', attempts: 2, atMs: 0 } }, 5);
    expect(event).toMatchObject({ id: 'delivery:m1:deferred:2:b@example.test', atMs: 5, status: 'deferred', attempts: 2 });
  });
});
