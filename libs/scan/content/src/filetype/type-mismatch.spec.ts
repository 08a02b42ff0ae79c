import { describe, expect, it } from 'vitest';
import type { TrueType } from './type-kind.js';
import { checkTypeMismatch } from './type-mismatch.js';

const exe: TrueType = { mime: 'application/x-msdownload', ext: 'exe', kind: 'executable' };
const docx: TrueType = { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx', kind: 'word', container: 'zip' };
const rtf: TrueType = { mime: 'application/rtf', ext: 'rtf', kind: 'rtf' };

describe('extension / content mismatch', () => {
  it('flags executable content under any other name', () => {
    expect(checkTypeMismatch('invoice.pdf', exe)).toHaveLength(1);
    expect(checkTypeMismatch('readme', exe)).toHaveLength(1);
    expect(checkTypeMismatch('setup.exe', exe)).toEqual([]);
  });

  it('flags a document of the wrong kind, accepts what Office itself opens', () => {
    expect(checkTypeMismatch('budget.xlsx', docx)).toHaveLength(1);
    expect(checkTypeMismatch('letter.doc', rtf)).toEqual([]);
    expect(checkTypeMismatch('notes.unknownext', docx)).toEqual([]);
  });
});
