// Printing a lesson: no navigation, code wrapped instead of clipped, folded solutions open and
// labelled as solutions rather than as buttons.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { siteBrowserForFile } from './browser.ts';
import { repoRoot } from './helpers.ts';

const SHOTS = join(repoRoot, 'test-artifacts/screenshots');

const browser = siteBrowserForFile();

describe('print', () => {
  for (const prefix of ['', '/zh-CN']) {
    it(`${prefix}/lessons/lesson-8 prints its text, code and solutions, without navigation`, async () => {
      const page = await browser.open(`${prefix}/lessons/lesson-8`, { width: 1280, height: 900 });
      try {
        // A fold is a button on screen and a label on paper, where it prints open.
        // (A TODO's solution; the diffs of "What changes" come before the TODOs.)
        const fold = page.locator('details.nlab-solution:not(.nlab-reference):not(.nlab-changes) > summary').first();
        const diff = page.locator('details.nlab-changes > summary').first();
        await expect(fold.innerText()).resolves.toBe(prefix ? '显示答案' : 'Show solution');
        await expect(diff.innerText()).resolves.toBe(prefix ? '显示差异' : 'Show the diff');
        await page.emulateMedia({ media: 'print' });
        await expect(fold.innerText()).resolves.toBe(prefix ? '答案' : 'Solution');
        await expect(diff.innerText()).resolves.toBe(prefix ? '差异' : 'The diff');
        for (const sel of ['.VPNav', '.VPSidebar', '.VPDoc .aside', '.VPDocFooter']) {
          await expect(page.locator(sel).first().isVisible(), sel).resolves.toBe(false);
        }
        const folded = page.locator('details.nlab-solution:not([open]) div[class*="language-"]');
        expect(await folded.count()).toBeGreaterThan(0);
        for (let i = 0; i < (await folded.count()); i++) await expect(folded.nth(i).isVisible(), `folded solution ${i}`).resolves.toBe(true);
        const clipped = await page.locator('.vp-doc pre').evaluateAll((pres) => pres.filter((p) => p.scrollWidth > p.clientWidth + 1).length);
        expect(clipped, 'code blocks wider than the printed page').toBe(0);
        const content = await page.locator('.VPDoc .content-container').boundingBox();
        expect(content!.x, 'the text starts at the left margin').toBeLessThan(40);
        // Browsers without ::details-content: the folds are opened for the print, and closed after it.
        const closed = await page.locator('.vp-doc details:not([open])').count();
        expect(closed).toBeGreaterThan(0);
        await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
        await expect(page.locator('.vp-doc details:not([open])').count()).resolves.toBe(0);
        await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
        await expect(page.locator('.vp-doc details:not([open])').count()).resolves.toBe(closed);
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, `print-lesson-8${prefix ? '-zh-CN' : ''}.png`) });
      } finally {
        await page.close();
      }
    });
  }
});
