import type { Issue, Member } from '../archive/types.js';
import type { ActiveContentDetector } from './analysis.js';

const MAX_DATA_URIS = 50;
const BLOB_BUILD = /new\s+Blob\s*\(|new\s+File\s*\(/;
const BLOB_OFFER = /createObjectURL|msSaveOrOpenBlob|msSaveBlob/;
const DATA_DOWNLOAD = /<a\b[^>]*\bdownload\b[^>]*href\s*=\s*["']?data:|<a\b[^>]*href\s*=\s*["']?data:[^>]*\bdownload\b/i;

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
    if ((BLOB_BUILD.test(text) && BLOB_OFFER.test(text)) || DATA_DOWNLOAD.test(text)) {
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
