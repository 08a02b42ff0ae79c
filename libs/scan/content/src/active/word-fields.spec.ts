import { describe, expect, it } from 'vitest';
import { DDE_INSTRUCTION, wordFieldInstructions } from './word-fields.js';

describe('Word field instructions', () => {
  it('joins instrText runs and reads fldSimple instructions', () => {
    const xml = '<w:r><w:instrText xml:space="preserve"> DDE</w:instrText></w:r><w:r><w:instrText>AUTO c:\\\\cmd.exe</w:instrText></w:r><w:fldSimple w:instr=" PAGE "/>';
    expect(wordFieldInstructions(xml)).toBe(' DDEAUTO c:\\\\cmd.exe  PAGE ');
  });

  it('reads a part full of instrText tags that never close in one pass, and still finds the real field after them', () => {
    const junk = '<w:instrText '.repeat(20_000);
    expect(wordFieldInstructions(junk).trim()).toBe('');
    const fields = wordFieldInstructions(`${junk}<w:r><w:instrText xml:space="preserve"> DDEAUTO c:\\\\cmd.exe</w:instrText></w:r>`);
    expect(fields.trim()).toBe('DDEAUTO c:\\\\cmd.exe');
    expect(DDE_INSTRUCTION.test(fields)).toBe(true);
  });
});
