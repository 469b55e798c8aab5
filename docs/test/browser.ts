// Debian's chromium through playwright-core, for the site's browser tests: one persistent
// context per test file, pages opened against the built site served by helpers.serve().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { serve } from './helpers.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

export interface SiteBrowser {
  url: string;
  context: BrowserContext;
  /**
   * Opens a site path (e.g. /lessons/lesson-3) and waits for the app to render. With a colour
   * scheme the page follows it as the system's preference (the theme's 'auto' appearance).
   */
  open(path: string, size?: { width: number; height: number }, colorScheme?: 'light' | 'dark'): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Waits until the page is what a reader sees: Vue has hydrated the server-rendered HTML (the
 * app is mounted on #app, so clicks reach their handlers) and the web fonts are in (layout and
 * contrast measure text). Cheaper than 'networkidle', which always idles another 500 ms.
 */
export async function appReady(page: Page): Promise<void> {
  await page.waitForFunction(() => Boolean((document.querySelector('#app') as { __vue_app__?: unknown } | null)?.__vue_app__));
  await page.waitForSelector('#app .Layout');
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

export async function startSiteBrowser(): Promise<SiteBrowser> {
  const site = await serve();
  const profile = mkdtempSync(join(tmpdir(), 'nlab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 800 } });
  return {
    url: site.url,
    context,
    async open(path, size, colorScheme) {
      const page = await context.newPage();
      if (size) await page.setViewportSize(size);
      if (colorScheme) await page.emulateMedia({ colorScheme });
      const res = await page.goto(site.url + path, { waitUntil: 'load' });
      if (res?.status() !== 200) throw new Error(`${path}: HTTP ${res?.status()}`);
      await appReady(page);
      return page;
    },
    async close() {
      await context.close();
      await site.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The site browser of one test file: started before its first test, closed after its last.
 * Call it at the top of the file; the handle works from the first test on.
 */
export function siteBrowserForFile(): SiteBrowser {
  let started: SiteBrowser | undefined;
  beforeAll(async () => {
    started = await startSiteBrowser();
  });
  afterAll(async () => {
    await started?.close();
  });
  const live = (): SiteBrowser => {
    if (!started) throw new Error('the site browser starts in beforeAll; use it inside a test');
    return started;
  };
  return {
    get url() {
      return live().url;
    },
    get context() {
      return live().context;
    },
    open: (path, size, colorScheme) => live().open(path, size, colorScheme),
    close: async () => {},
  };
}
