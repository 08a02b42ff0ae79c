import { describe, expect, it } from 'vitest';
import { diffPolicies, mailStoppingChanges } from './diff.js';
import { parsePolicy } from './validate.js';

const domain = (name: string, host = `mx.${name}`) => ({ name, downstream: { host, port: 25 } });
const policy = (input: object = {}) => parsePolicy({ domains: [domain('a.test'), domain('b.test')], ...input });

describe('diffPolicies', () => {
  it('lists path-level changes, matching domains by name', () => {
    const before = policy();
    const after = policy({ domains: [domain('b.test', 'mx2.b.test'), domain('c.test')], thresholds: { tag: 4, quarantine: 10, reject: 15 } });
    expect(diffPolicies(before, after)).toEqual([
      { path: 'domains[a.test]', op: 'remove', from: expect.objectContaining({ name: 'a.test' }) },
      { path: 'domains[b.test].downstream.host', op: 'change', from: 'mx.b.test', to: 'mx2.b.test' },
      { path: 'domains[c.test]', op: 'add', to: expect.objectContaining({ name: 'c.test' }) },
      { path: 'thresholds.tag', op: 'change', from: 5, to: 4 },
    ]);
    expect(diffPolicies(before, policy())).toEqual([]);
    expect(diffPolicies(before, parsePolicy({})).map((c) => `${c.op} ${c.path}`)).toEqual(['remove domains[a.test]', 'remove domains[b.test]']);
  });

  it('compares plain lists as a whole', () => {
    expect(diffPolicies(policy(), policy({ lists: { ipBlock: ['192.0.2.1'] } }))).toEqual([{ path: 'lists.ipBlock', op: 'change', from: [], to: ['192.0.2.1'] }]);
  });
});

describe('mailStoppingChanges', () => {
  it('warns when no domain is left or one is removed', () => {
    expect(mailStoppingChanges(policy(), parsePolicy({}))).toEqual(['no domains left: every message will be refused (relaying denied)']);
    expect(mailStoppingChanges(policy(), policy({ domains: [domain('b.test')] }))).toEqual([
      'domain a.test removed: its mail will be refused and its downstream mx.a.test:25 no longer receives any',
    ]);
  });

  it('warns about thresholds that reject tagged or unscored mail, and a block of every address', () => {
    expect(mailStoppingChanges(policy(), policy({ thresholds: { tag: 5, quarantine: 5, reject: 5 } }))).toEqual([
      'reject threshold 5 is not above the tag threshold 5: every message that would be tagged is rejected',
    ]);
    expect(mailStoppingChanges(policy(), policy({ thresholds: { tag: -1, quarantine: 0, reject: 0 } }))).toEqual([
      'reject threshold 0 is at most 0: messages that score nothing are rejected',
    ]);
    expect(mailStoppingChanges(policy(), policy({ lists: { ipBlock: ['0.0.0.0/0'] } }))).toEqual(['global IP block list has 0.0.0.0/0: every client is refused']);
  });

  it('says nothing about safe changes, or about what was already so', () => {
    expect(mailStoppingChanges(policy(), policy({ domains: [domain('a.test'), domain('b.test'), domain('c.test')] }))).toEqual([]);
    const blocked = policy({ lists: { ipBlock: ['0.0.0.0/0'] } });
    expect(mailStoppingChanges(blocked, blocked)).toEqual([]);
    expect(mailStoppingChanges(undefined, parsePolicy({}))).toEqual([]);
  });
});
