import { decodeEntities } from '../body/html.js';
import { ruleCheck } from '../rules/rule.js';

// Tags one by one, as html.ts reads them: "<" up to the next ">" with no "<" inside, then text up to the next "<".
const TOKEN = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)(?![a-zA-Z0-9])([^<>]*)>|[^<]+|</g;
const STYLE = /\bstyle\s*=\s*(?:"([^"]*)"|'([^']*)')/i;
const COLOR_ATTR = /\b(?:color|text)\s*=\s*["']?(#?[\w]{1,20})/i;
const BGCOLOR_ATTR = /\bbgcolor\s*=\s*["']?(#?[\w]{1,20})/i;
const DISPLAY_NONE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)/i;
const TINY_FONT = /(?:^|;)\s*font-size\s*:\s*(?:0(?:\.\d+)?|1)(?:px|pt|em|rem|%)?\s*(?:;|!|$)/i;
const CSS_COLOR = /(?:^|;)\s*color\s*:\s*(#?[\w]{1,20})/i;
const CSS_BACKGROUND = /(?:^|;)\s*background(?:-color)?\s*:\s*(#?[\w]{1,20})/i;
const WORD = /[\p{L}\p{N}]{2,}/gu;
const VOID = new Set(['br', 'img', 'hr', 'input', 'meta', 'link', 'wbr', 'col', 'area', 'base', 'source']);
const MAX_HTML = 512 * 1024;
const MAX_DEPTH = 200;
// A few hidden words are preheaders and tracking spans; hidden text that pads a message runs longer.
const MIN_HIDDEN_WORDS = 10;

interface Open {
  name: string;
  hidden: string | undefined;
  background: string | undefined;
}

/**
 * HTML_HIDDEN_TEXT: words a reader does not see but filters read: inside elements styled display:none or
 * visibility:hidden, with a font size of 0 or 1, or in the same colour as the background set around them.
 */
export const hiddenText = ruleCheck('hidden_text', (ctx, add) => {
  const html = ctx.message.html.slice(0, MAX_HTML);
  if (html === '') return;
  const stack: Open[] = [];
  const reasons = new Set<string>();
  let hiddenWords = 0;
  for (const [token, closing, rawName, attributes = ''] of html.matchAll(TOKEN)) {
    if (rawName === undefined) {
      const why = stack.findLast((open) => open.hidden)?.hidden;
      if (why && token !== '<') {
        const words = decodeEntities(token).match(WORD)?.length ?? 0;
        if (words > 0) {
          hiddenWords += words;
          reasons.add(why);
        }
      }
      continue;
    }
    const name = rawName.toLowerCase();
    if (closing) {
      const at = stack.findLastIndex((open) => open.name === name);
      if (at >= 0) stack.length = at;
      continue;
    }
    if (VOID.has(name) || attributes.endsWith('/') || stack.length >= MAX_DEPTH) continue;
    const background = stack.at(-1)?.background;
    const style = STYLE.exec(attributes);
    const css = style ? (style[1] ?? style[2] ?? '') : '';
    const ownBackground = normalColor(CSS_BACKGROUND.exec(css)?.[1] ?? BGCOLOR_ATTR.exec(attributes)?.[1]) ?? background;
    const color = normalColor(CSS_COLOR.exec(css)?.[1] ?? (name === 'font' || name === 'body' ? COLOR_ATTR.exec(attributes)?.[1] : undefined));
    let hidden: string | undefined;
    if (DISPLAY_NONE.test(css)) hidden = 'display:none';
    else if (TINY_FONT.test(css)) hidden = 'font-size 0 or 1';
    else if (color && ownBackground && color === ownBackground) hidden = `text colour ${color} on the same background`;
    stack.push({ name, hidden, background: ownBackground });
  }
  if (hiddenWords >= MIN_HIDDEN_WORDS) add('HTML_HIDDEN_TEXT', `${hiddenWords} hidden words (${[...reasons].join(', ')})`);
});

const NAMED_COLORS: Record<string, string> = { white: '#ffffff', black: '#000000', '#fff': '#ffffff', '#000': '#000000' };

/** A colour in comparable form (lower case, #rrggbb for the common names), or undefined. */
function normalColor(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const lower = value.toLowerCase();
  return NAMED_COLORS[lower] ?? lower;
}
