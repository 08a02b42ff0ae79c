/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line must be a HELP, TYPE or
 * comment line, a blank line, or a sample of a family whose TYPE came first; label values are unescaped; no
 * series may appear twice; histograms must have cumulative buckets ending in +Inf equal to _count. Anything else
 * throws with the line number, so a malformed exposition fails the test that scraped it.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const seen = new Set<string>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the exposition must end with a newline');
  lines.forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line.slice(0, 120))})`;
    try {
      if (line === '') return;
      if (line.startsWith('#')) return readComment(line, families);
      const sample = readSample(line);
      const family = familyOf(sample.name, families);
      if (!family) throw new Error(`sample before the TYPE line of its family`);
      const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
      if (seen.has(key)) throw new Error('series repeated');
      seen.add(key);
      family.samples.push(sample);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
    }
  });
  for (const family of families.values()) {
    if (family.type === 'counter') for (const s of family.samples) if (!(s.value >= 0)) throw new Error(`counter ${s.name} is ${s.value}`);
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

/** The value of the one series of NAME whose labels include LABELS; undefined when there is none. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = familyOf(name, families);
  const matches = (family?.samples ?? []).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1) throw new Error(`${matches.length} series of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}

function readComment(line: string, families: Map<string, MetricFamily>): void {
  const [, keyword, name, ...rest] = line.split(' ');
  if (keyword !== 'HELP' && keyword !== 'TYPE') return;
  if (!name || !NAME.test(name)) throw new Error(`bad metric name in ${keyword}`);
  const family = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
  if (keyword === 'HELP') family.help = rest.join(' ');
  else {
    const type = rest.join(' ');
    if (!TYPES.has(type)) throw new Error(`unknown type ${type}`);
    if (family.samples.length > 0) throw new Error('TYPE after samples');
    family.type = type as MetricType;
  }
  families.set(name, family);
}

function familyOf(sampleName: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  const direct = families.get(sampleName);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || family.type === 'summary')) return family;
  }
  return undefined;
}

function readSample(line: string): Sample {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
  const name = line.slice(0, i);
  if (!NAME.test(name)) throw new Error(`bad metric name ${JSON.stringify(name)}`);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      if (eq < 0) throw new Error('label without =');
      const label = line.slice(i, eq);
      if (!LABEL_NAME.test(label)) throw new Error(`bad label name ${JSON.stringify(label)}`);
      if (label in labels) throw new Error(`label ${label} twice`);
      if (line[eq + 1] !== '"') throw new Error(`label ${label} value not quoted`);
      let value = '';
      let j = eq + 2;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] !== '\\') {
          value += line[j];
          continue;
        }
        const escaped = line[++j];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else throw new Error(`bad escape \\${escaped ?? ''} in label ${label}`);
      }
      if (j >= line.length) throw new Error(`label ${label} value not closed`);
      labels[label] = value;
      i = j + 1;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`expected , or } after label ${label}`);
    }
    i++;
  }
  if (line[i] !== ' ') throw new Error('expected one space before the value');
  const [valueText, timestamp, extra] = line.slice(i + 1).split(' ');
  if (extra !== undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) throw new Error('trailing text after the value');
  return { name, labels, value: parseValue(valueText ?? '') };
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad value ${JSON.stringify(text)}`);
  return value;
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${s.name} without le`);
      entry.buckets.push([parseValue(le), s.value]);
    } else if (s.name === `${family.name}_count`) entry.count = s.value;
    else if (s.name === `${family.name}_sum`) entry.sum = s.value;
    else throw new Error(`${s.name} is not a histogram sample of ${family.name}`);
  }
  for (const [key, entry] of series) {
    const where = `${family.name}${key}`;
    if (entry.count === undefined || entry.sum === undefined) throw new Error(`${where}: _count or _sum missing`);
    const last = entry.buckets.at(-1);
    if (!last || last[0] !== Infinity || last[1] !== entry.count) throw new Error(`${where}: the +Inf bucket must come last and equal _count`);
    entry.buckets.forEach(([le, n], k) => {
      const previous = entry.buckets[k - 1];
      if (previous && (le <= previous[0] || n < previous[1])) throw new Error(`${where}: buckets not cumulative at le=${le}`);
    });
  }
}
