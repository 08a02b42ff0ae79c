import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { decodeMailCursor, describeCondition, encodeMailCursor, MAX_CONDITION_DEPTH, parseMailCondition } from './mail-condition.js';

const problems = (input: unknown): string[] => {
  try {
    parseMailCondition(input);
  } catch (err) {
    if (err instanceof InvalidInputError) return err.problems;
    throw err;
  }
  return [];
};

describe('parseMailCondition', () => {
  it('reads and/or trees of field conditions', () => {
    const tree = { or: [{ field: 'sender', value: 'alice@' }, { and: [{ field: 'verdict', value: 'quarantine' }, { field: 'node', value: 'mx-1' }] }] };
    expect(parseMailCondition(tree)).toEqual(tree);
    expect(describeCondition(parseMailCondition(tree))).toBe('(sender="alice@" or (verdict="quarantine" and node="mx-1"))');
  });

  it('names every problem with its path', () => {
    expect(problems({ or: [{ field: 'headers', value: 'x' }, { field: 'verdict', value: 'spam' }, { field: 'subject', value: 3 }, 'x'] })).toEqual([
      'where.or.0.field: must be one of sender, rcpt, subject, clientIp, verdict, direction, attachment, symbol, node, deliveryStatus, body, category, virus',
      'where.or.1.value: verdict must be one of deliver, tag, quarantine, reject, tempfail, hold, discard, unspecified',
      'where.or.2.value: must be text of at most 1000 characters',
      'where.or.3: must be {field, value}, {and: [...]} or {or: [...]}',
    ]);
    expect(problems({ and: 'x' })).toEqual(['where.and: must be a list of conditions']);
  });

  it('bounds depth and size', () => {
    let deep: unknown = { field: 'sender', value: 'a' };
    for (let i = 0; i < MAX_CONDITION_DEPTH; i++) deep = { and: [deep] };
    expect(problems(deep)).toEqual([`where${'.and.0'.repeat(MAX_CONDITION_DEPTH - 1)}: conditions nest at most ${MAX_CONDITION_DEPTH} deep`]);
    expect(problems({ or: Array.from({ length: 51 }, () => ({ field: 'sender', value: 'a' })) })).toEqual(['where: at most 50 field conditions']);
  });
});

describe('mail cursors', () => {
  it('round-trip a position and refuse anything else', () => {
    expect(decodeMailCursor(encodeMailCursor({ receivedAtMs: 1_700_000_000_000, id: 'm-1' }))).toEqual({ receivedAtMs: 1_700_000_000_000, id: 'm-1' });
    for (const bad of ['', 'x', Buffer.from('[1]').toString('base64url'), Buffer.from('[-1,"a"]').toString('base64url')]) {
      expect(() => decodeMailCursor(bad)).toThrow(InvalidInputError);
    }
  });
});
