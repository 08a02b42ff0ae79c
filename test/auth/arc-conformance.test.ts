import { resolve } from 'node:path';
import { arc as libraryArc } from 'mailauth/lib/arc/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSignatures, verifyArc, type ArcOutcome } from '@moat/auth';
import { loadArcSuite, type ArcCase } from './support/arc-suite.js';
import { countLine, startSuiteDns, type SuiteDns } from './support/dns-fixture.js';

// ValiMail ARC validation suite against a real knotd holding its key records.
// Three cases leave cv empty: their newest ARC-Seal already says cv=fail, so RFC 8617 section 5.2 can only
// give fail, which is what they are checked against.
const suite = loadArcSuite(resolve(import.meta.dirname, '../../../shared/conformance/arc/arc-draft-validation-tests.yml'));
const expectedCv = (test: ArcCase): string => test.cv || 'fail';

// Where Moat disagrees with the suite on purpose, and why (docs/conformance.md). The suite (draft era) passes
// an ARC-Message-Signature with an empty h=. RFC 8617 section 4.1.2: the AMS "has the same syntax and semantics
// as the DKIM-Signature field [RFC6376]" except for its name, v= and i=; RFC 6376 section 5.4: "The From header
// field MUST be signed", and section 6.1.1: a verifier MUST return PERMFAIL (From field not signed). Our own
// layer fails it for that reason, not by accident of the library.
const deliberate: Record<string, { result: string; reason: string }> = {
  ams_fields_h_empty: { result: 'fail', reason: 'malformed ARC-Message-Signature: h= does not cover From' },
};

const moat = new Map<ArcCase, ArcOutcome>();
const library = new Map<ArcCase, string>();
let dns: SuiteDns;

beforeAll(async () => {
  dns = await startSuiteDns(suite);
  for (const test of suite.cases) {
    const resolver = dns.resolver();
    const signatures = await readSignatures(test.message, resolver, 1024, new Date());
    moat.set(test, await verifyArc(test.message, signatures, resolver));
    const alone = signatures.arc ? await libraryArc({ ...signatures.arc, chain: signatures.arc.chain || [] }, { resolver: resolver.mailauth }) : undefined;
    library.set(test, alone?.status.result ?? 'none');
  }
});

afterAll(async () => {
  await dns?.stop();
  const cases = [...moat.keys()];
  console.log(countLine('ARC arc-draft-validation-tests.yml', cases.length, cases.filter((test) => library.get(test) === expectedCv(test)).length, cases.filter((test) => moat.get(test)!.result === expectedCv(test)).length));
  console.log(`[conformance] ARC: ${Object.keys(deliberate).length} deliberate deviation(s): ${Object.keys(deliberate).join(', ')}`);
});

describe('ARC: validation suite', () => {
  it('has the 175 cases of the suite, duplicated ids included', () => {
    expect(suite.cases).toHaveLength(175);
  });

  it.each(suite.cases.map((test, index) => [`${test.id} #${index}`, test] as const))('%s', (_id, test) => {
    expect({ result: moat.get(test)?.result, reason: moat.get(test)?.reason }).toMatchObject(deliberate[test.id] ?? { result: expectedCv(test) });
  });
});
