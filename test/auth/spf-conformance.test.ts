import { resolve } from 'node:path';
import { spf as librarySpf } from 'mailauth/lib/spf/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSpf } from '@moat/auth';
import { countLine, startSuiteDns } from './support/dns-fixture.js';
import { loadSpfSuite, type SpfCase } from './support/spf-suite.js';

// openspf/pyspf RFC 7208 suite against a real knotd per scenario (scenarios reuse names with other data).
// The suite's harness gives "DEFAULT" as the explanation when the domain supplies none.
const suiteFile = resolve(import.meta.dirname, '../../../shared/conformance/spf/rfc7208-tests.yml');
const scenarios = loadSpfSuite(suiteFile);

interface Outcome {
  result: string;
  explanation?: string;
}

const correct = (test: SpfCase, outcome: Outcome): boolean =>
  test.results.includes(outcome.result) && (test.explanation === undefined || (outcome.explanation ?? 'DEFAULT') === test.explanation);

const moat = new Map<SpfCase, Outcome>();
const library = new Map<SpfCase, Outcome>();

beforeAll(async () => {
  for (const scenario of scenarios) {
    const dns = await startSuiteDns(scenario);
    try {
      for (const test of scenario.cases) {
        const query = { ip: test.host, sender: test.mailfrom, helo: test.helo, receiver: 'mx.moat.test' };
        moat.set(test, await checkSpf(query, dns.resolver()));
        const alone = await librarySpf({ ...query, mta: query.receiver, resolver: dns.resolver().mailauth });
        library.set(test, { result: alone.status.result, explanation: alone.explanation });
      }
    } finally {
      await dns.stop();
    }
  }
});

afterAll(() => {
  const cases = [...moat.keys()];
  console.log(countLine('SPF rfc7208-tests.yml', cases.length, cases.filter((test) => correct(test, library.get(test)!)).length, cases.filter((test) => correct(test, moat.get(test)!)).length));
});

describe('SPF: RFC 7208 test suite', () => {
  it('has the 203 cases of the suite', () => {
    expect(scenarios.reduce((sum, scenario) => sum + scenario.cases.length, 0)).toBe(203);
  });

  for (const scenario of scenarios) {
    describe(scenario.description, () => {
      it.each(scenario.cases.map((test) => [test.id, test] as const))('%s', (_id, test) => {
        const outcome = moat.get(test);
        expect({ result: outcome?.result, explanation: test.explanation === undefined ? undefined : (outcome?.explanation ?? 'DEFAULT') }).toEqual({
          result: test.results.includes(outcome?.result ?? '') ? outcome?.result : test.results[0],
          explanation: test.explanation,
        });
      });
    });
  }
});
