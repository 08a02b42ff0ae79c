import { describe, expect, it } from 'vitest';
import { formulaTextContent } from './formula-text.js';

const text = { mime: 'text/plain', ext: 'txt', kind: 'text' } as const;
const symbols = (content: string) => formulaTextContent.analyze(Buffer.from(content, 'latin1'), text, 1 << 20).issues.map((i) => i.symbol);

describe('formula text (CSV, SYLK, SpreadsheetML 2003)', () => {
  it('flags a DDE formula at the start of a cell', () => {
    expect(symbols("name,total\nbob,=cmd|' /C calc'!A0\n")).toEqual(['OFFICE_DDE']);
    expect(symbols("@SUM(1+1)*cmd|' /C calc'!A0")).toEqual(['OFFICE_DDE']);
    expect(symbols('<Cell ss:Formula="=cmd|\' /C calc\'!A0"><Data ss:Type="Number">0</Data></Cell>')).toEqual(['OFFICE_DDE']);
  });

  it('leaves ordinary formulas and text with | and ! alone', () => {
    expect(symbols('a,b,c\n1,2,=SUM(A1:B1)\n')).toEqual([]);
    expect(symbols('x = a|b! in prose, not a formula\n')).toEqual([]);
    expect(symbols('=a,b|c!\n')).toEqual([]);
    expect(symbols('=a|b\n!\n')).toEqual([]);
  });

  it('reads long lines of formula signs and pipes in one pass, and still finds the real formula after them', () => {
    const junk = ['=|'.repeat(125_000), '='.repeat(250_000), `,${' '.repeat(250_000)}`, `${'\t'.repeat(250_000)}=x`].join('\n');
    expect(symbols(junk)).toEqual([]);
    expect(symbols(`${junk}\n=cmd|' /C calc'!A0\n`)).toEqual(['OFFICE_DDE']);
  });
});
