// The learner's last grades on the site under `npm run docs:dev`, from a planted
// .lab/progress.json (NETLINK_LAB_STATE points the dev server at it): the lessons index lists
// every graded lesson, a lesson page its own, failed checks linked to their sections. The
// static build shows none of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkText, readLesson } from '../.vitepress/lessons.ts';
import { ARGS, CHROMIUM, startSiteBrowser } from './browser.ts';
import { distDir, repoRoot } from './helpers.ts';

const SHOTS = join(repoRoot, 'test-artifacts/screenshots');
const lesson3 = readLesson('lesson-3');
const failedCheck = lesson3.checks.find((c) => c.id !== 'builds' && c.id !== 'loads')!;
const at = '2026-12-06T05:27:41.837Z';
const PROGRESS = {
  'lesson-3': {
    target: 'starter',
    full: { score: 5, total: 11, kernel: '6.12.118+deb12-amd64', at, failed: [failedCheck.id] },
    partial: { score: 0, total: 1, kernel: '6.1.0-57-amd64', at, failed: ['loads'], checks: ['loads'] },
  },
  'lesson-6': { target: 'starter', full: { score: 20, total: 20, kernel: '6.12.118+deb12-amd64', at, failed: [] } },
  // Written by a grader that did not keep failed checks.
  'lesson-1': { target: 'starter', score: 4, total: 6, kernel: '6.1.0-57-amd64', at },
};

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

let state: string;
let dev: ChildProcess;
let origin: string;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'nlab-state-'));
  writeFileSync(join(state, 'progress.json'), JSON.stringify(PROGRESS));
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  dev = spawn(join(repoRoot, 'node_modules/.bin/vitepress'), ['dev', 'docs', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: repoRoot,
    env: { ...process.env, NETLINK_LAB_STATE: state },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (log.includes(String(port))) resolve();
    };
    dev.stdout!.on('data', onData);
    dev.stderr!.on('data', onData);
    dev.on('exit', (code) => reject(new Error(`vitepress dev exited (${code}): ${log}`)));
  });
  profile = mkdtempSync(join(tmpdir(), 'nlab-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 800 } });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (dev?.pid) process.kill(-dev.pid, 'SIGTERM');
  for (const d of [state, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

async function open(path: string) {
  const page = await context.newPage();
  await page.goto(origin + path, { waitUntil: 'load', timeout: 90_000 });
  await page.locator('.nlab-progress').waitFor({ timeout: 90_000 });
  return page;
}

describe('progress under docs:dev', () => {
  it('the lessons index lists each graded lesson: score, failed checks linked to their sections', async () => {
    const page = await open('/lessons/');
    try {
      const box = page.locator('.nlab-progress');
      expect((await box.getAttribute('data-lessons'))?.split(' ')).toEqual(['lesson-1', 'lesson-3', 'lesson-6']);
      const full = box.locator('li[data-lesson="lesson-3"]').first();
      expect(await full.getAttribute('data-score')).toBe('5/11');
      const check = full.locator('a.nlab-progress-check');
      expect(await check.textContent()).toBe(failedCheck.title);
      expect(await check.getAttribute('href')).toBe(`/lessons/lesson-3#check-${failedCheck.id}`);
      expect(await box.locator('li[data-lesson="lesson-6"]').textContent()).toContain('every check passed');
      expect(await box.locator('li[data-lesson="lesson-1"]').textContent()).toContain('did not record which checks failed');
      await box.screenshot({ path: join(SHOTS, 'progress-index.png') });
      // The link leads to the check's section.
      await check.click();
      await page.waitForURL(`**/lessons/lesson-3#check-${failedCheck.id}`);
      await page.locator(`#check-${failedCheck.id}`).waitFor();
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a lesson page shows its own grades, the full one and the partial one after it, in Chinese on zh-CN', async () => {
    const page = await open('/zh-CN/lessons/lesson-3');
    try {
      const box = page.locator('.nlab-progress');
      expect(await box.getAttribute('data-lessons')).toBe('lesson-3');
      expect(await box.locator('li').count()).toBe(2);
      const link = box.locator('a.nlab-progress-check').first();
      expect(await link.textContent()).toBe(checkText('lesson-3', failedCheck, 'zh-CN').title);
      expect(await link.getAttribute('href')).toBe(`#check-${failedCheck.id}`);
      expect(await box.locator('li').nth(1).textContent()).toContain('之后只运行了 loads');
      await page.screenshot({ path: join(SHOTS, 'progress-lesson-3-zh-CN.png') });
    } finally {
      await page.close();
    }
  }, 120_000);
});

describe('progress in the static build', () => {
  it('is absent: no box, no request for it, nothing of it in the bundles', async () => {
    const site = await startSiteBrowser();
    try {
      const page = await site.open('/lessons/lesson-3');
      expect(await page.locator('.nlab-progress').count()).toBe(0);
      await page.close();
    } finally {
      await site.close();
    }
    const assets = join(distDir, 'assets');
    const bundles = readdirSync(assets, { recursive: true }).filter((f) => String(f).endsWith('.js'));
    expect(bundles.filter((f) => readFileSync(join(assets, String(f)), 'utf8').includes('/@nlab/progress.json'))).toEqual([]);
  });
});
