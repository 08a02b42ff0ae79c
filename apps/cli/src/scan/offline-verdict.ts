import { contentFramingProblem, type Envelope, type MessageScanner, type Verdict } from '@moat/pipeline';

/**
 * The verdict a node would give one raw message, offline: what a node refuses before any check reads it (empty,
 * NUL bytes) is a reject with the node's symbol; the rest goes through the scanner. (The line ends of a file are
 * the SMTP client's business.)
 */
export async function offlineVerdict(scanner: MessageScanner, raw: Buffer, envelope: Partial<Envelope>): Promise<Verdict> {
  const problem = contentFramingProblem(raw);
  if (problem) return { action: 'reject', score: 0, symbols: [{ name: problem.symbol, score: 0, detail: problem.message, stage: 'data' }] };
  return scanner.scan(raw, envelope);
}
