import type { ActiveContentDetector } from './analysis.js';
import { formulaTextContent } from './formula-text.js';
import { htmlActiveContent } from './html-active.js';
import { hwpActiveContent } from './hwp-active.js';
import { oleActiveContent } from './ole-active.js';
import { ooxmlActiveContent } from './ooxml-active.js';
import { pdfActiveContent } from './pdf-active.js';
import { rtfActiveContent } from './rtf-active.js';

/** Every active-content detector, each applied to the files of the types it knows. */
export const ACTIVE_CONTENT_DETECTORS: readonly ActiveContentDetector[] = [
  oleActiveContent,
  hwpActiveContent,
  ooxmlActiveContent,
  pdfActiveContent,
  rtfActiveContent,
  htmlActiveContent,
  formulaTextContent,
];
