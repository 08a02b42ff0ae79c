import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseAllDocuments } from 'yaml';
import { zoneTxt, type ZoneRecord } from './knot.js';

export interface ArcCase {
  id: string;
  scenario: string;
  description: string;
  message: Buffer;
  /** Expected chain validation status: pass, fail or none */
  cv: string;
}

export interface ArcSuite {
  cases: ArcCase[];
  records: ZoneRecord[];
}

/**
 * ValiMail arc_test_suite validation YAML. Some test ids appear twice in one scenario; YAML-to-object
 * conversion would keep only the last, so the pairs of each `tests` map are read one by one.
 * Key records are shared by all scenarios (the suite's README), so they go into one zone.
 */
export function loadArcSuite(file: string): ArcSuite {
  const cases: ArcCase[] = [];
  const byName = new Map<string, string>();
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: false })) {
    const scenario = String(document.get('description') ?? '').trim();
    const tests = document.get('tests');
    if (!isMap(tests)) throw new Error(`scenario "${scenario}" has no tests map`);
    for (const pair of tests.items) {
      const id = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const test = (pair.value as { toJSON(): unknown }).toJSON() as { message: string; cv: string | null; description?: string };
      // Messages are written with LF line ends; SMTP carries CRLF.
      const message = Buffer.from(test.message.replace(/\r?\n/g, '\r\n'), 'utf8');
      cases.push({ id, scenario, description: test.description ?? '', message, cv: String(test.cv ?? '').trim().toLowerCase() });
    }
    const txt = (document.get('txt-records') as { toJSON(): unknown } | undefined)?.toJSON() as Record<string, string> | undefined;
    for (const [name, value] of Object.entries(txt ?? {})) {
      const previous = byName.get(name);
      if (previous !== undefined && previous !== value) throw new Error(`two different records for ${name}`);
      byName.set(name, value);
    }
  }
  const records = [...byName].map(([name, value]): ZoneRecord => ({ name, type: 'TXT', data: zoneTxt([value]) }));
  return { cases, records };
}
