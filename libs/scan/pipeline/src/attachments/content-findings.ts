import { claimedKind, CONTENT_SYMBOLS, type ContentReport, type Finding, type InspectedFile, type TypeKind } from '@moat/content';
import type { ScanContext } from '../check.js';
import type { ParsedMessage } from '../message/parse-message.js';
import { stricter, type CompiledAttachments, type Disposition, type TypeClass } from './compile-attachments.js';

/** A finding recorded as a symbol, with what the policy makes of it. */
export interface ContentDecision {
  symbol: string;
  detail: string;
  disposition: Disposition;
  /** It belongs to the ransomware group and the group is on. */
  ransomware: boolean;
}

/** What stages 2 and 4 found in one message, handed from the attachment inspection to the checks after it. */
export interface ContentState {
  report: ContentReport;
  files: ReadonlyMap<string, InspectedFile>;
  decisions: ContentDecision[];
  /** `symbol detail` pairs already recorded: the same fact found again in a parent and a child counts once. */
  seen: Set<string>;
}

// Keyed by the parsed message: one state per message, gone with it, nothing added to the shared contexts.
const states = new WeakMap<ParsedMessage, ContentState>();

export function startContentState(message: ParsedMessage, report: ContentReport): ContentState {
  const state: ContentState = { report, files: new Map(report.files.map((f) => [f.path, f])), decisions: [], seen: new Set() };
  states.set(message, state);
  return state;
}

export function contentStateOf(message: ParsedMessage): ContentState | undefined {
  return states.get(message);
}

/**
 * Adds each new finding as a symbol. A symbol scores once per message (its first finding; later ones carry
 * 0 so that ten macro documents are not ten times as bad).
 */
export function recordFindings(ctx: ScanContext<'data'>, state: ContentState, findings: readonly Finding[]): void {
  const compiled = ctx.policy.attachments;
  for (const finding of findings) {
    const key = `${finding.symbol}\0${finding.detail}`;
    if (state.seen.has(key)) continue;
    state.seen.add(key);
    const disposition = dispositionOf(compiled, finding, state.files.get(finding.path));
    record(ctx, state, { symbol: finding.symbol, detail: `${finding.path || 'message'}: ${finding.detail}`, disposition, ransomware: compiled.ransomware.has(finding.symbol) }, CONTENT_SYMBOLS[finding.symbol].score);
  }
}

/**
 * Records one decision as a symbol. Only a finding left to the score (`score`) carries its score, once per
 * symbol name: one with its own disposition (block, quarantine, tag) acts through it, and its score would
 * otherwise push the message past the action the administrator chose for it.
 */
export function record(ctx: ScanContext<'data'>, state: ContentState, decision: ContentDecision, score: number): void {
  const first = !state.decisions.some((d) => d.symbol === decision.symbol);
  state.decisions.push(decision);
  ctx.results.add(decision.symbol, first && decision.disposition === 'score' ? score : 0, decision.detail);
}

function dispositionOf(compiled: CompiledAttachments, finding: Finding, file: InspectedFile | undefined): Disposition {
  const configured = compiled.symbols.get(finding.symbol) ?? 'score';
  if (!file) return configured;
  if (finding.symbol === 'ATTACHMENT_EXECUTABLE') return stricter(configured, compiled.types.executable.always ?? 'score');
  if (finding.symbol === 'ATTACHMENT_TYPE_MISMATCH') {
    // The content's class and the class the name claims: a .pdf that is a zip breaks the PDF rule.
    return [typeClassOf(file.type.kind), typeClassOf(claimedKind(file.name))].reduce<Disposition>((d, c) => (c ? stricter(d, compiled.types[c].mismatch) : d), configured);
  }
  return configured;
}

/** The type-rule class a kind of content belongs to, if any. */
export function typeClassOf(kind: TypeKind | undefined): TypeClass | undefined {
  switch (kind) {
    case 'executable':
    case 'script':
      return 'executable';
    case 'word':
    case 'excel':
    case 'powerpoint':
    case 'hwp':
    case 'pdf':
    case 'text':
      return kind;
    default:
      return undefined;
  }
}
