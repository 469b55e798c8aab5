// Headings of a markdown page and the anchors VitePress gives them: an explicit `{#id}`, or
// a slug of the heading's text. Pure text in, headings out.

export interface Heading {
  level: number;
  /** The heading's text without its `{#id}`. */
  text: string;
  /** The `{#id}` the page gives it, if any. */
  explicit?: string;
  /** The id it ends up with: the explicit one, else the slug (deduplicated like VitePress, -1, -2…). */
  anchor: string;
  line: number;
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const ATX = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const EXPLICIT = /\s*\{#([^}\s]+)\}$/;

/** Every ATX heading outside code fences, in order. */
export function headings(markdown: string): Heading[] {
  const out: Heading[] = [];
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const [i, line] of markdown.split('\n').entries()) {
    const f = FENCE.exec(line);
    if (f) {
      if (!fence) fence = f[1]!;
      else if (f[1]!.startsWith(fence[0]!) && f[1]!.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence) continue;
    const h = ATX.exec(line);
    if (!h) continue;
    const e = EXPLICIT.exec(h[2]!);
    const text = e ? h[2]!.slice(0, e.index) : h[2]!;
    let anchor = e?.[1] ?? slugify(plainText(text));
    if (!e) {
      const n = seen.get(anchor) ?? 0;
      seen.set(anchor, n + 1);
      if (n) anchor = `${anchor}-${n}`;
    }
    out.push({ level: h[1]!.length, text, ...(e ? { explicit: e[1]! } : {}), anchor, line: i + 1 });
  }
  return out;
}

/** What a reader sees of inline markdown: link texts, code without backticks, no tags. */
export function plainText(inline: string): string {
  return inline
    .replace(/<[^>]*>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\\(.)/g, '$1');
}

const SEPARATORS = /[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g;

/** The id VitePress derives from a heading's text. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u0000-\u001f]/g, '')
    .replace(SEPARATORS, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, '_$1')
    .toLowerCase();
}
