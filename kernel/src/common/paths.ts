// Where the lab keeps its caches and run folders: `.lab/` at the repository root, never in a lesson.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'netlink-lab') return dir;
    if (dirname(dir) === dir) throw new Error(`no netlink-lab package.json above ${from}`);
  }
}

/** The repository root, found from this file whether it runs from src/ or dist/. */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** The lab's own state: caches, build trees and run folders. Override with NETLINK_LAB_STATE. */
export const LAB_STATE = process.env.NETLINK_LAB_STATE ?? join(REPO_ROOT, '.lab');

export const CACHE_DIR = join(LAB_STATE, 'cache');
export const BUILD_DIR = join(LAB_STATE, 'build');
/** Run folders shared with guests; NETLINK_LAB_RUNS moves them (e.g. onto a tmpfs). */
export const RUNS_DIR = process.env.NETLINK_LAB_RUNS ?? join(LAB_STATE, 'runs');

/** True when the system has `tool` in /usr/bin or /usr/sbin (the guest runs the host's root, so this is the guest's too). */
export function hasSystemTool(tool: string): boolean {
  return ['/usr/bin', '/usr/sbin'].some((d) => existsSync(join(d, tool)));
}
