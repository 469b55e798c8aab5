// Every page at two desktop widths and a phone width: nothing overflows sideways except code
// blocks that are meant to scroll (on a phone; on a desktop only lines longer than 80 columns),
// and tables only inside a box that scrolls them. Each page is loaded once and resized, and
// a few pages are measured at a time.
import { describe, expect, it } from 'vitest';
import { siteBrowserForFile } from './browser.ts';
import { pageFiles, pageUrl } from './helpers.ts';

/** Desktop widths must fit 80-column code; on a phone code may scroll, the page may not. */
const WIDTHS = [
  { width: 1440, height: 900, desktop: true },
  { width: 1280, height: 800, desktop: true },
  { width: 390, height: 844, desktop: false },
] as const;
/** Code lines up to this many columns (tabs at 8, as the kernel counts) must fit on a desktop. */
const FIT_COLUMNS = 80;

const browser = siteBrowserForFile();

/** What sticks out of the page at the current width, measured in the page. */
function overflows({ desktop, fit }: { desktop: boolean; fit: number }): string[] {
  const out: string[] = [];
  const label = (el: Element): string => {
    const h = [...document.querySelectorAll('.vp-doc h2, .vp-doc h3')].filter((x) => x.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING).pop();
    const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
    return `<${el.tagName.toLowerCase()}> under "${h?.textContent?.replace(/\u200b/g, '').trim() ?? '(top)'}": ${text}`;
  };
  const columns = (text: string): number =>
    Math.max(0, ...text.split('\n').map((l) => {
      let c = 0;
      for (const ch of l) c = ch === '\t' ? c + 8 - (c % 8) : c + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1);
      return c;
    }));
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) out.push(`the page itself scrolls sideways by ${root.scrollWidth - root.clientWidth} px`);
  const doc = document.querySelector('.vp-doc');
  if (!doc) return out;
  const right = doc.getBoundingClientRect().right;
  // Inside a box that scrolls or clips, only the box itself is reported.
  const boxes: Element[] = [];
  for (const el of doc.querySelectorAll('*')) {
    if (boxes.some((b) => b.contains(el))) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;
    const style = getComputedStyle(el);
    const by = el.scrollWidth - el.clientWidth;
    const scrolls = by > 1 && el.clientWidth > 0;
    // A code block: the theme's wrapper div scrolls nothing itself (its <pre> does), so it is
    // measured here and what is inside it is not looked at again.
    const pre = el.matches('div[class*="language-"]') ? el.querySelector(':scope > pre') : null;
    if (pre) {
      boxes.push(el);
      // A code block may scroll on a phone; on a desktop only if its lines are longer than the fit.
      const cols = columns((pre as HTMLElement).innerText);
      const over = pre.scrollWidth - pre.clientWidth;
      if (over > 1 && desktop && cols <= fit) out.push(`${label(pre)} (${cols} columns) scrolls by ${over} px`);
      // On a phone the theme lets code blocks bleed to the screen's edges: they may reach the viewport's edge.
      const limit = desktop ? right : root.clientWidth;
      if (box.right > limit + 1) out.push(`${label(pre)}: the code block sticks out by ${Math.round(box.right - limit)} px`);
      continue;
    }
    if (el.closest('pre')) continue;
    if (/auto|scroll|hidden|clip/.test(style.overflowX)) {
      boxes.push(el);
      // Only a table may scroll, inside its own box (the theme's `table { overflow-x: auto }`).
      if (scrolls && el.tagName !== 'TABLE') out.push(`${label(el)} (${style.overflowX}) scrolls by ${by} px`);
      if (scrolls && el.tagName === 'TABLE' && desktop) out.push(`${label(el)}: a table scrolls on a desktop by ${by} px`);
    }
    if (box.right > right + 1 && !el.closest('.header-anchor')) out.push(`${label(el)} sticks out by ${Math.round(box.right - right)} px`);
  }
  return out;
}

describe.concurrent('no sideways overflow at 1440, 1280 and 390 px', () => {
  for (const file of pageFiles()) {
    const url = pageUrl(file);
    it(url, async () => {
      const page = await browser.open(url, WIDTHS[0]);
      try {
        // Folded solutions count too: open them all.
        await page.evaluate(() => document.querySelectorAll('.vp-doc details').forEach((d) => d.setAttribute('open', '')));
        const found: string[] = [];
        for (const { width, height, desktop } of WIDTHS) {
          await page.setViewportSize({ width, height });
          await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
          found.push(...(await page.evaluate(overflows, { desktop, fit: FIT_COLUMNS })).map((f) => `${width} px: ${f}`));
        }
        expect(found).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});
