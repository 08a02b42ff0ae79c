import { htmlToText } from './html.js';
import { parseMessage, type ParsedMessage } from './mime.js';
import { addAlignment, addBulkHeaders, addSenderShape, shape } from './sender-shape.js';
import { stripBodyMarkup, stripSubjectTags } from './untrusted.js';
import { parseAddress, parseUrl, registrableDomain, TEXT_EMAIL, TEXT_URL } from './urls.js';

/**
 * Features of a message as strings, each once, in three groups:
 * - `body`: the words of the body text (bare) and the character n-grams of unspaced scripts ("c2:"/"c3:");
 * - `meta`: what the sender wrote elsewhere or where: "s:" subject words and pairs ("s:b:"), "o:" the body's
 *   opening words, "f:" From, "u:" link hosts and paths, "e:" mailed domains, "x:" mail agent, "a:" attachments;
 * - `structure`: how the message is built: "m:" MIME structure, sizes, plain-text line layout, generated-header
 *   shapes, list headers and sender/link/Message-ID alignment, "t:" HTML tags and their presentational attributes ("t:a:"), "r:" Reply-To; and the character 4-grams of the subject
 *   ("s:g:") and the sender's name ("f:g:").
 * The regression weighs body and the rest separately (so a long body cannot drown out who sent it); the
 * Fisher token evidence uses body and meta only, since the structure features are shared by legitimate
 * newsletters and spam alike and, counted as independent evidence, over-weigh. So do the 4-grams, which repeat
 * each other: next to a long body's words that is small, and the subject's 4-grams count as evidence there
 * (they match its spelling variants), but in a short message they would decide alone (as evidence they made
 * "Hello." score p = 0.78), so there they stay in `structure`.
 */
export interface MessageFeatures {
  body: string[];
  meta: string[];
  structure: string[];
}

const REGRESSION_ONLY = /^(?:[mtr]:|[sf]:g:)/;
const SUBJECT_GRAMS = 's:g:';

export function tokenizeMessage(raw: Buffer): MessageFeatures {
  return tokenizeParsed(parseMessage(raw));
}

