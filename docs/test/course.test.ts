// The course map (/lessons/): one row per lesson.json, with numbers the test recounts itself
// from the lesson files; the "Lessons" nav item leads there and stays lit on every lesson.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markerLanguage, todoBlocks } from '../../grader/src/lesson/todo-markers.ts';
import { courseParts, listLessons, partLabel, partText, type Locale } from '../.vitepress/lessons.ts';
import { siteBrowserForFile } from './browser.ts';
import { docsDir } from './helpers.ts';

const lessonsRoot = join(docsDir, '../lessons');
const lessons = listLessons(lessonsRoot);
const parts = courseParts(lessons);
const localeOf = (prefix: string): Locale => (prefix ? 'zh-CN' : 'en');

function todoCount(lessonId: string): number {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  return walk(join(lessonsRoot, lessonId, 'solution')).reduce((sum, p) => {
    const lang = markerLanguage(p);
    return sum + (lang ? todoBlocks(readFileSync(p, 'utf8'), lang, p).length : 0);
  }, 0);
}

const browser = siteBrowserForFile();

describe('the course map', () => {
  for (const prefix of ['', '/zh-CN']) {
    it(`${prefix}/lessons/ lists every lesson with its checks, points and TODOs`, async () => {
      const page = await browser.open(`${prefix}/lessons/`);
      try {
        const rows = await page.locator('.vp-doc table tbody tr').evaluateAll((trs) =>
          trs.map((tr) => {
            const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '');
            return { cells, href: tr.querySelector('a')?.getAttribute('href') ?? '' };
          }),
        );
        expect(rows.length).toBe(lessons.length);
        for (const [i, l] of lessons.entries()) {
          const row = rows[i]!;
          expect(row.href, l.id).toBe(`${prefix}/lessons/${l.id}`);
          expect(row.cells[0], l.id).toMatch(new RegExp(`^${l.id.split('-')[1]}\\. `));
          expect(row.cells[1]!.length, `${l.id} says what it teaches`).toBeGreaterThan(10);
          expect(row.cells.slice(2).map(Number), l.id).toEqual([l.checks.length, l.checks.reduce((a, c) => a + c.points, 0), todoCount(l.id)]);
        }
        // One heading per part, titled from lessons/parts.json.
        const heads = await page.locator('.vp-doc h2[id^="part-"]').evaluateAll((hs) => hs.map((h) => ({ id: h.id, text: h.textContent?.replace(/\u200b/g, '').trim() })));
        expect(heads).toEqual(parts.map(({ part }) => ({ id: `part-${part}`, text: `${partLabel(part, localeOf(prefix))} · ${partText(part, localeOf(prefix), lessonsRoot).title}` })));
        await page.locator('.vp-doc table a').nth(2).click();
        await page.waitForURL(`**${prefix}/lessons/${lessons[2]!.id}`);
        // The nav's "Lessons" item is lit on a lesson page, not only on lesson 1.
        await expect(page.locator('.VPNavBarMenuLink.active').textContent()).resolves.toMatch(prefix ? /^\s*课程\s*$/ : /^\s*Lessons\s*$/);
      } finally {
        await page.close();
      }
    });

    it(`the home page (${prefix || 'en'}) links to the course map`, async () => {
      const page = await browser.open(`${prefix}/`);
      try {
        await expect(page.locator(`a[href="${prefix}/lessons/"]`).count()).resolves.toBeGreaterThanOrEqual(2);
        // The overview: a line per part, with its first and last lesson, leading to the part on the map.
        for (const { part, lessons: inPart } of parts) {
          const link = page.locator(`.vp-doc a[href="${prefix}/lessons/#part-${part}"]`);
          const [first, last] = [inPart[0]!, inPart.at(-1)!].map((l) => l.id.split('-')[1]);
          await expect(link.textContent()).resolves.toContain(first === last ? first! : `${first}–${last}`);
          await expect(link.textContent()).resolves.toContain(partText(part, localeOf(prefix), lessonsRoot).title);
        }
        await page.locator(`.vp-doc a[href="${prefix}/lessons/"]`).click();
        await page.waitForURL(`**${prefix}/lessons/`);
        await expect(page.locator('.vp-doc h1').textContent()).resolves.toMatch(prefix ? /课程/ : /Lessons/);
      } finally {
        await page.close();
      }
    });
  }
});
