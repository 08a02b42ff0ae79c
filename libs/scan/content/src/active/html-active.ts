import type { Issue, Member } from '../archive/types.js';
import type { ActiveContentDetector } from './analysis.js';

const MAX_DATA_URIS = 50;
const BLOB_BUILD = /new\s+Blob\s*\(|new\s+File\s*\(/;
const BLOB_OFFER = /createObjectURL|msSaveOrOpenBlob|msSaveBlob/;
// A link tag is "<a" up to the next ">" (a browser reads a "<" inside it as part of an attribute name). The tags
// are taken one after another, each read once, and each tested with two simple patterns: one pattern with a
// [^>]* on each side of "download" went back over the rest of the input from every "<a" (seconds on 120 KB of
// "<a "). An "<a" inside a tag needs no test of its own: its text is the end of the tag already tested.
const LINK_TAG = /<a\b[^>]*/gi;
const DOWNLOAD = /\bdownload\b/i;
const DATA_HREF = /href\s*=\s*["']?data:/i;

/**
 * HTML smuggling: script that builds a file (Blob) and hands it to the browser as a download, or a link
 * with `download` to a data: URI. Base64 data: URIs come back as embedded files to be scanned.
 */
export const htmlActiveContent: ActiveContentDetector = {
  name: 'html',
  applies: (type) => type.kind === 'html',
  analyze(data) {
    const text = data.toString('latin1');
    const issues: Issue[] = [];
    if ((BLOB_BUILD.test(text) && BLOB_OFFER.test(text)) || downloadsDataUri(text)) {
      issues.push({ symbol: 'HTML_SMUGGLING', detail: BLOB_BUILD.test(text) ? 'script builds a Blob and offers it for download' : 'link downloads a data: URI' });
    }
    const embedded: Member[] = [];
    for (const match of text.matchAll(/data:([\w.+-]+\/[\w.+-]+)?;base64,([A-Za-z0-9+/=\s]{64,})/g)) {
      if (embedded.length >= MAX_DATA_URIS) break;
      embedded.push({ name: `data-uri-${embedded.length + 1}.bin`, content: Buffer.from(match[2]!.replace(/\s+/g, ''), 'base64') });
    }
    return { issues, embedded };
  },
};

/** A link with `download` to a data: URI, the two in either order within the tag. */
function downloadsDataUri(html: string): boolean {
  for (const [tag] of html.matchAll(LINK_TAG)) if (DOWNLOAD.test(tag) && DATA_HREF.test(tag)) return true;
  return false;
}
