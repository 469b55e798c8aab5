// Client runs without waiting for node to start: spare node processes (client-spare.js) are
// kept started, and a run that needs a plain `node CLIENT ARGS` takes one.
// It is a real process, so exit codes, signals, crashes, hangs and output are what a fresh
// `node CLIENT` gives; runs under a wrapper command, or with variables that node reads at
// start-up (NODE_OPTIONS, …), are spawned fresh instead.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

type Spare = ChildProcessByStdio<null, Readable, Readable>;

/** The pipe on the spare's fd 3, where its order goes. */
const orderPipe = (p: Spare) => (p.stdio as unknown as [null, Readable, Readable, Writable])[3];

const SPARE = fileURLToPath(new URL('./client-spare.js', import.meta.url));
/** At most this many wait at once: each is a node process of some 40 MB in a 1 GiB guest. */
const MAX_SPARES = 3;
let spares: Spare[] = [];
/** Spares taken since the runner last asked for spares: what the next request will likely need. */
let taken = 0;

function start(): Spare {
  const p = spawn(process.execPath, [SPARE], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] }) as unknown as Spare;
  p.on('error', () => {});
  p.on('exit', () => void (spares = spares.filter((s) => s !== p)));
  return p;
}

/**
 * Starts spares until `n` wait (at least one, at most MAX_SPARES). The runner calls it
 * when a request has clients to run, and after a request with as many as that request
 * took: started while the guest waits for the next grade, they cost a re-grade nothing.
 */
export function keepSpares(n = 1): void {
  const want = Math.min(MAX_SPARES, Math.max(1, n));
  while (spares.length < want) spares.push(start());
}

/** How many spares were taken since the last call: the runner sizes the pool from it. */
export function sparesTaken(): number {
  const n = taken;
  taken = 0;
  return n;
}

/** Ends the waiting spares: the runner calls it before it exits, which a live child would prevent. */
export function dropSpares(): void {
  for (const p of spares) p.kill('SIGKILL');
  spares = [];
}

/** Whether a run can use a spare: no wrapper, and nothing node reads before it runs a program. */
export function spareFits(wrap: readonly string[] | undefined, env: Record<string, string> | undefined): boolean {
  return !wrap?.length && !Object.keys(env ?? {}).some((k) => k.startsWith('NODE_') || k.startsWith('UV_'));
}

/** A started node process now running `path` with `args` and `env` added; undefined when there is no spare. */
export function takeSpare(path: string, args: readonly string[], env: Record<string, string>): Spare | undefined {
  const p = spares.shift();
  if (!p || p.exitCode !== null || p.signalCode !== null) return undefined;
  taken++;
  orderPipe(p).on('error', () => {}).end(JSON.stringify({ path, args, env }));
  // Never leave a request without one: its next client would wait for node to start.
  if (spares.length === 0) setImmediate(() => keepSpares(1));
  return p;
}
