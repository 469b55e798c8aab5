// Where the one shared warm guest lives between `npm run grade` invocations: its daemon's
// pid and socket. `npm run lab -- down` stops it from here; the grader attaches through it.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './common/lock.js';
import { LAB_STATE } from './common/paths.js';

/** NETLINK_LAB_SHARED_GUEST moves the slot (tests use their own, so a learner's guest is left alone). */
export const SHARED_GUEST_DIR = process.env.NETLINK_LAB_SHARED_GUEST ?? join(LAB_STATE, 'shared-guest');
export const SHARED_GUEST_PID = join(SHARED_GUEST_DIR, 'daemon.pid');
export const SHARED_GUEST_LOG = join(SHARED_GUEST_DIR, 'daemon.log');
/** What the daemon's command line holds, so a recycled pid is never taken for it. */
export const SHARED_GUEST_MARK = 'shared-guest/daemon.js';

/** The daemon's socket; a unix socket path must fit in 108 bytes, so a deep checkout gets one in /tmp. */
export function sharedGuestSocket(): string {
  const inLab = join(SHARED_GUEST_DIR, 'guest.sock');
  if (Buffer.byteLength(inLab) < 100) return inLab;
  return join(tmpdir(), `netlink-lab-${createHash('sha256').update(SHARED_GUEST_DIR).digest('hex').slice(0, 12)}.sock`);
}

export function ensureSharedGuestDir(): void {
  mkdirSync(SHARED_GUEST_DIR, { recursive: true });
}

/** The running daemon's pid, or undefined when there is none (a stale pid file is ignored). */
export function sharedGuestPid(): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(SHARED_GUEST_PID, 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || !processAlive(pid)) return undefined;
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(SHARED_GUEST_MARK)) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

/**
 * Stops the shared guest, if one runs: SIGTERM (its daemon kills QEMU and removes its files),
 * then SIGKILL after `graceMs` (QEMU dies with it through its parent-death signal).
 * Resolves to the pid that was stopped.
 */
export async function stopSharedGuest(graceMs = 10_000): Promise<number | undefined> {
  const pid = sharedGuestPid();
  if (pid === undefined) {
    rmSync(SHARED_GUEST_PID, { force: true });
    return undefined;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(SHARED_GUEST_PID, { force: true });
  rmSync(sharedGuestSocket(), { force: true });
  return pid;
}
