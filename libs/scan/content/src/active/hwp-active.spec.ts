import { describe, expect, it } from 'vitest';
import type { TrueType } from '../filetype/type-kind.js';
import { buildHwp } from '../testing/index.js';
import { hwpActiveContent } from './hwp-active.js';

const HWP_TYPE: TrueType = { mime: 'application/x-hwp', ext: 'hwp', kind: 'hwp' };
const symbols = (hwp: Buffer): string[] => hwpActiveContent.analyze(hwp, HWP_TYPE, 1024 * 1024).issues.map((i) => i.symbol);

// What Hangul's script editor leaves in a document nobody scripted: empty event handlers with a todo comment.
const EMPTY_TEMPLATE = 'function OnDocument_New()\r\n{\r\n\t//todo : \r\n}\r\n\r\nfunction OnDocument_Open()\r\n{\r\n\t/* todo */\r\n}\r\n';
const DROPPER = 'function OnDocument_Open()\r\n{\r\n\tvar shell = new ActiveXObject("WScript.Shell");\r\n\tshell.Run("powershell -enc SQBFAFgA");\r\n}\r\n';

describe('HWP active content', () => {
  it('flags a script that does something, compressed or not', () => {
    expect(symbols(buildHwp({ script: DROPPER }))).toEqual(['HWP_SCRIPT']);
    expect(symbols(buildHwp({ script: DROPPER, compressed: false }))).toEqual(['HWP_SCRIPT']);
    expect(symbols(buildHwp({ script: 'OnDocument_New();' }))).toEqual(['HWP_SCRIPT']);
  });

  it('does not flag the default header, empty handlers or a missing script stream', () => {
    expect(symbols(buildHwp({ script: '' }))).toEqual([]);
    expect(symbols(buildHwp({ script: EMPTY_TEMPLATE }))).toEqual([]);
    expect(symbols(buildHwp())).toEqual([]);
  });

  it('takes comments out, and reads code after a "/*" that never closes as code', () => {
    expect(symbols(buildHwp({ script: '/* OnDocument_Open(); */ // Run("calc")\r\n' }))).toEqual([]);
    expect(symbols(buildHwp({ script: '/* */ Run("calc") /* ' }))).toEqual(['HWP_SCRIPT']);
  });

  it('reads a script of comment openings that never close in one pass, and still finds the code after them', () => {
    const junk = '/* '.repeat(80_000);
    expect(symbols(buildHwp({ script: junk }))).toEqual([]);
    expect(symbols(buildHwp({ script: `${'// '.repeat(80_000)}\r\n${junk}` }))).toEqual([]);
    expect(symbols(buildHwp({ script: `${junk}${DROPPER}` }))).toEqual(['HWP_SCRIPT']);
  });

  it('reports a password-protected document as encrypted, whatever it holds', () => {
    expect(symbols(buildHwp({ password: true, script: DROPPER }))).toEqual(['OFFICE_ENCRYPTED']);
  });
});
