/** A link of an HTML body: where it goes and the text the reader sees. */
export interface HtmlAnchor {
  href: string;
  text: string;
}

export interface HtmlView {
  /** Visible text (no tags, scripts or styles; entities decoded). */
  text: string;
  anchors: HtmlAnchor[];
}

// One linear pass: a tag is "<" up to the next ">" with no "<" inside, so a stray "<" costs one step and
// no input makes the scan quadratic.
const TOKEN = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)(?![a-zA-Z0-9])([^<>]*)>|<![^<>]*>|[^<]+|</g;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const ENTITY = /&(#x[0-9a-f]+|#\d+|[a-z]+);/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const HIDDEN = new Set(['script', 'style', 'head', 'title']);
const MAX_ANCHORS = 1000;

/** Decodes HTML character references; unknown names become a space. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (_all, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref.toLowerCase()] ?? ' ';
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
  });
}

/** The visible text and the links of an HTML body. */
export function readHtml(html: string): HtmlView {
  const text: string[] = [];
  const anchors: HtmlAnchor[] = [];
  let hiddenDepth = 0;
  let open: { href: string; text: string[] } | undefined;
  for (const match of html.matchAll(TOKEN)) {
    const [token, closing, rawName, attributes] = match;
    if (rawName === undefined) {
      if (hiddenDepth > 0 || token.startsWith('<!')) continue;
      const visible = decodeEntities(token);
      text.push(visible);
      open?.text.push(visible);
      continue;
    }
    const name = rawName.toLowerCase();
    // Markup inside a script or style is text of that block, not links.
    if (hiddenDepth > 0 && !HIDDEN.has(name)) continue;
    if (HIDDEN.has(name)) hiddenDepth = Math.max(0, hiddenDepth + (closing ? -1 : 1));
    if (name === 'a') {
      if (open && anchors.length < MAX_ANCHORS) anchors.push({ href: open.href, text: open.text.join('').replace(/\s+/g, ' ').trim() });
      open = undefined;
      const href = closing ? undefined : HREF.exec(attributes ?? '');
      if (href) open = { href: decodeEntities(href[1] ?? href[2] ?? href[3] ?? '').trim(), text: [] };
    }
    text.push(' ');
  }
  if (open && anchors.length < MAX_ANCHORS) anchors.push({ href: open.href, text: open.text.join('').replace(/\s+/g, ' ').trim() });
  return { text: text.join('').replace(/[ \t\r\n\u00a0]+/g, ' ').trim(), anchors };
}
