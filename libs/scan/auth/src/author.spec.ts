import { describe, expect, it } from 'vitest';
import { readAuthor } from './author.js';

const message = (from: string) => Buffer.from(`${from}\r\nSubject: hi\r\n\r\nbody\r\n`);
const names = (from: string) => readAuthor(message(from)).findings.map((f) => f.name);

describe('readAuthor', () => {
  it('reads one plain author', () => {
    expect(readAuthor(message('From: "Alice Example" <Alice@Example.COM>'))).toEqual({ address: 'Alice@example.com', domain: 'example.com', ambiguous: false, findings: [] });
    expect(readAuthor(message('From: bob@example.com (Bob)')).domain).toBe('example.com');
    expect(readAuthor(message('From: =?utf-8?b?7ZmN6ri464+Z?= <hong@example.kr>')).ambiguous).toBe(false);
  });

  it.each([
    ['no From', 'Sender: a@example.com', 'FROM_MISSING'],
    ['two From fields', 'From: a@bank.test\r\nFrom: b@evil.test', 'FROM_MULTIPLE_FIELDS'],
    ['two addresses', 'From: a@bank.test, b@evil.test', 'FROM_MULTIPLE_ADDRESSES'],
    ['a group of two', 'From: team: a@bank.test, b@evil.test;', 'FROM_MULTIPLE_ADDRESSES'],
    ['an encoded-word address', 'From: <=?utf-8?q?ceo=40bank.test?=@evil.test>', 'FROM_ENCODED_ADDRESS'],
    ['an encoded display name hiding an address', 'From: =?utf-8?q?ceo=40bank.test_?= <x@evil.test>', 'FROM_ENCODED_ADDRESS'],
    ['a folded address', 'From: Boss <ceo@bank\r\n .test>', 'FROM_FOLDED_ADDRESS'],
    ['route syntax', 'From: <@bank.test:attacker@evil.test>', 'FROM_ROUTE_SYNTAX'],
    ['an unterminated quote', 'From: "Bank <a@bank.test>', 'FROM_UNPARSABLE'],
    ['two angle addresses', 'From: <a@bank.test> <b@evil.test>', 'FROM_UNPARSABLE'],
    ['a NUL', 'From: a@bank.test\0b@evil.test', 'FROM_UNPARSABLE'],
  ])('finds %s ambiguous', (_what, from, symbol) => {
    const author = readAuthor(message(from));
    expect(author.ambiguous).toBe(true);
    expect(author.address).toBeUndefined();
    expect(author.findings.map((f) => f.name)).toContain(symbol);
  });

  it('flags a display name showing an address of another domain without making the author ambiguous', () => {
    expect(names('From: "ceo@bank.test" <x@evil.test>')).toEqual(['FROM_DISPLAY_ADDRESS']);
    // A display name of 200 KB without "@" is read once, and an address after it is still seen.
    expect(names(`From: "${'a'.repeat(200_000)} ${'b'.repeat(100)}@bank.test" <x@evil.test>`)).toEqual(['FROM_DISPLAY_ADDRESS']);
    expect(names('From: "x@evil.test" <x@evil.test>')).toEqual([]);
  });
});
