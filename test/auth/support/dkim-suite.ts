import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zoneTxt, type ZoneRecord } from './knot.js';

export type DkimExpectation = 'pass' | 'fail' | 'invalid';

export interface DkimCase {
  file: string;
  message: Buffer;
  expected: DkimExpectation;
  note: string;
  /** Only a DomainKeys (RFC 4870, historic) signature: out of scope for a DKIM verifier. */
  domainKeysOnly: boolean;
  /** Skipped by Mail::DKIM's own test (pre-RFC drafts). */
  skippedUpstream: boolean;
}

export interface DkimSuite {
  cases: DkimCase[];
  records: ZoneRecord[];
  timeouts: string[];
  servfail: string[];
}

interface Expectations {
  cases: { file: string; expected: DkimExpectation; note: string; skippedUpstream: boolean; domainKeysOnly: boolean }[];
}

/** mail-dkim-corpus: corpus/*.txt, FAKE_DNS.dat ("name value", NXDOMAIN / ~~timeout~~ / ~~SERVFAIL~~ markers). */
export function loadDkimSuite(dir: string): DkimSuite {
  const records: ZoneRecord[] = [];
  const timeouts: string[] = [];
  const servfail: string[] = [];
  for (const line of readFileSync(join(dir, 'FAKE_DNS.dat'), 'latin1').split('\n')) {
    const name = /^\S+/.exec(line)?.[0];
    if (!name || !/^\s/.test(line.slice(name.length)) || line.startsWith('#')) continue;
    const value = line.slice(name.length).trim();
    if (value === 'NXDOMAIN') continue;
    if (/^~~.*timed out~~$/i.test(value)) timeouts.push(name);
    else if (value === '~~SERVFAIL~~') servfail.push(name);
    else records.push({ name, type: 'TXT', data: zoneTxt([value === '""' ? '' : value]) });
  }
  const expectations = JSON.parse(readFileSync(join(dir, 'expectations.json'), 'utf8')) as Expectations;
  const files = new Set(readdirSync(join(dir, 'corpus')));
  const cases = expectations.cases.map((expectation): DkimCase => {
    if (!files.has(expectation.file)) throw new Error(`corpus file ${expectation.file} is missing`);
    return { ...expectation, message: readFileSync(join(dir, 'corpus', expectation.file)) };
  });
  return { cases, records, timeouts, servfail };
}
