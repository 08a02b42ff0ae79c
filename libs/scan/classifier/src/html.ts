import { withoutBlocks } from './blocks.js';

/** Visible text of an HTML body plus what its markup says (link targets, tags used). */
export interface HtmlContent {
  text: string;
  /** href/src/action targets, as written. */
  links: string[];
  /** Lower-case names of the tags used, each once. */
  tags: Set<string>;
  /** Number of <img> tags. */
  images: number;
  /** How the markup is written: "tag.attribute=value" and "tag.style.property:value", short values only, each once. */
  attributes: Set<string>;
}

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  middot: '·',
  bull: '•',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  laquo: '«',
  raquo: '»',
};

// Every pattern here runs in time linear in the markup, whatever it is: a tag ends at the next "<" if no ">"
// comes first, an attribute name is at most 40 characters, and the end of a block is searched for only while
// one can still be found (withoutBlocks). Hostile HTML ("<a " or "<!--" repeated, never closed)
// otherwise costs seconds per message.
const INVISIBLE_BLOCK_START = /<(script|style|head)\b|<!--/gi;
const TITLE_START = /<title\b[^<>]*>/i;
const LINK_ATTR = /\b(?:href|src|action|background)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>/g;
const ATTRIBUTE = /\b([a-zA-Z][a-zA-Z-]{0,39})\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g;
// Links are read as links; text and identifiers are different in every message, so they say nothing about style.
const NOT_PRESENTATION = /^(?:href|src|action|background|alt|title|name|id|value)$/i;
// Font sizes, colours, widths and inline styles are short; longer values are unique to one message.
const MAX_ATTRIBUTE_VALUE = 24;
const ENTITY = /&(#[xX][0-9a-fA-F]+|#\d+|[a-zA-Z]+);?/g;

/** Decodes character references; unknown named ones become a space. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (_m, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? ' ';
  });
}

/** Adds one attribute of a tag (each declaration of a style on its own) when it is presentational and short. */
function addAttribute(tag: string, name: string, raw: string, out: Set<string>): void {
  if (NOT_PRESENTATION.test(name)) return;
  const value = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  if (name !== 'style') {
    if (value.length <= MAX_ATTRIBUTE_VALUE) out.add(`${tag}.${name}=${value}`);
    return;
  }
  for (const declaration of value.split(';')) {
    const d = declaration.trim().replace(/(?<!\s)\s*:\s*/, ':');
    if (d && d.length <= MAX_ATTRIBUTE_VALUE) out.add(`${tag}.style.${d}`);
  }
}

/** The pattern of the end of a script, style or head block, a comment ("!--") or a title. */
function blockEnd(kind: string): RegExp {
  return kind === '!--' ? /-->/g : new RegExp(`</${kind}\\s*>`, 'gi');
}

/** The text of the first <title> element ('' when none is closed). */
function firstTitle(html: string): string {
  const open = TITLE_START.exec(html);
  if (!open) return '';
  const from = open.index + open[0].length;
  const end = blockEnd('title');
  end.lastIndex = from;
  const closing = end.exec(html);
  return closing ? html.slice(from, closing.index) : '';
}

/** Strips HTML to its visible text, keeping the link targets, the tag names and their attributes as separate facts. */
export function htmlToText(html: string): HtmlContent {
  const links: string[] = [];
  const tags = new Set<string>();
  let images = 0;
  const attributes = new Set<string>();
  const title = firstTitle(html);
  // Script, style and head blocks and comments; one never closed stays (its opening tag then goes as a tag).
  const visible = withoutBlocks(html, INVISIBLE_BLOCK_START, (opening) => blockEnd(opening[1]?.toLowerCase() ?? '!--'), ' ');
  const text = visible.replace(TAG, (tag, name: string) => {
    const lower = name.toLowerCase();
    tags.add(lower);
    if (lower === 'img') images++;
    if (tag[1] !== '/') {
      for (const m of tag.matchAll(LINK_ATTR)) links.push(decodeEntities(m[1] ?? m[2] ?? m[3]));
      for (const m of tag.matchAll(ATTRIBUTE)) addAttribute(lower, m[1].toLowerCase(), m[2] ?? m[3] ?? m[4], attributes);
    }
    return ' ';
  });
  return { text: decodeEntities(title + ' ' + text), links, tags, images, attributes };
}
