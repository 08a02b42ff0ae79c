/**
 * Why the preamble or epilogue of a multipart looks like it carries a part (some clients show or parse
 * it, scanners skip it), or undefined when it is ordinary filler text.
 */
export function suspiciousFiller(filler: Buffer): string | undefined {
  const text = filler.toString('latin1', 0, Math.min(filler.length, 64 * 1024));
  if (/^content-(type|transfer-encoding|disposition)[ \t]*:/im.test(text)) return 'holds MIME part headers';
  if (/^begin(-base64)? +[0-7]{3,4} +\S/m.test(text)) return 'holds a uuencoded file';
  if (/(?:^[A-Za-z0-9+/]{60,}={0,2}\r?\n){4,}/m.test(text)) return 'holds a base64 block';
  return undefined;
}
