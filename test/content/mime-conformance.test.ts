import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTnef, walkMime, type MimeWalk } from '@moat/content';
import { writeDocSection } from './support/doc-section.js';

// Every message of shared/conformance/mime walks without throwing, or stops with a clear MIME_* symbol;
// the MIME torture test yields every leaf; every TNEF container yields the files MimeKit lists for it.
const mime = resolve(import.meta.dirname, '../../../shared/conformance/mime');
const MESSAGE_DIRS = ['wildduck', 'mailparser', 'mimekit-messages'];
const messages = MESSAGE_DIRS.flatMap((dir) => readdirSync(join(mime, dir)).filter((f) => f !== 'LICENSE').map((f) => `${dir}/${f}`)).sort();
const tnefs = readdirSync(join(mime, 'mimekit-tnef')).filter((f) => f.endsWith('.tnef')).sort();
const rows: string[] = [];

describe('MIME corpus', () => {
  afterAll(() => {
    writeDocSection(
      'mime',
      [
        '## MIME corpus',
        '',
        'Every message of `shared/conformance/mime` through `walkMime`: parts, leaves, and the structural symbols it raised.',
        '',
        '| message | complete | parts | leaves | symbols |',
        '|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
  });

  it.each(messages)('%s walks to the end or names what stopped it', (file) => {
    let walk: MimeWalk | undefined;
    expect(() => (walk = walkMime(readFileSync(join(mime, file))))).not.toThrow();
    const symbols = [...new Set(walk!.findings.map((f) => f.symbol))];
    rows.push(`| \`${file}\` | ${walk!.complete ? 'yes' : 'no'} | ${walk!.parts} | ${walk!.leaves.length} | ${symbols.join(' ') || '-'} |`);
    expect(walk!.leaves.length).toBeGreaterThan(0);
    if (!walk!.complete) expect(symbols).toContain('MIME_LIMIT');
    for (const finding of walk!.findings) expect(finding.symbol).toMatch(/^(MIME_|TNEF_)/);
  });

  it('yields every leaf of the MIME torture test', () => {
    const walk = walkMime(readFileSync(join(mime, 'wildduck/mimetorture.eml')));
    expect(walk.complete).toBe(true);
    // 25 Content-Type fields name a leaf type; one of them sits in the body of a text/plain part, so 24 leaves:
    // 11 text/plain, 5 text/html, 3 images, 4 gzip files, 1 PGP signature, across 11 message/rfc822 levels.
    const byType = (prefix: string): number => walk.leaves.filter((l) => l.contentType.startsWith(prefix)).length;
    expect(walk.leaves).toHaveLength(24);
    expect({ plain: byType('text/plain'), html: byType('text/html'), image: byType('image/'), gzip: byType('application/x-gzip'), pgp: byType('application/pgp-signature') }).toEqual({
      plain: 11,
      html: 5,
      image: 3,
      gzip: 4,
      pgp: 1,
    });
    expect(walk.leaves.map((l) => l.filename).filter(Boolean).sort()).toEqual(['blah.gz', 'blah1.gz', 'dot.gif', 'foo.gz', 'htmlfile.html', 'signature.asc', 'smiley-3.png']);
    // "Attachment filename vs. name": the disagreement is a finding, and both names are checked.
    expect(walk.findings).toContainEqual(expect.objectContaining({ symbol: 'MIME_NAME_CONFLICT' }));
    expect(walk.leaves.find((l) => l.filename === 'blah1.gz')?.names).toEqual(['blah1.gz', 'blah2.gz']);
    // blah.gz is deliberately damaged (header text pasted into its base64); the other three decode to gzip.
    for (const leaf of walk.leaves.filter((l) => l.contentType === 'application/x-gzip' && l.filename !== 'blah.gz')) expect(leaf.content.subarray(0, 2).toString('hex')).toBe('1f8b');
  });

  it.each(tnefs)('TNEF %s yields the files MimeKit lists', (file) => {
    const listed = readFileSync(join(mime, 'mimekit-tnef', file.replace(/\.tnef$/, '.list')), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    const tnef = readTnef(readFileSync(join(mime, 'mimekit-tnef', file)), 16 * 1024 * 1024);
    const names = tnef.files.map((f) => f.name);
    for (const name of listed) expect(names).toContain(name);
  });
});
