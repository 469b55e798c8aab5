// Code must be readable: every highlighted token in every code block, in light and dark mode,
// has a contrast of at least 4.5:1 (WCAG AA) against the background it is drawn on, computed
// from the browser's computed styles (diff-line tints included).
import { describe, expect, it } from 'vitest';
import { siteBrowserForFile } from './browser.ts';
import { pageFiles, pageUrl } from './helpers.ts';

const AA = 4.5;

const browser = siteBrowserForFile();

// Colours are the same in both locales: the English pages cover every kind of block.
const pages = pageFiles().filter((f) => !f.startsWith('zh-CN/'));

// Pages in parallel: each follows its own emulated colour scheme (no shared localStorage setting).
describe.concurrent('code contrast (WCAG AA)', () => {
  for (const scheme of ['light', 'dark'] as const) {
    for (const file of pages) {
      const url = pageUrl(file);
      it(`${url} (${scheme})`, async () => {
        const page = await browser.open(url, undefined, scheme);
        try {
          await expect(page.locator('html').evaluate((h) => h.classList.contains('dark'))).resolves.toBe(scheme === 'dark');
          await page.evaluate(() => document.querySelectorAll('.vp-doc details').forEach((d) => d.setAttribute('open', '')));
          const low: string[] = await page.evaluate((aa) => {
            type RGBA = [number, number, number, number];
            const parse = (c: string): RGBA => {
              const m = /^rgba?\(([^)]+)\)$/.exec(c.trim());
              if (!m) throw new Error(`unparsed colour ${c}`);
              const [r, g, b, a] = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
              return [r!, g!, b!, a ?? 1];
            };
            const over = (top: RGBA, under: RGBA): RGBA => {
              const a = top[3] + under[3] * (1 - top[3]);
              if (a === 0) return [0, 0, 0, 0];
              const mix = (i: number) => (top[i]! * top[3] + under[i]! * under[3] * (1 - top[3])) / a;
              return [mix(0), mix(1), mix(2), a];
            };
            const lum = ([r, g, b]: RGBA): number => {
              const ch = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
              return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
            };
            /** The opaque colour behind an element: its and its ancestors' backgrounds, composited. */
            const background = (el: Element): RGBA => {
              const layers: RGBA[] = [];
              for (let e: Element | null = el; e; e = e.parentElement) layers.push(parse(getComputedStyle(e).backgroundColor));
              return layers.reduceRight<RGBA>((under, top) => over(top, under), [255, 255, 255, 1]);
            };
            const seen = new Map<string, string>();
            for (const span of document.querySelectorAll('.vp-doc pre code span')) {
              if (span.children.length || !span.textContent?.trim()) continue;
              const fg = over(parse(getComputedStyle(span).color), background(span));
              const bg = background(span);
              const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
              const ratio = (l1! + 0.05) / (l2! + 0.05);
              if (ratio < aa) {
                const key = `${getComputedStyle(span).color} on ${bg.map((v) => Math.round(v)).slice(0, 3).join(',')}${span.closest('.diff') ? ' (diff line)' : ''}`;
                if (!seen.has(key)) seen.set(key, `${key}: ${ratio.toFixed(2)}:1, e.g. "${span.textContent.trim().slice(0, 30)}"`);
              }
            }
            return [...seen.values()];
          }, AA);
          expect(low).toEqual([]);
        } finally {
          await page.close();
        }
      });
    }
  }
});
