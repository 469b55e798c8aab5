// No lesson page shows an answer before the student asks: every line that only the solution
// has (not the starter) must be hidden until a "Show solution" fold is opened.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markerLanguage, toSolutionView, toStarter } from '../../grader/src/lesson/todo-markers.ts';
import { lessonPageExists, listLessons } from '../.vitepress/lessons.ts';
import { siteBrowserForFile } from './browser.ts';
import { docsDir } from './helpers.ts';

const lessonsRoot = join(docsDir, '../lessons');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Trimmed lines of a lesson's solution that its starter does not have anywhere. */
export function solutionOnlyLines(lessonId: string): Map<string, string> {
  const out = new Map<string, string>();
  const root = join(lessonsRoot, lessonId, 'solution');
  for (const path of filesUnder(root)) {
    const lang = markerLanguage(path);
    if (!lang) continue;
    const source = readFileSync(path, 'utf8');
    const starter = new Set(toStarter(source, lang, path).split('\n').map((l) => l.trim()));
    for (const line of toSolutionView(source, lang, path).split('\n')) {
      const t = line.trim();
      // Braces and one-word lines say nothing about the answer.
      if (t.length >= 8 && /[A-Za-z0-9]/.test(t) && !starter.has(t)) out.set(t, relative(join(lessonsRoot, lessonId), path));
    }
  }
  return out;
}

/** The trimmed lines of the page's article as rendered: closed <details> contribute nothing to innerText. */
const visibleLines = async (page: import('playwright-core').Page): Promise<Set<string>> =>
  new Set((await page.locator('.vp-doc').innerText()).split('\n').map((l) => l.trim()));

const lessons = listLessons(lessonsRoot).filter((l) => lessonPageExists(l.id, 'en'));

const browser = siteBrowserForFile();

// Pages in parallel, each in its own tab.
describe.concurrent('lesson pages hide the solution until it is asked for', () => {
  it('there are lessons with solution-only lines', () => {
    expect(lessons.length).toBeGreaterThan(0);
    for (const l of lessons) expect(solutionOnlyLines(l.id).size, l.id).toBeGreaterThan(0);
  });
  for (const l of lessons) {
    for (const prefix of ['', '/zh-CN']) {
      const path = `${prefix}/lessons/${l.id}`;
      it(path, async () => {
        const only = solutionOnlyLines(l.id);
        const page = await browser.open(path);
        try {
          const before = await visibleLines(page);
          const spoilers = [...only].filter(([line]) => before.has(line)).map(([line, file]) => `${file}: ${line}`);
          expect(spoilers, `${path} shows solution lines before any reveal`).toEqual([]);
          // Opening every fold shows them: the check above can see a solution line when one is visible.
          const summaries = page.locator('.vp-doc details > summary');
          for (let i = 0; i < (await summaries.count()); i++) await summaries.nth(i).click();
          const after = await visibleLines(page);
          expect([...only.keys()].filter((line) => after.has(line)).length, `${path}: solution lines once revealed`).toBeGreaterThan(0);
        } finally {
          await page.close();
        }
      });
    }
  }
});

// The second step of help (grade --hint) is on the page too, folded under the check's first hint.
describe('a check\'s second hint is folded until it is asked for', () => {
  const lesson = lessons.find((l) => l.checks.some((c) => c.todos.length && c.hint2))!;
  const check = lesson.checks.find((c) => c.todos.length && c.hint2)!;
  const zh = JSON.parse(readFileSync(join(lessonsRoot, lesson.id, 'zh-CN.json'), 'utf8')) as { checks: Record<string, { hint2: string }> };
  for (const [prefix, hint2] of [['', check.hint2!], ['/zh-CN', zh.checks[check.id]!.hint2]] as const) {
    it(`${prefix}/lessons/${lesson.id}#check-${check.id}`, async () => {
      const page = await browser.open(`${prefix}/lessons/${lesson.id}`);
      try {
        const text = hint2.replace(/`/g, '').slice(0, 60);
        const article = page.locator('.vp-doc');
        expect(await article.innerText()).not.toContain(text);
        // The fold right after this check's heading, not another check's.
        const fold = page.locator(`h3#check-${check.id} ~ details.nlab-hint2`).first();
        await fold.locator('summary').click();
        expect(await fold.innerText()).toContain(text);
        expect(await fold.innerText()).toContain(`npm run grade ${lesson.id} -- --hint ${check.id}`);
      } finally {
        await page.close();
      }
    });
  }
});
