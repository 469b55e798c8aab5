// Runs without waiting for an interpreter to start: spare processes are kept started — node
// (client-spare.js) for clients, python3 (python-spare.py) for checks that run the kernel's
// YNL tools — and a run that needs a plain `node CLIENT ARGS` or `python3 SCRIPT ARGS` takes
// one. It is a real process, so exit codes, signals, crashes, hangs and output are what a
// fresh one gives; runs under a wrapper command, or with variables the interpreter reads at
// start-up (NODE_OPTIONS, PYTHONPATH, …), are spawned fresh instead.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../../kernel/src/in-guest.js';

type Spare = ChildProcessByStdio<null, Readable, Readable>;
export type SpareKind = 'node' | 'python';

/** The pipe on the spare's fd 3, where its order goes. */
const orderPipe = (p: Spare) => (p.stdio as unknown as [null, Readable, Readable, Writable])[3];

interface Pool {
  command: () => [string, string[]];
  /** Variable prefixes the interpreter reads before it runs a program. */
  startupEnv: string[];
  waiting: Spare[];
  /** Spares taken since the runner last asked: what the next request will likely need. */
  taken: number;
}

const POOLS: Record<SpareKind, Pool> = {
  node: {
    command: () => [process.execPath, [fileURLToPath(new URL('./client-spare.js', import.meta.url))]],
    startupEnv: ['NODE_', 'UV_'],
    waiting: [],
    taken: 0,
  },
  python: {
    // Read from the source tree (the runner is a bundle; the guest sees the repository).
    command: () => ['python3', [join(REPO_ROOT, 'grader/src/guest/python-spare.py')]],
    startupEnv: ['PYTHON'],
    waiting: [],
    taken: 0,
  },
};

/** At most this many wait at once per kind: each is a process of some 40 MB in a 1 GiB guest. */
const MAX_SPARES = 3;

/** Nice value of a waiting spare: it starts in whatever CPU time the grade leaves. */
const WAITING_NICE = 19;

function renice(p: Spare, nice: number): void {
  try {
    if (p.pid !== undefined) setPriority(p.pid, nice);
  } catch {
    // not permitted (only root may lower it again): the run keeps the spare's priority
  }
}

function start(pool: Pool): Spare {
  const [cmd, args] = pool.command();
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] }) as unknown as Spare;
  // The guest has one CPU: a spare starting while a check runs would take half of it.
  renice(p, WAITING_NICE);
  p.on('error', () => {});
  p.on('exit', () => void (pool.waiting = pool.waiting.filter((s) => s !== p)));
  return p;
}

/**
 * Starts spares until `n` wait (at most MAX_SPARES). The runner calls it when a request has
 * clients to run, and after a request with as many as that request took: started while
 * the guest waits for the next grade, they cost a re-grade nothing.
 */
export function keepSpares(n = 1, kind: SpareKind = 'node'): void {
  const pool = POOLS[kind];
  const want = Math.min(MAX_SPARES, n);
  while (pool.waiting.length < want) pool.waiting.push(start(pool));
}

/** How many spares of `kind` were taken since the last call: the runner sizes the pool from it. */
export function sparesTaken(kind: SpareKind = 'node'): number {
  const pool = POOLS[kind];
  const n = pool.taken;
  pool.taken = 0;
  return n;
}

/** The pids of the spares of `kind` waiting now. */
export function waitingSpares(kind: SpareKind = 'node'): number[] {
  return POOLS[kind].waiting.flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
}

/** Ends the waiting spares: the runner calls it before it exits, which a live child would prevent. */
export function dropSpares(): void {
  for (const pool of Object.values(POOLS)) {
    for (const p of pool.waiting) p.kill('SIGKILL');
    pool.waiting = [];
  }
}

/** Whether a run can use a spare: no wrapper, and nothing the interpreter reads before it runs a program. */
export function spareFits(wrap: readonly string[] | undefined, env: Record<string, string> | undefined, kind: SpareKind = 'node'): boolean {
  const { startupEnv } = POOLS[kind];
  return !wrap?.length && !Object.keys(env ?? {}).some((k) => startupEnv.some((pre) => k.startsWith(pre)));
}

/**
 * A started process now running `path` with `args` and `env` added; undefined when none
 * waits. A pool is never left empty for long: taking the last spare starts the next when
 * that run ends. Python's pool starts one after its first run, so a lesson that never runs
 * python3 never pays for one.
 */
export function takeSpare(path: string, args: readonly string[], env: Record<string, string>, kind: SpareKind = 'node'): Spare | undefined {
  const pool = POOLS[kind];
  const p = pool.waiting.shift();
  pool.taken++;
  if (!p || p.exitCode !== null || p.signalCode !== null) {
    setImmediate(() => keepSpares(1, kind));
    return undefined;
  }
  // The last one taken: the next starts once this run ends, not beside it on the guest's
  // one CPU (a run that comes before then starts a fresh process, as without spares).
  if (pool.waiting.length === 0) p.once('exit', () => keepSpares(1, kind));
  renice(p, 0);
  orderPipe(p).on('error', () => {}).end(JSON.stringify({ path, args, env }));
  return p;
}
