// Fuzzy fingerprint of a body text (what DCC and Rspamd's fuzzy_check do): MinHash over word shingles,
// cut into LSH bands. Two texts that differ in a few words (a greeting with the recipient's name, a
// tracking number) share most shingles, so at least one band almost always hashes the same; unrelated
// texts share none. Each band is counted fleet-wide on its own and a message counts as its busiest band.

const SHINGLE_WORDS = 3;
const BANDS = 16;
const ROWS = 4;
const HASHES = BANDS * ROWS;
const MAX_WORDS = 5000;

// An address starts where a run of non-spaces does: `\S+@` tried from every position of a long run is quadratic.
const URL_OR_ADDRESS = /\b(?:https?:\/\/|www\.)\S+|(?<!\S)\S+@\S+/giu;
// Letters only: numbers are what per-recipient variants change (order ids, dates, amounts).
const WORD = /\p{L}[\p{L}\p{M}]*/gu;
// Scripts written without spaces between words: each character stands as a word.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

export interface TextFingerprint {
  /** Words the fingerprint was built from. */
  words: number;
  /** One key per band, e.g. "b3-9f86d081884c7d65". Empty when the text has too few words. */
  bands: string[];
}

/** The normalised words of a text: NFKC, lower case, no URLs, addresses or numbers. */
export function normalisedWords(text: string): string[] {
  const words: string[] = [];
  const clean = text.normalize('NFKC').toLowerCase().replace(URL_OR_ADDRESS, ' ');
  for (const [word] of clean.matchAll(WORD)) {
    if (UNSPACED.test(word)) words.push(...word);
    else words.push(word);
    if (words.length >= MAX_WORDS) break;
  }
  return words.slice(0, MAX_WORDS);
}

export function fingerprintText(text: string, minWords: number): TextFingerprint {
  const words = normalisedWords(text);
  if (words.length < Math.max(minWords, SHINGLE_WORDS)) return { words: words.length, bands: [] };
  const minima = new Uint32Array(HASHES).fill(0xffffffff);
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) {
    const shingle = fnv1a(words.slice(i, i + SHINGLE_WORDS).join(' '), 0x811c9dc5);
    for (let h = 0; h < HASHES; h++) {
      const value = mix(shingle ^ SEEDS[h]);
      if (value < minima[h]) minima[h] = value;
    }
  }
  const bands: string[] = [];
  for (let b = 0; b < BANDS; b++) {
    const rows = Array.from(minima.subarray(b * ROWS, (b + 1) * ROWS), (v) => v.toString(16)).join(',');
    bands.push(`b${b}-${hex(fnv1a(rows, 0x811c9dc5))}${hex(fnv1a(rows, 0x050c5d1f))}`);
  }
  return { words: words.length, bands };
}

function fnv1a(text: string, basis: number): number {
  let hash = basis;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// MurmurHash3's finaliser: turns each seed-xored shingle hash into an independent-looking permutation.
function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}

// Fixed seeds: every node must compute the same bands for the same text.
const SEEDS = Uint32Array.from({ length: HASHES }, (_, i) => mix(0x9e3779b9 ^ Math.imul(i + 1, 0x27d4eb2f)));
