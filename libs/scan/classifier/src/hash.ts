/**
 * 32-bit FNV-1a over UTF-16 code units, finished with MurmurHash3's fmix32 so the low bits (used as the
 * bucket) are well mixed. Fast, allocation-free and stable across platforms: a model's bucket layout
 * depends on it, so changing it needs a new model format version.
 */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The bucket of a feature in a table of 2^bits weights. */
export function featureBucket(feature: string, bits: number): number {
  return hashString(feature) & ((1 << bits) - 1);
}
