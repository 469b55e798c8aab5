// The built site in a real browser: Debian's chromium driven by playwright-core.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonPageExists, listLessons } from '../.vitepress/lessons.ts';
import { docsDir, pageFiles, pageUrl, repoRoot, resolveUrl, serve } from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];
const SHOTS = join(repoRoot, 'test-artifacts/screenshots');

const lessonsWithPages = listLessons(join(docsDir, '../lessons')).filter((l) => lessonPageExists(l.id, 'en') && lessonPageExists(l.id, 'zh-CN'));
/** Lesson 3 if it has pages, else the first lesson that does. */
const shownLesson = lessonsWithPages.find((l) => l.id === 'lesson-3') ?? lessonsWithPages[0];

let site: { url: string; close: () => Promise<void> };
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  site = await serve();
  profile = mkdtempSync(join(tmpdir(), 'nlab-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await context?.close();
  await site?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** A built page's article text (HTML), without the navigation and sidebar around it. */
const pageText = (file: string): string => {
  const html = readFileSync(file, 'utf8');
  return html.slice(html.indexOf('class="vp-doc'), html.lastIndexOf('</main>'));
};

/** Opens a page and collects console errors and uncaught exceptions while it loads. */
async function open(path: string, page?: Page): Promise<{ page: Page; errors: string[] }> {
  page ??= await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  const res = await page.goto(site.url + path, { waitUntil: 'networkidle' });
  expect(res?.status(), path).toBe(200);
  await page.waitForSelector('#app .Layout');
  return { page, errors };
}

// Pages in parallel, each in its own tab.
describe.concurrent('every page, in both locales', () => {
  const pages = pageFiles();
  it('has pages in both locales', () => {
    expect(pages.some((p) => p.startsWith('zh-CN/'))).toBe(true);
  });
  for (const file of pages) {
    const url = pageUrl(file);
    it(`${url} renders without console errors, with non-empty code blocks`, async () => {
      const { page, errors } = await open(url);
      try {
        if (file === 'index.md' || file === 'zh-CN/index.md') {
          await expect(page.locator('.VPHero .name').first().textContent()).resolves.toContain('Netlink Lab');
        } else {
          const h1 = await page.locator('.vp-doc h1').first().textContent();
          expect(h1?.trim().length, `${url} has a title`).toBeGreaterThan(0);
        }
        const blocks = page.locator('.vp-doc div[class*="language-"] pre code');
        const n = await blocks.count();
        for (let i = 0; i < n; i++) {
          const text = await blocks.nth(i).textContent();
          expect(text?.trim().length, `${url}: code block ${i} is empty`).toBeGreaterThan(0);
        }
        if (/(setup|lab-vm|troubleshooting|reference\/client)\.md$/.test(file) || /lessons\/lesson-/.test(file)) expect(n, `${url} shows code`).toBeGreaterThan(0);
        // Whole files (<!-- @code lesson path -->) are shown under their path.
        const wholeFiles = [...readFileSync(join(docsDir, file), 'utf8').matchAll(/^<!--\s*@code\s+\S+\s+(\S+)\s*-->\s*$/gm)].map((m) => m[1]!);
        if (wholeFiles.length) {
          const names = await page.locator('.vp-doc .nlab-file > .nlab-file-name code').allTextContents();
          for (const f of wholeFiles) expect(names, `${url}: ${f} is shown under its path`).toContain(f);
        }
        // Headings render their code names as code, not as literal backticks.
        const headings = await page.locator('.vp-doc :is(h1, h2, h3, h4)').allTextContents();
        expect(headings.filter((h) => h.includes('`')), `${url}: headings with backticks`).toEqual([]);
        expect(errors, url).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});

/** Types `word` into the local search box and returns the results' links, once there is one. */
async function search(page: Page, word: string): Promise<string[]> {
  await page.locator('.VPNavBarSearch button').first().click();
  const input = page.locator('.VPLocalSearchBox input');
  await input.waitFor();
  await input.fill(word);
  const results = page.locator('.VPLocalSearchBox .results .result');
  await results.first().waitFor({ timeout: 10_000 });
  return results.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''));
}

describe('search', () => {
  for (const [locale, prefix] of [['en', ''], ['zh-CN', '/zh-CN']] as const) {
    for (const word of ['nlmsg_unicast', 'genl_register_family']) {
      it(`finds ${word} (${locale})`, async () => {
        const { page } = await open(`${prefix}/`);
        try {
          const hrefs = await search(page, word);
          expect(hrefs.length).toBeGreaterThan(0);
          // Results stay in the locale you search from.
          for (const h of hrefs) expect(h.startsWith('/zh-CN/'), h).toBe(locale === 'zh-CN');
          // The best match is a page that really documents the name (results show titles, not text).
          const best = resolveUrl(hrefs[0]!);
          expect(best, hrefs[0]).toBeDefined();
          expect(readFileSync(best!, 'utf8'), hrefs[0]).toContain(word);
        } finally {
          await page.close();
        }
      });
    }
  }
});

describe('search in Chinese', () => {
  // Chinese has no spaces between words: without segmentation these find nothing.
  for (const word of ['命名空间', '扩展 ACK', '序列号']) {
    it(`finds ${word} (zh-CN)`, async () => {
      const { page } = await open('/zh-CN/');
      try {
        const hrefs = await search(page, word);
        for (const h of hrefs) expect(h.startsWith('/zh-CN/'), h).toBe(true);
        // Every result's page really contains the words.
        const words = word.split(' ');
        for (const h of hrefs) {
          const file = resolveUrl(h);
          expect(file, h).toBeDefined();
          expect(words.every((w) => pageText(file!).includes(w)), h).toBe(true);
        }
        // At least one section per page that uses the words, up to the 16 results the box shows
        // (unsegmented, 命名空间 found 3 sections though 8 pages use it).
        const pages = pageFiles().filter((f) => f.startsWith('zh-CN/') && words.every((w) => pageText(resolveUrl(pageUrl(f))!).includes(w)));
        expect(hrefs.length).toBeGreaterThanOrEqual(Math.min(16, pages.length));
      } finally {
        await page.close();
      }
    });
  }
});

describe('the search index', () => {
  for (const [prefix, key, loading] of [['', 'root', 'Loading the search index…'], ['/zh-CN', 'zh-CN', '正在加载搜索索引…']] as const) {
    it(`says it is loading until it has arrived (${prefix || 'en'})`, async () => {
      const page = await context.newPage();
      // Hold the index back until the box has been looked at.
      let release!: () => void;
      const held = new Promise<void>((ok) => (release = ok));
      await page.route(new RegExp(`/@localSearchIndex${key}\\.[\\w-]+\\.js$`), async (route) => {
        await held;
        await route.continue();
      });
      try {
        await open(`${prefix}/`, page);
        await page.locator('.VPNavBarSearch button').first().click();
        await page.locator('.VPLocalSearchBox input').fill(prefix ? '命名空间' : 'namespace');
        const note = page.locator('.VPLocalSearchBox .nlab-search-loading');
        await note.waitFor();
        await expect(note.textContent()).resolves.toBe(loading);
        await expect(note.getAttribute('role')).resolves.toBe('status');
        await expect(page.locator('.VPLocalSearchBox .results .result').count()).resolves.toBe(0);
        release();
        await page.locator('.VPLocalSearchBox .results .result').first().waitFor({ timeout: 10_000 });
        await expect.poll(() => note.count()).toBe(0);
      } finally {
        release();
        await page.close();
      }
    });
  }
});

describe('language switch', () => {
  it(`keeps you on the same ${shownLesson ? 'lesson' : 'page'}`, async () => {
    const path = shownLesson ? `/lessons/${shownLesson.id}` : '/article/flaws';
    const { page } = await open(path);
    try {
      await page.locator('.VPNavBarTranslations button').hover();
      await page.locator('.VPNavBarTranslations a', { hasText: '简体中文' }).click();
      await page.waitForURL(`**/zh-CN${path}`);
      // The router changes the URL before it renders the new page and sets <html lang>.
      await expect.poll(() => page.locator('html').getAttribute('lang'), { timeout: 10_000 }).toBe('zh-CN');
      await page.locator('.VPNavBarTranslations button').hover();
      await page.locator('.VPNavBarTranslations a', { hasText: 'English' }).click();
      await page.waitForURL((u) => u.pathname === path);
    } finally {
      await page.close();
    }
  });
});

describe('a TODO’s solution', () => {
  for (const prefix of ['', '/zh-CN']) {
    it(`is folded until "show solution" is clicked (${prefix || 'en'})`, async () => {
      // The "how grading works" page shows lesson 1's first TODO; lesson pages show theirs.
      const path = shownLesson ? `${prefix}/lessons/${shownLesson.id}` : `${prefix}/start/grading`;
      const { page } = await open(path);
      try {
        const todo = page.locator('.nlab-todo').first();
        const solution = todo.locator('details.nlab-solution div[class*="language-"]');
        await expect(todo.locator('div[class*="language-"]').first().isVisible()).resolves.toBe(true);
        await expect(solution.isVisible()).resolves.toBe(false);
        await todo.locator('details.nlab-solution > summary').click();
        await expect(solution.isVisible()).resolves.toBe(true);
        expect(await solution.locator('.diff.add').count()).toBeGreaterThan(0);
        await todo.locator('details.nlab-solution > summary').click();
        await expect(solution.isVisible()).resolves.toBe(false);
        // Each TODO is a real heading, listed in the outline as "TODO n".
        const id = await todo.locator('h3.nlab-todo-head').getAttribute('id');
        expect(id).toMatch(/^todo-\d+$/);
        const entry = page.locator(`.VPDocAsideOutline a[href="#${id}"]`);
        await expect(entry.textContent()).resolves.toBe(`TODO ${id!.slice(5)}`);
      } finally {
        await page.close();
      }
    });
  }
});

describe('the theme speaks the page’s language', () => {
  for (const [prefix, title, home] of [['', 'PAGE NOT FOUND', 'Take me home'], ['/zh-CN', '页面未找到', '回到首页']] as const) {
    it(`a missing page under ${prefix || '/'} shows the 404 page in its language`, async () => {
      const page = await context.newPage();
      try {
        const res = await page.goto(`${site.url}${prefix}/no-such-page`, { waitUntil: 'networkidle' });
        expect(res?.status()).toBe(404);
        await page.waitForSelector('.NotFound');
        await expect(page.locator('.NotFound .title').textContent()).resolves.toBe(title);
        await expect(page.locator('.NotFound .link').textContent()).resolves.toContain(home);
        await expect(page.locator('.NotFound .link').getAttribute('href')).resolves.toBe(`${prefix}/`);
      } finally {
        await page.close();
      }
    });
  }

  it('a zh-CN lesson shows its TODOs, copy buttons and theme labels in Chinese, also after switching language in the page', async () => {
    const path = shownLesson ? `/lessons/${shownLesson.id}` : '/start/grading';
    const { page } = await open(path);
    try {
      await expect(page.locator('[aria-label="toggle section"]').count()).resolves.toBeGreaterThan(0);
      // The language menu navigates inside the app: the nav bar and sidebar stay mounted.
      await page.locator('.VPNavBarTranslations button').hover();
      await page.locator('.VPNavBarTranslations a', { hasText: '简体中文' }).click();
      await page.waitForURL(`**/zh-CN${path}`);
      // The router changes the URL before it renders the new page and sets <html lang>.
      await expect.poll(() => page.locator('html').getAttribute('lang'), { timeout: 10_000 }).toBe('zh-CN');
      await expect.poll(() => page.locator('.nlab-todo-text').first().textContent(), { timeout: 10_000 }).toMatch(/\p{Script=Han}/u);
      const todos = await page.locator('.nlab-todo-text').allTextContents();
      expect(todos.length).toBeGreaterThan(0);
      for (const t of todos) expect(t, 'TODO instruction in Chinese').toMatch(/\p{Script=Han}/u);
      await expect(page.locator('.vp-doc button.copy').first().getAttribute('title')).resolves.toBe('复制代码');
      // The toast shown after copying comes from the theme's CSS, by the page's lang.
      const toast = await page.locator('.vp-doc button.copy').first().evaluate((b) => getComputedStyle(b).getPropertyValue('--vp-code-copy-copied-text-content'));
      expect(toast.trim().replace(/^['"]|['"]$/g, '')).toBe('已复制');
      await expect(page.locator('[aria-label="toggle section"]').count()).resolves.toBe(0);
      await expect(page.locator('[aria-label="展开或折叠本节"]').count()).resolves.toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });
});

describe('screenshots (test-artifacts/screenshots/)', () => {
  const targets: [string, string][] = [
    ['home', '/'],
    ['home-zh-CN', '/zh-CN/'],
    [shownLesson?.id ?? 'article-flaws', shownLesson ? `/lessons/${shownLesson.id}` : '/article/flaws'],
    ...(shownLesson ? [[`${shownLesson.id}-zh-CN`, `/zh-CN/lessons/${shownLesson.id}`] as [string, string]] : []),
  ];
  const viewports = { laptop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
  for (const [name, path] of targets) {
    for (const [vp, size] of Object.entries(viewports)) {
      for (const scheme of ['light', 'dark'] as const) {
        it(`${name} ${vp} ${scheme}`, async () => {
          mkdirSync(SHOTS, { recursive: true });
          const page = await context.newPage();
          try {
            await page.setViewportSize(size);
            await page.emulateMedia({ colorScheme: scheme });
            await open(path, page);
            await page.evaluate((s) => localStorage.setItem('vitepress-theme-appearance', s), scheme);
            await page.reload({ waitUntil: 'networkidle' });
            expect(await page.locator('html').evaluate((h) => h.classList.contains('dark'))).toBe(scheme === 'dark');
            // On a lesson page, open the first solution so the screenshot shows it.
            const summary = page.locator('details.nlab-solution > summary').first();
            if (await summary.count()) await summary.click();
            await page.screenshot({ path: join(SHOTS, `${name}-${vp}-${scheme}.png`), fullPage: false });
          } finally {
            await page.close();
          }
        });
      }
    }
  }
});
