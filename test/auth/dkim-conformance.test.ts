import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSignatures, verifyDkim, type DkimOutcome } from '@moat/auth';
import { countLine, startSuiteDns, type SuiteDns } from './support/dns-fixture.js';
import { loadDkimSuite, type DkimCase, type DkimExpectation } from './support/dkim-suite.js';

// Mail::DKIM's verifier corpus against a real knotd (FAKE_DNS.dat as zone data, its timeout and SERVFAIL
// markers as a dropping listener and an unloadable zone). The corpus is from the RFC 4871 era: 512-bit
// keys and rsa-sha1, and pre-RFC draft signatures (no v=), so it runs with minKeyBits 512 and acceptDrafts.
// DomainKeys-only messages (RFC 4870, historic) and the cases Mail::DKIM itself skips are out of scope.
const suite = loadDkimSuite(resolve(import.meta.dirname, '../../../shared/conformance/dkim/mail-dkim-corpus'));
const applicable = suite.cases.filter((test) => !test.domainKeysOnly && !test.skippedUpstream);
const options = { minKeyBits: 512, now: new Date() };

// Mail::DKIM's words: pass, fail (did not verify), invalid (signature or key unusable).
function inCorpusTerms(result: DkimOutcome['result']): DkimExpectation | 'none' {
  if (result === 'pass' || result === 'fail' || result === 'none') return result;
  return 'invalid';
}

const moat = new Map<DkimCase, DkimOutcome>();
const library = new Map<DkimCase, DkimExpectation | 'none'>();
let dns: SuiteDns;

beforeAll(async () => {
  dns = await startSuiteDns(suite);
  for (const test of applicable) {
    const resolver = dns.resolver();
    const signatures = await readSignatures(test.message, resolver, options.minKeyBits, options.now);
    moat.set(test, await verifyDkim(test.message, signatures, resolver, { now: options.now, acceptDrafts: true }));
    // The library alone: the best status over its results, in the same words.
    const statuses = signatures.results.map((entry) => entry.status.result);
    library.set(test, statuses.includes('pass') ? 'pass' : statuses.includes('fail') ? 'fail' : statuses.length === 0 || statuses.every((status) => status === 'none') ? 'none' : 'invalid');
  }
});

afterAll(async () => {
  await dns?.stop();
  const cases = [...moat.keys()];
  console.log(countLine('DKIM mail-dkim-corpus (DKIM cases)', cases.length, cases.filter((test) => library.get(test) === test.expected).length, cases.filter((test) => inCorpusTerms(moat.get(test)!.result) === test.expected).length));
  console.log(`[conformance] DKIM mail-dkim-corpus: ${suite.cases.length - applicable.length} of ${suite.cases.length} out of scope (DomainKeys-only or skipped upstream)`);
});

describe('DKIM: Mail::DKIM corpus', () => {
  it.each(applicable.map((test) => [test.file, test.expected, test] as const))('%s is %s', (_file, expected, test) => {
    const outcome = moat.get(test);
    expect({ result: inCorpusTerms(outcome?.result ?? 'none'), signatures: outcome?.signatures }).toMatchObject({ result: expected });
  });
});
