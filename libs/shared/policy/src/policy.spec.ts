import { describe, expect, it } from 'vitest';
import { editList, editListEntries, IpSet, listEntryProblem, parsePolicy, PolicyValidationError, senderMatches } from './index.js';

describe('policy schema', () => {
  it('fills safe defaults from an empty document', () => {
    const p = parsePolicy({});
    expect(p.domains).toEqual([]);
    expect(p.thresholds).toEqual({ tag: 5, quarantine: 10, reject: 15 });
    expect(p.smtp.greetingDelayMs).toBe(0);
  });

  it('reports every problem with its path', () => {
    try {
      parsePolicy({ lists: { ipBlock: ['300.1.1.1'] }, thresholds: { tag: 20, quarantine: 10, reject: 15 }, bogus: 1 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyValidationError);
      const text = (err as Error).message;
      expect(text).toContain('lists.ipBlock.0');
      expect(text).toContain('thresholds');
      expect(text).toContain('bogus');
    }
  });

  it('rejects invalid JSON text clearly', () => {
    expect(() => parsePolicy('{')).toThrow(/not valid JSON/);
  });

  it('rejects duplicate domains', () => {
    const d = { name: 'example.test', downstream: { host: '127.0.0.1' } };
    expect(() => parsePolicy({ domains: [d, d] })).toThrow(/duplicate domain/);
  });

  it('keeps outbound accounts at the tenant domains, once each, with a bounded password hash', () => {
    const d = { name: 'example.test', downstream: { host: '127.0.0.1' } };
    const hash = { algorithm: 'scrypt', salt: 'saltsaltsalt', hash: 'h'.repeat(88), cost: 16384 };
    const ok = parsePolicy({ domains: [d], outbound: { accounts: [{ address: 'Alice@Example.test', passwordHash: hash }] } });
    expect(ok.outbound.accounts).toEqual([{ address: 'alice@example.test', canSend: false, passwordHash: hash, aliases: [] }]);
    expect(ok.outbound.senderMatch).toEqual({ envelope: true, header: true });
    expect(() => parsePolicy({ domains: [d], outbound: { accounts: [{ address: 'a@elsewhere.test' }] } })).toThrow(/outbound\.accounts\.0\.address: a@elsewhere.test is not at one of the tenant's domains/);
    expect(() => parsePolicy({ domains: [d], outbound: { accounts: [{ address: 'a@example.test' }, { address: 'A@example.test' }] } })).toThrow(/duplicate account a@example.test/);
    expect(() => parsePolicy({ domains: [d], outbound: { accounts: [{ address: 'a@example.test', passwordHash: { ...hash, cost: 1 << 30 } }] } })).toThrow(/cost/);
  });
});

describe('list editing', () => {
  it('adds once, removes, and validates the value', () => {
    const p = parsePolicy({});
    const added = editList(editList(p, 'add', 'ip-block', '10.0.0.0/8'), 'add', 'ip-block', '10.0.0.0/8');
    expect(added.lists.ipBlock).toEqual(['10.0.0.0/8']);
    expect(editList(added, 'remove', 'ip-block', '10.0.0.0/8').lists.ipBlock).toEqual([]);
    expect(() => editList(p, 'add', 'ip-block', 'not-an-ip')).toThrow(PolicyValidationError);
  });

  it('adds and removes several entries in one document, normalised and without repeats', () => {
    const p = parsePolicy({ domains: [{ name: 'example.test', downstream: { host: 'mx.example.test' } }] });
    const added = editListEntries(p, 'add', 'sender-block', [' Spam@Bad.test', 'bad.test', 'spam@bad.test'], 'example.test');
    expect(added.domains[0]?.lists.senderBlock).toEqual(['spam@bad.test', 'bad.test']);
    expect(added.lists.senderBlock).toEqual([]);
    expect(editListEntries(added, 'remove', 'sender-block', ['BAD.test', 'absent.test'], 'example.test').domains[0]?.lists.senderBlock).toEqual(['spam@bad.test']);
  });

  it('says why a value cannot be a list entry', () => {
    expect(listEntryProblem('ip-block', '127.0.0.2')).toBeUndefined();
    expect(listEntryProblem('ip-allow', '2001:db8::/32')).toBeUndefined();
    expect(listEntryProblem('ip-block', '10.0.0.0/33')).toMatch(/IPv4\/IPv6 address or CIDR/);
    expect(listEntryProblem('sender-block', '.example.com')).toBeUndefined();
    expect(listEntryProblem('sender-allow', 'not a sender')).toMatch(/address, a domain/);
  });
});

describe('quarantine section', () => {
  it('keeps held mail 30 days by default and takes fractions of a day', () => {
    expect(parsePolicy({}).quarantine.days).toBe(30);
    expect(parsePolicy({ quarantine: { days: 0.5 } }).quarantine.days).toBe(0.5);
    expect(() => parsePolicy({ quarantine: { days: 0 } })).toThrow(/quarantine\.days/);
  });
});

describe('matching', () => {
  it('matches IPs, CIDRs and v4-mapped v6', () => {
    const s = new IpSet(['192.0.2.0/24', '2001:db8::/32', '198.51.100.7']);
    expect(s.has('192.0.2.55')).toBe(true);
    expect(s.has('::ffff:192.0.2.1')).toBe(true);
    expect(s.has('2001:db8::1')).toBe(true);
    expect(s.has('198.51.100.8')).toBe(false);
    expect(s.has('garbage')).toBe(false);
  });

  it('matches senders by address, domain and subdomain', () => {
    expect(senderMatches('Bob@Example.com', 'bob@example.com')).toBe(true);
    expect(senderMatches('x@example.com', 'example.com')).toBe(true);
    expect(senderMatches('x@mail.example.com', 'example.com')).toBe(false);
    expect(senderMatches('x@mail.example.com', '.example.com')).toBe(true);
  });
});
