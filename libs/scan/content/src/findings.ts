/**
 * Every symbol the content library emits, with the score it carries by default. The policy decides what a
 * symbol does (block / quarantine / allow); the score is what it adds when the policy says nothing.
 */
export const CONTENT_SYMBOLS = {
  // MIME structure (stage 2, the walk itself)
  // Scores nothing itself: a walk that stopped is incomplete, and the policy's `incomplete` disposition decides.
  MIME_LIMIT: { score: 0, about: 'a MIME limit (size, parts, depth, header count or length, line length) stopped the walk' },
  MIME_DUPLICATE_HEADER: { score: 5, about: 'a part repeats Content-Type, Content-Transfer-Encoding or Content-Disposition' },
  MIME_DUPLICATE_BOUNDARY: { score: 5, about: 'a Content-Type repeats its boundary parameter' },
  MIME_PREAMBLE_CONTENT: { score: 5, about: 'the preamble or epilogue of a multipart holds something that looks like a part' },
  MIME_NAME_CONFLICT: { score: 4, about: 'name= and filename= disagree on the file name' },
  MIME_BARE_EOL: { score: 3, about: 'bare CR or mixed line endings in a header block' },
  MIME_UNTERMINATED: { score: 1, about: 'a multipart has no closing boundary or no boundary at all' },
  MIME_BAD_ENCODING: { score: 3, about: 'unknown transfer encoding or undecodable body' },
  TNEF_ERROR: { score: 3, about: 'a winmail.dat (TNEF) container could not be read to the end' },
  // Scores nothing itself either: the report is incomplete, and the policy's `incomplete` disposition decides.
  INSPECTION_STOPPED: { score: 0, about: 'the inspection was stopped (past its time or memory budget, or its worker failed); the rest was not inspected' },
  // Names and types
  ATTACHMENT_BLOCKED_EXTENSION: { score: 20, about: 'a file name ends in a blocked extension (at any depth)' },
  ATTACHMENT_DOUBLE_EXTENSION: { score: 8, about: 'a document-looking name hides an executable extension (e.g. invoice.pdf.exe)' },
  ATTACHMENT_RTLO: { score: 15, about: 'a file name holds a bidirectional override character' },
  ATTACHMENT_TYPE_MISMATCH: { score: 6, about: 'the extension does not match the content' },
  ATTACHMENT_EXECUTABLE: { score: 8, about: 'the content is a Windows, Linux or macOS executable or a script' },
  // Archives
  ARCHIVE_ENCRYPTED: { score: 6, about: 'an encrypted archive that no password from the message opens' },
  ARCHIVE_DECRYPTED: { score: 2, about: 'an encrypted archive opened with a password found in the message' },
  ARCHIVE_UNSCANNABLE: { score: 8, about: 'an archive that cannot be opened (egg, ace, arc, damaged)' },
  ARCHIVE_BOMB: { score: 20, about: 'an archive over a bomb limit (ratio, bytes, entries, depth, overlapping entries)' },
  ARCHIVE_DEPTH: { score: 4, about: 'archives nested deeper than the configured depth; the inner ones were not opened' },
  ARCHIVE_PATH_TRAVERSAL: { score: 8, about: 'an archive member name leaves the extraction directory (../, absolute, drive)' },
  // Active content
  OFFICE_VBA: { score: 6, about: 'VBA macros (OLE or OOXML, incl. PowerPoint-stream storage)' },
  OFFICE_XLM: { score: 8, about: 'Excel 4 (XLM) macro sheet' },
  OFFICE_MACRO_DISGUISED: { score: 10, about: 'macro-enabled content or macros under a macro-free extension or content type (a .docm sent as .docx)' },
  OFFICE_DDE: { score: 8, about: 'DDE field or link (Word, Excel, CSV, SYLK, XML)' },
  OFFICE_EXTERNAL_LINK: { score: 6, about: 'external template, OLE object or frame loaded from a remote target' },
  OFFICE_OLE_OBJECT: { score: 4, about: 'embedded OLE object or package' },
  LNK_FILE: { score: 10, about: 'a Windows shortcut (LNK), attached or embedded in a document' },
  OFFICE_ENCRYPTED: { score: 6, about: 'a password-protected Office or HWP document (its content cannot be checked)' },
  HWP_SCRIPT: { score: 6, about: 'HWP document with a script' },
  PDF_JAVASCRIPT: { score: 6, about: 'PDF with JavaScript' },
  PDF_OPEN_ACTION: { score: 2, about: 'PDF with an automatic action (OpenAction / AA)' },
  PDF_LAUNCH: { score: 10, about: 'PDF with a Launch action' },
  PDF_EMBEDDED_FILE: { score: 4, about: 'PDF with an embedded file' },
  RTF_OBJECT: { score: 6, about: 'RTF with an embedded or linked object' },
  HTML_SMUGGLING: { score: 10, about: 'HTML that assembles a file in script and offers it for download' },
  // Antivirus
  AV_VIRUS: { score: 100, about: 'an antivirus engine found malware' },
  AV_HASH: { score: 100, about: 'the SHA-256 of a file is in the hash database of known-bad attachments' },
  AV_UNAVAILABLE: { score: 0, about: 'an antivirus engine could not be reached or did not answer in time (temp-fail by default)' },
  AV_UNSCANNABLE: { score: 5, about: 'an antivirus engine refused a file (size limit, engine error)' },
} as const;

export type ContentSymbol = keyof typeof CONTENT_SYMBOLS;

/** One finding: a symbol, a human-readable detail, and where in the message it was found. */
export interface Finding {
  symbol: ContentSymbol;
  detail: string;
  /** Location, e.g. `1.2/report.zip/macro.docm` (MIME part path, then names inside containers). */
  path: string;
}
