import { fileText } from '@moat/content';
import { ruleCheck } from '../rules/rule.js';
import { messageQrCodes } from '../rules/qr-codes.js';

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']{1,500}/i;
const PDF_URI_ACTION = /\/URI\s*\(/;
const WORD = /[\p{L}\p{N}]{2,}/gu;
// A document of a few words around a link is a lure, not a document.
const LURE_WORDS = 40;
const MAX_TEXT = 16 * 1024;
const MAX_PDF_BYTES = 4 * 1024 * 1024;

/**
 * QR_CODE_LINK: an image or a PDF's image holds a QR code with a web address (the link evades URL filters;
 * its URL also goes to the link rules). ATTACHMENT_ONLY_LINK: a PDF whose only content is a few words and a
 * link (a /URI action or an address in its text).
 */
export const qrCodeLinks = ruleCheck('qr_code_links', (ctx, add) => {
  const qr = messageQrCodes(ctx.content).find((code) => /^https?:\/\//i.test(code.text.trim()));
  if (qr) add('QR_CODE_LINK', `QR code in ${JSON.stringify(qr.file)} leads to ${qr.text.trim().slice(0, 200)}`);
  for (const file of ctx.content.files) {
    if (file.type.kind !== 'pdf') continue;
    const text = fileText(file, MAX_TEXT) ?? '';
    const link = URL_IN_TEXT.exec(text)?.[0] ?? (PDF_URI_ACTION.test(file.content.subarray(0, MAX_PDF_BYTES).toString('latin1')) ? 'a /URI action' : undefined);
    const words = text.match(WORD)?.length ?? 0;
    if (link && words <= LURE_WORDS) return add('ATTACHMENT_ONLY_LINK', `${JSON.stringify(file.name || file.path)}: ${words} words and ${link.slice(0, 200)}`);
  }
});
