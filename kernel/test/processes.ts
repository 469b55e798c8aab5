// Process helpers for the tests that prove no QEMU outlives the lab.
import { execFileSync } from 'node:child_process';

/** True while `pid` is a live (not zombie) process. */
export function alive(pid: number): boolean {
  try {
    return !/^Z/.test(execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  } catch {
    return false; // ps exits 1 when there is no such process
  }
}

/** Waits up to `ms` (5 s) for `pid` to be gone. */
export async function gone(pid: number, ms = 5_000): Promise<boolean> {
  for (let i = 0; i < ms / 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

/** QEMU processes whose parent is `ppid`. */
export function qemuChildren(ppid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(ppid), 'qemu-system'], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    return [];
  }
}

/** Waits up to `ms` for `ppid` to have a QEMU child; returns the children seen. */
export async function waitForQemu(ppid: number, ms = 30_000): Promise<number[]> {
  let qemu: number[] = [];
  for (let waited = 0; waited < ms && qemu.length === 0; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    qemu = qemuChildren(ppid);
  }
  return qemu;
}
