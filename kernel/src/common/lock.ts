// A lock file beside a build tree, so that two graders (two test workers, two terminals)
// building the same folder take turns instead of writing into one tree at once. The file
// holds its owner's pid; a lock whose owner has died is taken over.

import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const WAIT_STEP_MS = 50;
/** Longer than any build: past this a lock is taken over even if its owner seems alive. */
const GIVE_UP_MS = 10 * 60_000;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `lock` if it is free (or its owner is gone); false while another live process holds it. */
function tryTake(lock: string): boolean {
  mkdirSync(dirname(lock), { recursive: true });
  try {
    const fd = openSync(lock, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let owner = Number.NaN;
  try {
    owner = Number.parseInt(readFileSync(lock, 'utf8'), 10);
  } catch {
    return false; // released between our open and read: try again
  }
  // An empty file is an owner between its open and its write; give it a moment.
  if (Number.isInteger(owner) && owner !== process.pid && !processAlive(owner)) rmSync(lock, { force: true });
  return false;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding `lock` (blocking this thread while it waits: for synchronous work). */
export function withLockSync<T>(lock: string, fn: () => T): T {
  const deadline = Date.now() + GIVE_UP_MS;
  while (!tryTake(lock)) {
    if (Date.now() > deadline) rmSync(lock, { force: true });
    sleepSync(WAIT_STEP_MS);
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Runs `fn` holding `lock`, waiting without blocking the event loop. */
export async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + GIVE_UP_MS;
  while (!tryTake(lock)) {
    if (Date.now() > deadline) rmSync(lock, { force: true });
    await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