// Bounds the work per message: long bodies say what they are in their first few thousand words.
const MAX_BODY_WORDS = 3000;
const MAX_WORD_LENGTH = 40;
// How a message opens says what kind of message it is: a reply's "On Tue, Alice wrote:", a feed item's
// "URL: ... Date:", a pitch's "Dear Friend" or an HTML page pasted as text ("<!DOCTYPE ...>"). The same words
// later in a long body mean far less, so the opening words are features of their own ("o:").
const OPENER_CHARS = 200;
const OPENER_WORDS = 12;
// A body past this length has words enough that its opening is not the whole of it (else the opening would
// count every word twice) and that overlapping subject 4-grams cannot decide it alone.
const LONG_BODY_CHARS = 400;

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}'’_-]*/gu;
// Scripts written without spaces between words (or, for Hangul, with long agglutinated words): these get
// character bigrams and trigrams, since a word list cannot segment them.
const UNSPACED = /[\p{sc=Hangul}\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]+/gu;
const HAS_UNSPACED = /[\p{sc=Hangul}\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;

export function tokenizeParsed(msg: ParsedMessage): MessageFeatures {
  const out = new Set<string>();
  const words = new Set<string>();
  const links: string[] = [];
  const bodyTexts = msg.texts.map(stripBodyMarkup);
  for (const text of bodyTexts) addLineLayout(text, out);
  for (const html of msg.htmls) {
    const h = htmlToText(html);
    bodyTexts.push(h.text);
    links.push(...h.links);
    for (const tag of h.tags) out.add('t:' + tag);
    // How the HTML is written (font sizes, colours, table widths, inline styles) fingerprints the program
    // that wrote it, as generated header shapes do: shared by one sender's mail, not by the words.
    for (const a of h.attributes) out.add('t:a:' + a);
    out.add('m:img:' + bucket(h.images));
    // Markup that shows little text: image-only mail and text hidden in heavy markup.
    const visible = h.text.replace(/\s+/g, '').length;
    out.add('m:html_text:' + Math.min(10, Math.floor((visible / Math.max(1, html.length)) * 20)));
    if (h.images > 0 && visible < 200) out.add('m:img_only');
  }
  const body = bodyTexts.join('\n');
  for (const m of body.matchAll(TEXT_URL)) links.push(m[0]);

  addWords(body, '', MAX_BODY_WORDS, false, words);
  const longBody = body.length > LONG_BODY_CHARS;
  if (longBody) addWords(body.slice(0, OPENER_CHARS), 'o:', OPENER_WORDS, false, out);
  const linkDomains = addLinks(links, out);
  for (const m of body.matchAll(TEXT_EMAIL)) out.add('e:' + registrableDomain(m[1].toLowerCase()));
  addHeaders(msg, out, linkDomains);
  addStructure(msg, body, links.length, out);
  const all = [...out];
  const regressionOnly = (f: string): boolean => REGRESSION_ONLY.test(f) && !(longBody && f.startsWith(SUBJECT_GRAMS));
  return { body: [...words], meta: all.filter((f) => !regressionOnly(f)), structure: all.filter(regressionOnly) };
}

/** Words (lower case) with `prefix`, plus word pairs and character n-grams of unspaced scripts. */
export function addWords(text: string, prefix: string, maxWords: number, pairs: boolean, out: Set<string>): void {
  let count = 0;
  let prev = '';
  for (const m of text.toLowerCase().matchAll(WORD)) {
    if (count++ >= maxWords) break;
    const word = m[0].replace(/(?<!['’_-])['’_-]+$/, '');
    if (word.length > MAX_WORD_LENGTH) {
      out.add(prefix + 'm:longword');
      prev = '';
      continue;
    }
    const token = /^\d{5,}$/.test(word) ? 'n:' + word.length : word;
    out.add(prefix + token);
    if (HAS_UNSPACED.test(word)) addCharNgrams(word, prefix, out);
    if (pairs && prev) out.add(prefix + 'b:' + prev + ' ' + token);
    prev = token;
  }
}

/**
 * Character 4-grams of a short text's words (lower case, each word padded with spaces): they match a
 * subject or sender name across spelling variants, run-together words and ratware's deliberate misspellings
 * ("V1AGRA", "mortgage-rates"), where whole words do not.
 */
function addWordGrams(text: string, prefix: string, out: Set<string>): void {
  const padded = ' ' + text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim() + ' ';
  for (let i = 0; i + 4 <= padded.length; i++) out.add(prefix + padded.slice(i, i + 4));
}

function addCharNgrams(word: string, prefix: string, out: Set<string>): void {
  for (const run of word.matchAll(UNSPACED)) {
    const chars = Array.from(run[0]);
    for (let i = 0; i + 2 <= chars.length; i++) {
      out.add(prefix + 'c2:' + chars[i] + chars[i + 1]);
      if (i + 3 <= chars.length) out.add(prefix + 'c3:' + chars[i] + chars[i + 1] + chars[i + 2]);
    }
  }
}

/** Link features; returns the registrable domains linked to. */
function addLinks(links: string[], out: Set<string>): Set<string> {
  const hosts = new Set<string>();
  for (const link of links) {
    if (/^mailto:/i.test(link)) {
      const domain = parseAddress(link.slice(7)).domain;
      if (domain) out.add('e:' + registrableDomain(domain));
      continue;
    }
    if (/^(cid|data|javascript):/i.test(link)) {
      out.add('u:scheme:' + link.slice(0, link.indexOf(':')).toLowerCase());
      continue;
    }
    const url = parseUrl(link);
    if (!url) continue;
    out.add('u:' + url.host);
    out.add('u:' + registrableDomain(url.host));
    if (url.isIp) out.add('u:m:ip');
    if (url.hasUserinfo) out.add('u:m:userinfo');
    for (const w of url.path.matchAll(/[a-z]{3,20}/g)) out.add('u:p:' + w[0]);
    hosts.add(registrableDomain(url.host));
    if (/[?&][^=?&]*=[^&]{20,}/.test(url.path)) out.add('u:m:long_param');
    if (/\/[^/?]*\d{5,}/.test(url.path)) out.add('u:m:numeric_path');
    if (/^[a-z0-9][a-z]*\d[a-z0-9]*\./.test(url.host) && !url.isIp) out.add('u:m:digit_host');
  }
  out.add('u:m:domains:' + bucket(hosts.size));
  return hosts;
}

function header(msg: ParsedMessage, name: string): string {
  return msg.headers.find((h) => h.name === name)?.value ?? '';
}

function addHeaders(msg: ParsedMessage, out: Set<string>, linkDomains: Set<string>): void {
  const subject = stripSubjectTags(header(msg, 'subject'));
  addWords(subject, 's:', 100, true, out);
  addWordGrams(subject.slice(0, 200), SUBJECT_GRAMS, out);
  for (const inner of msg.innerSubjects) addWords(stripSubjectTags(inner), 's:', 100, false, out);
  if (!subject.trim()) out.add('m:s:empty');
  const letters = subject.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 6 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) out.add('m:s:allcaps');
  if (/!/.test(subject)) out.add('m:s:excl');
  if (/\$\d/.test(subject)) out.add('m:s:money');
  if (/\s{3}\S+$|[\s.]\d{3,}$/.test(subject)) out.add('m:s:trailing_id');
  if (/(?:^|\s)(?=\S*\d)(?=\S*[a-z])(?=\S*[A-Z])[A-Za-z0-9]{8,}(?:\s|$)/.test(subject)) out.add('m:s:random_token');
  if (/\.{3,}|(?:\. ){2,}|[!?]{2,}/.test(subject)) out.add('m:s:punct_run');
  // "Re:" on a message that answers nothing: ratware dressing mail up as a conversation.
  if (/^\s*(re|aw|sv)\s*:/i.test(subject) && !header(msg, 'in-reply-to') && !header(msg, 'references')) out.add('m:s:fake_reply');

  const from = parseAddress(header(msg, 'from'));
  out.add('f:d:' + from.domain);
  out.add('f:rd:' + registrableDomain(from.domain));
  out.add('f:u:' + from.local);
  if (/\d{3,}/.test(from.local)) out.add('f:m:digits');
  if (!from.name) out.add('f:m:noname');
  addWords(from.name, 'f:n:', 20, false, out);
  addWordGrams(from.name.slice(0, 100), 'f:g:', out);
  addSenderShape(from, out);

  const replyTo = header(msg, 'reply-to');
  if (replyTo) {
    const r = parseAddress(replyTo);
    out.add('r:rd:' + registrableDomain(r.domain));
    if (registrableDomain(r.domain) !== registrableDomain(from.domain)) out.add('r:m:otherdomain');
  }

  // Ratware fingerprints: the shapes of generated header values differ between mail programs.
  const messageId = header(msg, 'message-id');
  const mid = /^<?([^@>]*)@([^>\s]+)>?\s*$/.exec(messageId);
  out.add('m:mid:' + (mid ? registrableDomain(mid[2].toLowerCase()) : 'none'));
  out.add('m:mids:' + (mid ? shape(mid[1]) : shape(messageId)));
  addAlignment(from.domain, mid ? mid[2].toLowerCase() : '', linkDomains, out);
  addBulkHeaders(msg, out);
  out.add('m:dates:' + shape(header(msg, 'date')));
  const tz = /([+-]\d{4}|\b[A-Z]{2,4})\s*(?:(\([^)]*\))\s*)?$/.exec(header(msg, 'date'));
  out.add('m:tz:' + (tz ? tz[1] : 'none'));
  const boundary = /boundary\s*=\s*"?([^";]+)/i.exec(header(msg, 'content-type'));
  if (boundary) out.add('m:bnd:' + shape(boundary[1]));
  out.add('m:cth:' + header(msg, 'content-type').replace(/boundary\s*=\s*("[^"]*"|[^;\s]*)/i, 'boundary=').replace(/\s+/g, ' ').slice(0, 80));

  const agent = header(msg, 'x-mailer') || header(msg, 'user-agent');
  out.add('x:' + (agent ? (/^[^\d/(;]+/.exec(agent)?.[0] ?? '').trim().toLowerCase() : 'none'));
  if (agent) out.add('x:full:' + agent.toLowerCase().slice(0, 80));
}

function addStructure(msg: ParsedMessage, body: string, links: number, out: Set<string>): void {
  out.add('m:ct:' + (msg.partTypes[0] ?? 'none'));
  for (const t of msg.partTypes) out.add('m:pt:' + t);
  for (const c of msg.charsets) out.add('m:cs:' + c);
  if (msg.htmls.length > 0 && msg.texts.length === 0) out.add('m:html_only');
  if (msg.htmls.length === 0 && msg.texts.length === 0) out.add('m:no_text');
  out.add('m:links:' + bucket(links));
  out.add('m:att:' + bucket(msg.attachments.length));
  for (const a of msg.attachments) {
    out.add('a:t:' + a.contentType);
    const ext = /\.([a-z0-9]{1,8})$/i.exec(a.name)?.[1];
    if (ext) out.add('a:x:' + ext.toLowerCase());
  }
  out.add('m:len:' + bucket(body.length >> 6));
  const letters = body.replace(/[^\p{L}]/gu, '');
  if (letters.length > 40) {
    const upper = letters.replace(/[^\p{Lu}]/gu, '').length;
    out.add('m:caps:' + Math.min(10, Math.floor((upper / letters.length) * 20)));
  }
  if (HAS_UNSPACED.test(body)) out.add('m:unspaced');
  addObfuscation(body, out);
}

// How a plain-text body is laid out is, like HTML markup, the habit of the program that wrote it: mail programs
// wrap lines near 72 characters, many bulk and web mailers write a paragraph per line, some pad lines with spaces.
// Only departures from wrapped text are features: were the common case one, its weight would go to the bias and
// every message without it (a one-line mail, HTML-only mail) would lean to spam.
const WRAPPED_LINE = 80;
const PARAGRAPH_LINE = 300;

function addLineLayout(text: string, out: Set<string>): void {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  if (lines.length < 3) return;
  const long = lines.filter((l) => l.length > WRAPPED_LINE).length;
  const share = Math.min(4, Math.floor((long / lines.length) * 5));
  if (share > 0) out.add('m:wrap:long_lines_' + share);
  if (lines.some((l) => l.length > PARAGRAPH_LINE)) out.add('m:wrap:paragraph_lines');
  if (lines.filter((l) => /\s$/.test(l)).length / lines.length > 0.3) out.add('m:wrap:trailing_space');
}

// Text written to slip past word filters: invisible characters inside words, letters spaced or starred apart
// ("C*O*C*K", "f r e e"), digits standing in for letters ("v1agra"), scripts mixed inside one word.
const INVISIBLE = /[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]/;
const SPACED_LETTERS = /(?:^|[^\p{L}])\p{L}(?:[*._ -]\p{L}){4,}(?![\p{L}])/u;
const LEET = /\b[a-z]+[0134@$][a-z]+\b/i;
// Words of letters and digits with two digits or more ("a1b2", "2024", "x86_64" is not one: "_" is a word
// character): serial numbers and codes, not leetspeak. Each digit is the first or second digit or after it,
// so a word splits one way only (the earlier "(?:[a-z]*\d+[a-z]*){2,}" split a run of n digits 2^n ways).
const DIGIT_WORDS = /\b[a-z]*\d[a-z]*\d[a-z\d]*\b/gi;
const MIXED_SCRIPT = /(?<!\p{L})(?=\p{L}*\p{sc=Latin})(?=\p{L}*\p{sc=Cyrillic})\p{L}{3,}/u;

function addObfuscation(body: string, out: Set<string>): void {
  if (INVISIBLE.test(body)) out.add('m:obf:invisible');
  if (SPACED_LETTERS.test(body)) out.add('m:obf:spaced');
  if (LEET.test(body.replace(DIGIT_WORDS, ''))) out.add('m:obf:leet');
  if (MIXED_SCRIPT.test(body)) out.add('m:obf:mixed_script');
}

/** Coarse logarithmic bucket of a count: 0, 1, 2, 3-4, 5-8, 9-16, ... */
function bucket(n: number): number {
  return n <= 2 ? n : Math.ceil(Math.log2(n)) + 1;
}
