// URLs for the reputation checks (SURBL/URIBL) and the event: every http(s) URL in the plain text and in
// the HTML source (links, images, styles alike), found with one linear regex pass per body.

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`{}|\\^[\]]+/gi;
// Matched only from the start of a run ((?<!...)): /[.,;:!?)]+$/ tried again from every character of a run of
// dots that more URL follows, a minute on one 250 KB URL.
const TRAILING_PUNCTUATION = /(?<![.,;:!?)])[.,;:!?)]+$/;
const HTML_AMP = /&amp;/gi;

export const MAX_URLS = 1000;
const MAX_URL_LENGTH = 2048;

/** Distinct URLs in first-seen order, at most `MAX_URLS`; the second value says whether some were left out. */
export function extractUrls(text: string, html: string): { urls: string[]; truncated: boolean } {
  const seen = new Set<string>();
  let truncated = false;
  for (const [body, isHtml] of [[text, false], [html, true]] as const) {
    for (const match of body.matchAll(URL_PATTERN)) {
      let url = match[0].replace(TRAILING_PUNCTUATION, '');
      if (isHtml) url = url.replace(HTML_AMP, '&');
      // An overlong URL is kept cut short: its host is what reputation checks need.
      url = url.slice(0, MAX_URL_LENGTH);
      if (seen.has(url)) continue;
      if (seen.size === MAX_URLS) {
        truncated = true;
        break;
      }
      seen.add(url);
    }
  }
  return { urls: [...seen], truncated };
}
