// Every page at a desktop and a phone width: nothing overflows sideways except code blocks
// that are meant to scroll (on a phone; on a desktop only lines longer than 80 columns).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSiteBrowser, type SiteBrowser } from './browser.ts';
import { pageFiles, pageUrl } from './helpers.ts';

const WIDTHS = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } } as const;
/** Code lines up to this many columns (tabs at 8, as the kernel counts) must fit on a desktop. */
const FIT_COLUMNS = 80;

interface Overflow {
  what: string;
  by: number;
}

let browser: SiteBrowser;
beforeAll(async () => {
  browser = await startSiteBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('no sideways overflow', () => {
  for (const file of pageFiles()) {
    const url = pageUrl(file);
    for (const [name, size] of Object.entries(WIDTHS)) {
      it(`${url} at ${size.width} px`, async () => {
        const page = await browser.open(url, size);
        try {
          // Folded solutions count too: open them all.
          await page.evaluate(() => document.querySelectorAll('.vp-doc details').forEach((d) => d.setAttribute('open', '')));
          const found: Overflow[] = await page.evaluate(
            ({ desktop, fit }) => {
              const out: { what: string; by: number }[] = [];
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
              if (root.scrollWidth > root.clientWidth + 1) out.push({ what: 'the page itself scrolls sideways', by: root.scrollWidth - root.clientWidth });
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
                const scrolls = el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
                const isCode = el.tagName === 'PRE' && !!el.closest('div[class*="language-"]');
                if (isCode) {
                  boxes.push(el);
                  // A code block may scroll on a phone; on a desktop only if its lines are longer than the fit.
                  if (scrolls && desktop && columns((el as HTMLElement).innerText) <= fit) out.push({ what: `${label(el)} (${columns((el as HTMLElement).innerText)} columns)`, by: el.scrollWidth - el.clientWidth });
                  continue;
                }
                if (el.closest('pre')) continue;
                if (/auto|scroll|hidden|clip/.test(style.overflowX)) {
                  boxes.push(el);
                  if (scrolls) out.push({ what: `${label(el)} (${style.overflowX})`, by: el.scrollWidth - el.clientWidth });
                }
                // On a phone the theme lets code blocks bleed to the screen's edges: they may reach the viewport's edge.
                const limit = el.closest('div[class*="language-"]') ? root.clientWidth : right;
                if (box.right > limit + 1 && !el.closest('.header-anchor')) out.push({ what: `${label(el)} sticks out`, by: Math.round(box.right - limit) });
              }
              return out;
            },
            { desktop: name === 'desktop', fit: FIT_COLUMNS },
          );
          expect(found.map((f) => `${f.what} by ${f.by} px`)).toEqual([]);
        } finally {
          await page.close();
        }
      });
    }
  }
});
