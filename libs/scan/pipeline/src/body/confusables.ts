// A compact confusable skeleton (after Unicode TR39 section 4) for the characters lookalike domains use:
// Cyrillic, Greek and Armenian letters that render like Latin ones, digits that pass for letters, and
// letter pairs that read as one letter in most fonts. Accents go through NFKD.
const SINGLE: Record<string, string> = {
  а: 'a', ɑ: 'a', α: 'a', в: 'b', ƅ: 'b', с: 'c', ϲ: 'c', ԁ: 'd', е: 'e', ё: 'e', ε: 'e', ɡ: 'g', һ: 'h', н: 'h',
  і: 'i', ı: 'i', ι: 'i', ɩ: 'i', ј: 'j', к: 'k', κ: 'k', ӏ: 'l', ł: 'l', '1': 'l', '|': 'l', м: 'm', ո: 'n', η: 'n',
  о: 'o', ο: 'o', օ: 'o', '0': 'o', р: 'p', ρ: 'p', ԛ: 'q', ѕ: 's', т: 't', τ: 't', υ: 'u', ս: 'u', ν: 'v', ѵ: 'v',
  ԝ: 'w', ѡ: 'w', х: 'x', χ: 'x', у: 'y', ү: 'y', ʏ: 'y', ᴢ: 'z',
};
const PAIRS: [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/cl/g, 'd'],
];
const MARKS = /\p{M}/gu;

/** The skeleton of a (Unicode) domain label: two labels with the same skeleton look the same. */
export function skeleton(text: string): string {
  let out = '';
  for (const char of text.normalize('NFKD').replace(MARKS, '').toLowerCase()) out += SINGLE[char] ?? char;
  for (const [pair, single] of PAIRS) out = out.replace(pair, single);
  return out;
}
