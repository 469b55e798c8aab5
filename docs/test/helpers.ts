// Shared by the site's tests: the built site, served as a static site, and pages of docs/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const docsDir = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const repoRoot = resolve(docsDir, '..');
export const distDir = join(docsDir, '.vitepress/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain',
};

/** The built file a URL maps to, with clean URLs: /lessons/lesson-3 → lessons/lesson-3.html, /zh-CN/ → zh-CN/index.html. */
export function resolveUrl(urlPath: string, root = distDir): string | undefined {
  const path = decodeURIComponent(urlPath.split(/[?#]/)[0]!);
  const rel = normalize(path).replace(/^(\.\.[/\\])+/, '').replace(/^\/+/, '');
  const candidates = rel === '' || rel.endsWith('/') ? [join(rel, 'index.html')] : [rel, `${rel}.html`, join(rel, 'index.html')];
  for (const c of candidates) {
    const file = join(root, c);
    if (!file.startsWith(root)) continue;
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

export async function serve(root = distDir): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const file = resolveUrl(req.url ?? '/', root);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(existsSync(join(root, '404.html')) ? readFileSync(join(root, '404.html')) : 'not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** Every page's markdown file under docs/, relative to it (locale folders included, README and internals not). */
export function pageFiles(dir = docsDir): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      if (name.startsWith('.') || name === 'node_modules' || name === 'test') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.md') && relative(dir, p) !== 'README.md') out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The site URL of a page file: lessons/lesson-3.md → /lessons/lesson-3, zh-CN/index.md → /zh-CN/. */
export const pageUrl = (file: string): string => `/${file.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, '')}`;
