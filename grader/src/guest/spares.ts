// Client runs without waiting for node to start: one spare node process (client-spare.js) is
// kept started, and a run that needs a plain `node CLIENT ARGS` takes it and starts the next.
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
let spare: Spare | undefined;

function start(): Spare {
  const p = spawn(process.execPath, [SPARE], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] }) as unknown as Spare;
  p.on('error', () => {});
  p.on('exit', () => {
    if (spare === p) spare = undefined;
  });
  return p;
}

/** Starts a spare if none waits (the runner calls it when a request has clients to run). */
export function keepSpare(): void {
  spare ??= start();
}

/** Ends the waiting spare, if any: the runner calls it before it exits, which a live child would prevent. */
export function dropSpare(): void {
  spare?.kill('SIGKILL');
  spare = undefined;
}

/** Whether a run can use a spare: no wrapper, and nothing node reads before it runs a program. */
export function spareFits(wrap: readonly string[] | undefined, env: Record<string, string> | undefined): boolean {
  return !wrap?.length && !Object.keys(env ?? {}).some((k) => k.startsWith('NODE_') || k.startsWith('UV_'));
}

/** A started node process now running `path` with `args` and `env` added; undefined when there is no spare. */
export function takeSpare(path: string, args: readonly string[], env: Record<string, string>): Spare | undefined {
  const p = spare;
  spare = undefined;
  if (!p || p.exitCode !== null || p.signalCode !== null) return undefined;
  orderPipe(p).on('error', () => {}).end(JSON.stringify({ path, args, env }));
  setImmediate(keepSpare);
  return p;
}
