/** Visible text of an HTML body plus what its markup says (link targets, tags used). */
export interface HtmlContent {
  text: string;
  /** href/src/action targets, as written. */
  links: string[];
  /** Lower-case names of the tags used, each once. */
  tags: Set<string>;
  /** Number of <img> tags. */
  images: number;
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

const INVISIBLE_BLOCKS = /<(script|style|head)\b[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi;
const TITLE = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i;
const LINK_ATTR = /\b(?:href|src|action|background)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>/g;
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

/** Strips HTML to its visible text, keeping the link targets and the tag names as separate facts. */
export function htmlToText(html: string): HtmlContent {
  const links: string[] = [];
  const tags = new Set<string>();
  let images = 0;
  const title = TITLE.exec(html)?.[1] ?? '';
  const visible = html.replace(INVISIBLE_BLOCKS, ' ');
  const text = visible.replace(TAG, (tag, name: string) => {
    const lower = name.toLowerCase();
    tags.add(lower);
    if (lower === 'img') images++;
    if (tag[1] !== '/') {
      for (const m of tag.matchAll(LINK_ATTR)) links.push(decodeEntities(m[1] ?? m[2] ?? m[3]));
    }
    return ' ';
  });
  return { text: decodeEntities(title + ' ' + text), links, tags, images };
}
