import type { AuthResults } from './authenticate.js';

export const AUTH_RESULTS_FIELD = 'Authentication-Results';

/**
 * The Authentication-Results field value (RFC 8601) of our verdicts, starting with AUTHSERVID. Only
 * validated names go into it (domains checked by SPF, DKIM and DMARC), so nothing a sender wrote can break
 * the field or add a property.
 */
export function authResultsValue(authservId: string, results: AuthResults): string {
  const { spf, dkim, dmarc, arc } = results;
  const parts = [`spf=${spf.result}${spf.domain && isSafeToken(spf.domain) ? ` smtp.${spf.identity === 'helo' ? 'helo' : 'mailfrom'}=${spf.domain}` : ''}`];
  if (dkim.signatures.length === 0) parts.push('dkim=none');
  for (const signature of dkim.signatures) {
    const d = signature.domain && isSafeToken(signature.domain) ? ` header.d=${signature.domain}` : '';
    const s = signature.selector && isSafeToken(signature.selector) ? ` header.s=${signature.selector}` : '';
    parts.push(`dkim=${signature.result}${d}${s}`);
  }
  parts.push(`dmarc=${dmarc.result}${dmarc.domain && isSafeToken(dmarc.domain) ? ` header.from=${dmarc.domain}` : ''}`);
  parts.push(`arc=${arc.result}`);
  return `${authservId};\r\n\t${parts.join(';\r\n\t')}`;
}

/**
 * Removes Authentication-Results fields that claim to come from AUTHSERVID (RFC 8601 section 5): only we
 * may speak for our own id, so such a field arriving from outside is forged. Fields of other ids are kept.
 * Returns RAW itself when there is nothing to remove.
 */
export function withoutForgedAuthResults(raw: Buffer, authservId: string): Buffer {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const header = raw.toString('latin1', 0, headerEnd < 0 ? raw.length : headerEnd + 2);
  if (!/(^|\n)authentication-results[ \t]*:/i.test(header)) return raw;
  const ours = authservId.toLowerCase();
  const lines = header.split('\r\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const field = [lines[i]!];
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) field.push(lines[++i]!);
    const start = /^authentication-results[ \t]*:(.*)$/is.exec(field.join('\r\n'));
    if (start && authservIdOf(start[1]!) === ours) continue;
    kept.push(...field);
  }
  return Buffer.concat([Buffer.from(kept.join('\r\n'), 'latin1'), raw.subarray(header.length)]);
}

/** The authserv-id of a field value: its first token, comments and folding left out. */
function authservIdOf(value: string): string {
  let text = value;
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(/\([^()]*\)/g, ' ');
  }
  return (text.trim().split(/[;\s]/)[0] ?? '').toLowerCase();
}

function isSafeToken(value: string): boolean {
  return /^[A-Za-z0-9._-]{1,253}$/.test(value);
}
