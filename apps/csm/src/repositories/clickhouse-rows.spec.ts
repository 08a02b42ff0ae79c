import { Action, Direction, MessageEvent } from '@moat/proto/grpc';
import { describe, expect, it } from 'vitest';
import { dateTime64, messageRow } from './clickhouse-rows.js';

describe('ClickHouse rows', () => {
  it('writes DateTime64(3) values as UTC literals with milliseconds', () => {
    expect(dateTime64(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02 03:04:05.678');
    expect(dateTime64(0)).toBe('1970-01-01 00:00:00.000');
  });

  it('maps a MessageEvent to one wide row with parallel symbol and attachment arrays', () => {
    const row = messageRow(
      MessageEvent.fromPartial({
        id: 'm1',
        direction: Direction.DIRECTION_OUTBOUND,
        action: Action.ACTION_QUARANTINE,
        envelope: { mailFrom: 'a@b.test', rcptTo: ['c@d.test'] },
        symbols: [{ name: 'A', score: 1, detail: 'x', stage: 'data' }, { name: 'B', score: -2, detail: '', stage: 'rcpt' }],
        attachments: [{ name: 'f.zip', size: 3 }],
        receivedAtMs: 1000,
      }),
    );
    expect(row).toMatchObject({
      id: 'm1',
      direction: 'outbound',
      action: 'quarantine',
      received_at: '1970-01-01 00:00:01.000',
      mail_from: 'a@b.test',
      rcpt_to: ['c@d.test'],
      'symbols.name': ['A', 'B'],
      'symbols.score': [1, -2],
      'symbols.stage': ['data', 'rcpt'],
      'attachments.name': ['f.zip'],
      'attachments.size': [3],
      subject: '',
    });
  });

  it('stores at most 16 KiB of body text, whatever the node sent', () => {
    expect(messageRow(MessageEvent.fromPartial({ id: 'x', bodyText: 'word '.repeat(5000) })).body_text).toHaveLength(16_384);
  });

  it('names unknown enum values unspecified', () => {
    expect(messageRow(MessageEvent.fromPartial({ id: 'x', direction: 9 as Direction, action: Action.UNRECOGNIZED }))).toMatchObject({ direction: 'unspecified', action: 'unspecified' });
  });
});
