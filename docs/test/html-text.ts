// Reading the built site's HTML without a browser: heading anchors, and the text of each
// block (paragraph, list item, table cell, heading…) with code left out. VitePress's
// server-rendered HTML is well formed, so a tag scanner is enough; no DOM is built.

/** Elements whose text is a unit of prose, judged on its own. */
const BLOCKS = new Set(['p', 'li', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'summary', 'dt', 'dd', 'figcaption', 'blockquote', 'caption', 'button', 'label']);
/** Elements whose content is code or not text at all. */
const SKIP = new Set(['pre', 'code', 'kbd', 'samp', 'script', 'style', 'template', 'svg', 'textarea']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
/** Attributes a reader sees or hears (tooltips, screen-reader labels). */
const SHOWN_ATTRS = ['title', 'aria-label', 'placeholder', 'alt'];

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–', rarr: '→', larr: '←' };
export const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? m;
  });

/** The ids of a page's headings (h1–h6), in order. */
export function headingIds(html: string): string[] {
  return [...html.matchAll(/<h[1-6]\b[^>]*?\sid="([^"]*)"/g)].map((m) => decodeEntities(m[1]!));
}

export interface TextUnit {
  /** The element (p, li, td…), or `@title` etc. for an attribute. */
  tag: string;
  text: string;
}

/**
 * The text of every block element, each holding only its own text (a paragraph inside a list
 * item is a unit of its own), without code, plus the attributes that are shown or read out.
 * Only the page's body counts; `<head>` is metadata.
 */
export function textUnits(html: string): TextUnit[] {
  const body = html.slice(Math.max(0, html.search(/<body\b/i)));
  const units: TextUnit[] = [];
  const open: { tag: string; text: string }[] = [];
  const stack: string[] = [];
  let skip = 0;
  for (const m of body.matchAll(/<!--[\s\S]*?-->|<(\/?)([a-zA-Z][\w-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+/g)) {
    const [tok, closing, rawName, attrs = ''] = m;
    if (tok.startsWith('<!--')) continue;
    if (!rawName) {
      if (!skip && open.length) open[open.length - 1]!.text += decodeEntities(tok);
      continue;
    }
    const name = rawName.toLowerCase();
    if (!closing) {
      if (!skip) {
        for (const a of SHOWN_ATTRS) {
          const v = new RegExp(`\\s${a}="([^"]*)"`).exec(attrs)?.[1];
          if (v) units.push({ tag: `@${a}`, text: decodeEntities(v) });
        }
      }
      if (VOID.has(name) || attrs.trimEnd().endsWith('/')) continue;
      stack.push(name);
      if (SKIP.has(name)) skip++;
      else if (!skip && BLOCKS.has(name)) open.push({ tag: name, text: '' });
      else if (!skip && open.length) open[open.length - 1]!.text += ' ';
      continue;
    }
    // Close up to the matching tag (tolerates an unclosed <p> before a block).
    const at = stack.lastIndexOf(name);
    if (at < 0) continue;
    while (stack.length > at) {
      const top = stack.pop()!;
      if (SKIP.has(top)) skip--;
      else if (!skip && BLOCKS.has(top)) {
        const u = open.pop()!;
        units.push({ tag: u.tag, text: u.text.replace(/\s+/g, ' ').trim() });
      } else if (!skip && open.length) open[open.length - 1]!.text += ' ';
    }
  }
  return units.filter((u) => u.text);
}

// Chinese words, not Chinese punctuation: "`x`：an English sentence" is still English.
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Latin words that are not prose in any language: names, acronyms, identifiers. Words that
 * look like code (snake_case, camelCase, ALLCAPS, with digits) are recognised without a list.
 */
export const NOT_PROSE = new Set(
  [
    'netlink', 'lab', 'linux', 'debian', 'qemu', 'kvm', 'vitepress', 'node', 'npm', 'typescript', 'javascript', 'github',
    'todo', 'todos', 'ack', 'genl', 'nlctrl', 'rtnetlink', 'iproute', 'libmnl', 'ynl', 'tsdoc', 'checkpatch', 'insmod', 'rmmod', 'english',
  ].map((w) => w.toLowerCase()),
);

/** Words of a text that read as English prose (not names, acronyms or identifiers). */
export function proseWords(text: string): string[] {
  return (text.match(/[A-Za-z][A-Za-z0-9_'’.-]*/g) ?? [])
    .map((w) => w.replace(/[.'’-]+$/, ''))
    .filter((w) => /^[A-Za-z][a-z'’-]*$/.test(w) && !NOT_PROSE.has(w.toLowerCase()) && !/^[A-Z]{2,}$/.test(w));
}

/**
 * Is this text English prose? No CJK at all, and at least `minWords` words of prose that make
 * up most of its letters (so "nlmsg_unicast() and skb" or "Netlink Lab" are not).
 */
export function isEnglishProse(text: string, minWords = 3): boolean {
  if (CJK.test(text)) return false;
  const words = proseWords(text);
  if (words.length < minWords) return false;
  const letters = (text.match(/[A-Za-z]/g) ?? []).length;
  return words.join('').replace(/[^A-Za-z]/g, '').length * 2 > letters;
}
