// Finds the local tutorial site for hint links: a VitePress server on the dev or preview
// port (one short HTTP probe each, in parallel), else the built site, else nothing.

import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../kernel/src/index.js';
import type { DocsSite } from './hint-link.js';

/** `vitepress dev`'s and `vitepress preview`'s default ports; NETLINK_LAB_DOCS_URL names another server. */
const DEV_ORIGIN = 'http://localhost:5173';
const CANDIDATES = [DEV_ORIGIN, 'http://localhost:4173'];
const PROBE_MS = 300;

/** Whether a VitePress site answers at `origin` within `timeoutMs` (plain node:http: no fetch to load first). */
export function isVitepress(origin: string, timeoutMs = PROBE_MS): Promise<boolean> {
  return new Promise((resolve) => {
    let body = '';
    const req = get(`${origin}/`, { timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(false);
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 64 * 1024) body += chunk;
      });
      res.on('end', () => resolve(/vitepress|VPContent|__VP_/i.test(body)));
      res.on('error', () => resolve(false));
    });
    // Nothing listening, too slow, or not HTTP.
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    setTimeout(() => {
      req.destroy();
      resolve(false);
    }, timeoutMs).unref();
  });
}

export async function findDocsSite(env: NodeJS.ProcessEnv = process.env, dist = join(REPO_ROOT, 'docs/.vitepress/dist')): Promise<DocsSite> {
  const candidates = env.NETLINK_LAB_DOCS_URL ? [env.NETLINK_LAB_DOCS_URL.replace(/\/+$/, '')] : CANDIDATES;
  const up = await Promise.all(candidates.map((o) => isVitepress(o)));
  const origin = candidates.find((_, i) => up[i]);
  if (origin) return { kind: 'server', origin };
  if (existsSync(join(dist, 'index.html'))) return { kind: 'built', dist };
  return { kind: 'none', origin: env.NETLINK_LAB_DOCS_URL?.replace(/\/+$/, '') ?? DEV_ORIGIN };
}
