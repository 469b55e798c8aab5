// Hint links in the terminal report: the section on the local site, the built page, or the
// address docs:dev serves; and the probe that tells a VitePress server from anything else.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findDocsSite, isVitepress } from '../src/report/docs-site.js';
import { docsLocale, hintUrl, sitePath } from '../src/report/hint-link.js';
import { formatCheck } from '../src/report/human.js';
import type { CheckReport } from '../src/report/types.js';

const LINK = 'docs/lessons/lesson-3.md#check-answer-header';

describe('hintUrl', () => {
  it('points at the section on a running site, in the student\'s language', () => {
    expect(hintUrl(LINK, { kind: 'server', origin: 'http://localhost:5173' })).toBe('http://localhost:5173/lessons/lesson-3#check-answer-header');
    expect(hintUrl(LINK, { kind: 'server', origin: 'http://localhost:4173' }, 'zh-CN')).toBe('http://localhost:4173/zh-CN/lessons/lesson-3#check-answer-header');
  });

  it('points at the built page as a file URL, or says what serves the address', () => {
    expect(hintUrl(LINK, { kind: 'built', dist: '/repo/docs/.vitepress/dist' })).toBe('file:///repo/docs/.vitepress/dist/lessons/lesson-3.html#check-answer-header');
    expect(hintUrl(LINK, { kind: 'none', origin: 'http://localhost:5173' })).toBe('http://localhost:5173/lessons/lesson-3#check-answer-header (npm run docs:dev serves it)');
  });

  it('leaves a link that is no docs page alone', () => {
    expect(sitePath('https://example.org/x')).toBeUndefined();
    expect(hintUrl('https://example.org/x', { kind: 'server', origin: 'http://localhost:5173' })).toBe('https://example.org/x');
  });

  it('reads the language from LC_ALL, LC_MESSAGES or LANG', () => {
    expect(docsLocale({ LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(docsLocale({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(docsLocale({})).toBe('en');
  });

  it('is what the report prints after the hint', () => {
    const c: CheckReport = { id: 'answer-header', title: 'The answer\'s header is sane', side: 'kernel', points: 2, status: 'fail', message: 'bad seq', hint: 'Use the request\'s seq.', hintLink: LINK, notes: [], durationMs: 5, runs: [] };
    const out = formatCheck(c, false, (l) => hintUrl(l, { kind: 'server', origin: 'http://localhost:5173' }));
    expect(out.replace(/\x1b\[[0-9;]*m/g, '')).toContain('hint: Use the request\'s seq. → http://localhost:5173/lessons/lesson-3#check-answer-header');
  });
});

describe('findDocsSite', () => {
  const servers: Server[] = [];
  async function serve(html: string): Promise<string> {
    const s = createServer((_, res) => res.end(html));
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }
  afterAll(() => servers.forEach((s) => s.close()));

  it('takes a VitePress server, and not another one', async () => {
    const vp = await serve('<!DOCTYPE html><html><head><script type="module" src="/@fs/x/node_modules/vitepress/dist/client/app/index.js"></script></head><body><div id="app"></div></body></html>');
    const other = await serve('<html><body>some other app</body></html>');
    expect(await isVitepress(vp)).toBe(true);
    expect(await isVitepress(other)).toBe(false);
    expect(await findDocsSite({ NETLINK_LAB_DOCS_URL: `${vp}/` }, '/nonexistent')).toEqual({ kind: 'server', origin: vp });
    expect(await findDocsSite({ NETLINK_LAB_DOCS_URL: other }, '/nonexistent')).toEqual({ kind: 'none', origin: other });
  });

  it('falls back to the built site quickly when nothing answers', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'nlab-dist-'));
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<html></html>');
    const started = performance.now();
    // Port 9 (discard) on localhost: nothing listens there.
    expect(await findDocsSite({ NETLINK_LAB_DOCS_URL: 'http://127.0.0.1:9' }, dist)).toEqual({ kind: 'built', dist });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
