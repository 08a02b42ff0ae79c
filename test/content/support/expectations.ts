import type { ContentSymbol } from '@moat/content';

/**
 * What each file under conformance/attachments must produce, from the MANIFEST's description of it (the
 * outside judge). `none` lists symbols that must NOT fire (the clean controls).
 */
export interface Expectation {
  pattern: RegExp;
  symbols: ContentSymbol[];
  none?: ContentSymbol[];
}

const ACTIVE: ContentSymbol[] = ['OFFICE_VBA', 'OFFICE_XLM', 'OFFICE_DDE', 'OFFICE_EXTERNAL_LINK', 'OFFICE_OLE_OBJECT', 'OFFICE_ENCRYPTED', 'HWP_SCRIPT', 'AV_VIRUS'];

export const EXPECTATIONS: readonly Expectation[] = [
  { pattern: /^eicar\/eicar-password-infected\.zip$/, symbols: ['ARCHIVE_DECRYPTED', 'AV_VIRUS', 'ATTACHMENT_BLOCKED_EXTENSION'] },
  { pattern: /^eicar\/eicar\.com\.txt$/, symbols: ['AV_VIRUS'] },
  { pattern: /^eicar\//, symbols: ['AV_VIRUS', 'ATTACHMENT_BLOCKED_EXTENSION'] },
  { pattern: /^clamav-testfiles\/clam\.ole\.doc$/, symbols: ['AV_VIRUS', 'OFFICE_OLE_OBJECT', 'ATTACHMENT_EXECUTABLE'] },
  { pattern: /^clamav-testfiles\/clam\.ppt$/, symbols: ['AV_VIRUS', 'OFFICE_OLE_OBJECT', 'ATTACHMENT_EXECUTABLE'] },
  { pattern: /^clamav-testfiles\/clam\.pdf$/, symbols: ['AV_VIRUS', 'PDF_EMBEDDED_FILE', 'ATTACHMENT_EXECUTABLE'] },
  { pattern: /^clamav-testfiles\/clam\.exe\.rtf$/, symbols: ['AV_VIRUS', 'RTF_OBJECT', 'ATTACHMENT_EXECUTABLE'] },
  { pattern: /^clamav-testfiles\/clam\.(tnef|zip|7z|arj|cab|d64\.zip|bz2\.zip|impl\.zip|tar\.gz|exe\.bz2|mail|exe\.mbox\.\w+|[\w-]+\.cpio)$/, symbols: ['AV_VIRUS', 'ATTACHMENT_EXECUTABLE'] },
  { pattern: /^clamav-testfiles\/clam\.(chm|exe\.html|exe\.szdd)$/, symbols: ['AV_VIRUS', 'ATTACHMENT_EXECUTABLE'] },
  { pattern: /^clamav-testfiles\/clam_cache_emax\.tgz$/, symbols: ['AV_VIRUS', 'ARCHIVE_DEPTH'] },
  { pattern: /^clamav-testfiles\//, symbols: ['AV_VIRUS'] },
  { pattern: /^archives-recursiveextractor\/TestData\.(ace|arc)$/, symbols: ['ARCHIVE_UNSCANNABLE'] },
  { pattern: /^archives-recursiveextractor\/NestedFormatsTest\.zip$/, symbols: ['ARCHIVE_UNSCANNABLE'] },
  { pattern: /^archives-recursiveextractor\/(TestDataEncrypted|EncryptedWithPlainNames)/, symbols: ['ARCHIVE_DECRYPTED'], none: ['ARCHIVE_ENCRYPTED', 'ARCHIVE_UNSCANNABLE'] },
  { pattern: /^archives-recursiveextractor\//, symbols: [], none: ['ARCHIVE_UNSCANNABLE', 'ARCHIVE_ENCRYPTED', 'ARCHIVE_BOMB'] },
  { pattern: /^office-oletools\/sample_with_vba\.ppt$/, symbols: ['OFFICE_VBA'] },
  { pattern: /^office-oletools\/oleform-PR314\.docm$/, symbols: ['OFFICE_VBA'] },
  { pattern: /^office-oletools\/excel4-macros\//, symbols: ['OFFICE_XLM'] },
  { pattern: /^office-oletools\/dde\/.*\.zip$/, symbols: ['OFFICE_DDE', 'ARCHIVE_DECRYPTED'] },
  { pattern: /^office-oletools\/dde\//, symbols: ['OFFICE_DDE'] },
  { pattern: /^office-oletools\/oleobj\/sample_with_calc_embedded\.doc$/, symbols: ['OFFICE_OLE_OBJECT', 'ATTACHMENT_EXECUTABLE'] },
  { pattern: /^office-oletools\/oleobj\/sample_with_lnk_to_calc\.doc$/, symbols: ['OFFICE_OLE_OBJECT', 'ATTACHMENT_BLOCKED_EXTENSION'] },
  { pattern: /^office-oletools\/oleobj\/sample_with_lnk_file\./, symbols: ['OFFICE_OLE_OBJECT', 'LNK_FILE'] },
  { pattern: /^office-oletools\/oleobj\//, symbols: ['OFFICE_OLE_OBJECT'] },
  { pattern: /^office-oletools\/external_link\//, symbols: ['OFFICE_EXTERNAL_LINK'] },
  { pattern: /^office-oletools\/encrypted\//, symbols: ['OFFICE_ENCRYPTED'] },
  { pattern: /^office-oletools\/rtf\/.*\.zip$/, symbols: ['RTF_OBJECT', 'ARCHIVE_DECRYPTED'] },
  { pattern: /^office-oletools\/rtf\//, symbols: ['RTF_OBJECT'] },
  { pattern: /^office-oletools\/clean\//, symbols: [], none: ACTIVE },
  { pattern: /^office-xlsxwriter\/vbaProject05Signature\.bin$/, symbols: [], none: ACTIVE },
  { pattern: /^office-xlsxwriter\//, symbols: ['OFFICE_VBA'] },
  { pattern: /^hwp\/password-12345\.hwp$/, symbols: ['OFFICE_ENCRYPTED'] },
  { pattern: /^hwp\//, symbols: [], none: ACTIVE },
  { pattern: /^pdf\/pdfium-app_alert\.pdf$/, symbols: ['PDF_JAVASCRIPT', 'PDF_OPEN_ACTION'] },
];

export function expectationFor(path: string): Expectation {
  const found = EXPECTATIONS.find((e) => e.pattern.test(path));
  if (!found) throw new Error(`no expectation for ${path}`);
  return found;
}
