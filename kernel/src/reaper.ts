// Makes sure no QEMU outlives the process that started it: on a normal exit, on
// Ctrl-C or SIGTERM, and (through the kernel's parent-death signal) on SIGKILL too.

import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { execa, type ResultPromise } from 'execa';

const GUARDED = {
  stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
  buffer: false,
  reject: false,
  cleanup: true,
  killSignal: 'SIGKILL',
} as const;

/** A child with fds 0–2 plus pipes on 3–6, as `spawnGuarded` starts it. */
export type GuardedProcess = ResultPromise<typeof GUARDED>;

const live = new Set<GuardedProcess>();
let hooked = false;

function killAll(): void {
  for (const p of live) p.kill('SIGKILL');
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(code);
    });
  }
}

// util-linux's setpriv sets PR_SET_PDEATHSIG, so QEMU dies even if we are SIGKILLed.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/**
 * Spawns `file` with fds 0–2 plus four more pipes (3–6), killed with SIGKILL when this
 * process ends for any reason. The promise never rejects on a non-zero exit.
 */
export function spawnGuarded(file: string, args: readonly string[]): GuardedProcess {
  hook();
  const [cmd, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', file, ...args]] : [file, [...args]];
  const proc = execa(cmd, argv, GUARDED);
  live.add(proc);
  const forget = () => live.delete(proc);
  proc.then(forget, forget);
  return proc;
}

/** How many guarded processes are still running (tests use it to prove nothing leaks). */
export function liveCount(): number {
  return live.size;
}

/** The read end of extra pipe `fd` (3–6); execa's typings model only the first five slots. */
export function pipeOf(proc: GuardedProcess, fd: number): Readable {
  const stream = (proc.stdio as readonly unknown[])[fd];
  if (!stream) throw new Error(`no pipe on fd ${fd}`);
  return stream as Readable;
}
