import { describe, expect, it } from 'vitest';
import { checkFileName, extensionsOf, SEED_BLOCKED_EXTENSIONS } from './extension-policy.js';

const seed = new Set(SEED_BLOCKED_EXTENSIONS);
const symbols = (name: string, blocked: ReadonlySet<string> = seed): string[] => checkFileName(name, blocked).map((i) => i.symbol);

describe('file name policy', () => {
  it('blocks the seed list whatever the case or trailing dots and spaces', () => {
    expect(symbols('setup.EXE')).toEqual(['ATTACHMENT_BLOCKED_EXTENSION']);
    expect(symbols('run.vbs. . ')).toEqual(['ATTACHMENT_BLOCKED_EXTENSION']);
    expect(symbols('report.pdf')).toEqual([]);
  });

  it('reads a name padded with a long run of dots and spaces in one pass', () => {
    const padding = '. '.repeat(100_000);
    expect(symbols(`invoice${padding}pdf.exe`)).toEqual(['ATTACHMENT_BLOCKED_EXTENSION', 'ATTACHMENT_DOUBLE_EXTENSION']);
    expect(symbols(`run.vbs${padding}`)).toEqual(['ATTACHMENT_BLOCKED_EXTENSION']);
    expect(symbols(`report${padding}txt`)).toEqual([]);
  });

  it('applies admin additions', () => {
    expect(symbols('tool.ps1', new Set([...seed, 'ps1']))).toEqual(['ATTACHMENT_BLOCKED_EXTENSION']);
  });

  it('catches double extensions, also behind padding', () => {
    expect(symbols('invoice.pdf.exe')).toEqual(['ATTACHMENT_BLOCKED_EXTENSION', 'ATTACHMENT_DOUBLE_EXTENSION']);
    expect(symbols('photo.jpg          .lnk')).toEqual(['ATTACHMENT_DOUBLE_EXTENSION']);
    expect(symbols('archive.tar.gz')).toEqual([]);
  });

  it('sees through a right-to-left override', () => {
    const name = 'invoice\u202Efdp.exe';
    expect(symbols(name)).toEqual(['ATTACHMENT_RTLO', 'ATTACHMENT_BLOCKED_EXTENSION']);
    expect(symbols('photo\u202Egpj.scr')).toContain('ATTACHMENT_RTLO');
    expect(extensionsOf('a.PDF.Exe')).toEqual(['exe', 'pdf']);
  });
});
