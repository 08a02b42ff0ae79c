import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { isRepresentable, zoneName, zoneTxt, type ZoneRecord } from './knot.js';

export interface SpfCase {
  id: string;
  scenario: string;
  spec: string;
  helo: string;
  host: string;
  mailfrom: string;
  /** Any of these results is correct (the suite lists alternatives where the RFC allows them). */
  results: string[];
  /** The expanded explanation expected with a fail, when the suite gives one. */
  explanation?: string;
}

export interface SpfScenario {
  description: string;
  cases: SpfCase[];
  records: ZoneRecord[];
  /** Names whose TXT lookup times out: their zone's servers do not answer. */
  timeouts: string[];
  /** Names of the zone data that DNS cannot carry (a label over 63 octets); they simply do not exist. */
  unrepresentable: string[];
}

type Entry = string | Record<string, unknown>;

const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

function recordsOf(name: string, type: string, value: unknown): ZoneRecord[] {
  switch (type) {
    case 'SPF':
    case 'TXT':
      return [{ name, type, data: zoneTxt(asStrings(value)) }];
    case 'MX': {
      const [priority, exchange] = value as [number, string];
      return [{ name, type, data: `${priority} ${zoneName(exchange)}` }];
    }
    case 'PTR':
    case 'CNAME':
      return [{ name, type, data: zoneName(String(value)) }];
    case 'A':
    case 'AAAA':
      return [{ name, type, data: String(value) }];
    default:
      throw new Error(`unknown record type ${type} for ${name}`);
  }
}

/**
 * The zone data of one name, read the way the suite's own harness (pyspf test/testspf.py) reads it: SPF
 * records are also published as TXT unless the name lists TXT itself ("TXT: NONE" = no TXT at all), and
 * TIMEOUT makes every lookup time out except for types listed before it.
 */
function nameData(name: string, entries: Entry[]): { records: ZoneRecord[]; txtTimesOut: boolean } {
  const listsTxt = entries.some((entry) => typeof entry === 'object' && 'TXT' in entry);
  const records: ZoneRecord[] = [];
  let answeredTxtBeforeTimeout = false;
  for (const entry of entries) {
    if (entry === 'TIMEOUT') return { records, txtTimesOut: !answeredTxtBeforeTimeout };
    for (const [type, value] of Object.entries(entry as Record<string, unknown>)) {
      if (value === 'NONE') continue;
      records.push(...recordsOf(name, type, value));
      if (type === 'SPF' && !listsTxt) records.push(...recordsOf(name, 'TXT', value));
      if (type === 'TXT') answeredTxtBeforeTimeout = true;
    }
  }
  return { records, txtTimesOut: false };
}

export function loadSpfSuite(file: string): SpfScenario[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  return (Array.isArray(documents) ? documents : [documents]).map((document) => {
    const data = document.toJS() as {
      description: string;
      tests: Record<string, Record<string, unknown>>;
      zonedata?: Record<string, Entry[]>;
    };
    const records: ZoneRecord[] = [];
    const timeouts: string[] = [];
    const unrepresentable: string[] = [];
    for (const [rawName, entries] of Object.entries(data.zonedata ?? {})) {
      const name = rawName.toLowerCase();
      if (!isRepresentable(name)) {
        unrepresentable.push(name);
        continue;
      }
      const { records: named, txtTimesOut } = nameData(name, entries);
      if (txtTimesOut) timeouts.push(name);
      else records.push(...named);
    }
    const cases = Object.entries(data.tests).map(([id, test]): SpfCase => ({
      id,
      scenario: data.description,
      spec: String(test.spec),
      helo: String(test.helo),
      host: String(test.host),
      mailfrom: String(test.mailfrom ?? ''),
      results: asStrings(test.result),
      explanation: test.explanation === undefined ? undefined : String(test.explanation),
    }));
    return { description: data.description, cases, records, timeouts, unrepresentable };
  });
}
