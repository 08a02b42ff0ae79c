/**
 * `text` with every block removed that runs from a match of `start` (a global pattern) to the first match of its
 * end pattern after it (`endOf(opening)`, a global pattern; each becomes `replacement`). An opening with no end
 * after it stays, and its end pattern is not searched for again: it cannot be found after a later opening either.
 * So every character is read a bounded number of times, whatever the text (one pattern with [\s\S]*? between
 * opening and end searched to the end again from every opening: seconds on text of openings that never close).
 */
export function withoutBlocks(text: string, start: RegExp, endOf: (opening: RegExpExecArray) => RegExp, replacement = ''): string {
  const kept: string[] = [];
  const unclosed = new Set<string>();
  let from = 0;
  const opening = new RegExp(start.source, start.flags);
  for (let m = opening.exec(text); m; m = opening.exec(text)) {
    const end = endOf(m);
    if (unclosed.has(end.source)) continue;
    end.lastIndex = opening.lastIndex;
    if (!end.exec(text)) {
      unclosed.add(end.source);
      continue;
    }
    kept.push(text.slice(from, m.index));
    from = opening.lastIndex = end.lastIndex;
  }
  kept.push(text.slice(from));
  return kept.join(replacement);
}
