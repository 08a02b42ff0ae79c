import { extractTexts, type TextLimits, type TextSource } from '@moat/content';
import type { DlpKind } from './detectors/detector.js';
import { DLP_KINDS, scanTextValues, type DlpFinding, type ScanTextOptions } from './scan-text.js';

/** What one message holds: its files at every depth, as `inspectMessage` lists them (bodies included), and its subject. */
export interface DlpMessageParts {
  files: readonly TextSource[];
  subject?: string;
}

export interface DlpOptions extends Omit<ScanTextOptions, 'positions' | 'maxChars'> {
  textLimits?: Partial<TextLimits>;
}

export interface DlpMessageFinding extends DlpFinding {
  /** Where it was found: `subject` or file paths (1.2, 1.2/data.zip/list.xlsx). */
  where: string[];
}

export interface DlpMessageResult {
  findings: DlpMessageFinding[];
  /** One line for a symbol's detail: `rrn 5 (900101-1******, ...); card 1 (**** **** **** 1234)`; masked only. */
  symbolDetail: string;
  /** True when a text limit left part of the message unread. */
  truncated: boolean;
}

/**
 * DLP over one message: the subject and the text of every body and attachment (archives and documents
 * opened), each scanned by `scanText`. `count` is of distinct values in the whole message (a number in both the
 * plain and the HTML body, or in the body and an attachment, counts once); `occurrences` adds up every match.
 * Findings come in `DLP_KINDS` order and hold masked samples only.
 */
export function dlpFindings(parts: DlpMessageParts, options: DlpOptions = {}): DlpMessageResult {
  const extraction = extractTexts(parts.files, options.textLimits);
  const sources = [...(parts.subject ? [{ where: 'subject', text: parts.subject }] : []), ...extraction.texts.map((t) => ({ where: t.path, text: t.text }))];
  const byKind = new Map<DlpKind, DlpMessageFinding>();
  const distinct = new Map<DlpKind, Set<string>>();
  const maxSamples = options.maxSamples ?? 3;
  let truncated = extraction.truncated;
  for (const source of sources) {
    const scan = scanTextValues(source.text, options);
    truncated ||= scan.truncated;
    for (const found of scan.findings) {
      const total = byKind.get(found.kind) ?? { kind: found.kind, count: 0, occurrences: 0, samples: [], where: [] };
      const seen = distinct.get(found.kind) ?? new Set<string>();
      for (const value of scan.values.get(found.kind) ?? []) seen.add(value);
      distinct.set(found.kind, seen);
      total.count = seen.size;
      total.occurrences += found.occurrences;
      for (const sample of found.samples) if (total.samples.length < maxSamples && !total.samples.includes(sample)) total.samples.push(sample);
      total.where.push(source.where);
      byKind.set(found.kind, total);
    }
  }
  const findings = DLP_KINDS.flatMap((kind) => byKind.get(kind) ?? []);
  const symbolDetail = findings.map((f) => `${f.kind} ${f.count} (${f.samples.join(', ')})`).join('; ');
  return { findings, symbolDetail, truncated };
}
