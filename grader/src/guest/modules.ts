// Loading and unloading modules in the guest. The static busybox applets exec much faster
// than kmod's dynamically linked tools under TCG (no shared libraries to fault in over 9p);
// kmod's are the fallback.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));

function tool(name: 'insmod' | 'rmmod'): [string, string[]] {
  return BUSYBOX ? [BUSYBOX, [name]] : [name, []];
}

export interface ToolResult {
  code: number;
  stderr: string;
}

function run(name: 'insmod' | 'rmmod', args: readonly string[]): Promise<ToolResult> {
  const [file, pre] = tool(name);
  return new Promise((resolve) => {
    const p = spawn(file, [...pre, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('error', (e) => resolve({ code: 127, stderr: String(e) }));
    p.on('close', (code) => resolve({ code: code ?? 1, stderr: stderr.trim() }));
  });
}

export const insmod = (path: string, params: readonly string[] = []): Promise<ToolResult> => run('insmod', [path, ...params]);
export const rmmod = (name: string): Promise<ToolResult> => run('rmmod', [name]);

/** Names of the modules in /proc/modules. */
export function loadedModules(): string[] {
  return readFileSync('/proc/modules', 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]!);
}
