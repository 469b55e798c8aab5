// Programs a check starts: clients and any other command, with output captured and capped, a
// timeout, and the client library's netlink trace; killed when the check ends.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { RunningProgram } from '../check-api.js';
import type { ClientRun } from '../check-types.js';

/** Characters kept of each stream: a run's, and a started program's (read while it prints). */
export const RUN_OUTPUT_CAP = 256 * 1024;
export const STARTED_OUTPUT_CAP = 4 * 1024 * 1024;

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** The trace's counts; the file is removed once read. */
function readTrace(file: string): ClientRun['trace'] {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  rmSync(file, { force: true });
  const options = [...new Set(lines.filter((l) => l.startsWith('option ')).map((l) => l.split(' ')[3]!))];
  return { opened: lines.filter((l) => l.startsWith('open ')).length, closed: lines.filter((l) => l.startsWith('close ')).length, options };
}

/** A started program whose output is captured (each stream capped) while it runs. */
export interface Captured {
  child: Child;
  stdout(): string;
  stderr(): string;
  /** Resolves when it has ended, with how; the trace file (if any) is read then. */
  done: Promise<ClientRun>;
  ended(): boolean;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Captures `child`'s output; kills it after `timeoutMs` (if given). `traceFile` is the
 * LAB_NETLINK_TRACE the program was given, read into the result when it ends.
 */
export function capture(child: Child, timeoutMs: number | undefined, traceFile?: string, cap = RUN_OUTPUT_CAP): Captured {
  const started = performance.now();
  let stdout = '';
  let stderr = '';
  let truncated = false;
  const take = (into: 'out' | 'err') => {
    // One decoder per stream: a character split between two chunks stays whole.
    const decoder = new StringDecoder('utf8');
    return (chunk: Buffer) => {
      const cur = into === 'out' ? stdout : stderr;
      if (cur.length >= cap) return void (truncated = true);
      const text = decoder.write(chunk);
      const add = text.slice(0, cap - cur.length);
      if (add.length < text.length) truncated = true;
      if (into === 'out') stdout += add;
      else stderr += add;
    };
  };
  child.stdout.on('data', take('out'));
  child.stderr.on('data', take('err'));
  let timedOut = false;
  let closed = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs);
  const done = new Promise<ClientRun>((resolve) => {
    // A program that cannot start (ENOENT) says so on stderr, as a shell would.
    child.on('error', (e) => void (stderr += String(e)));
    child.on('close', (code, signal) => {
      closed = true;
      clearTimeout(timer);
      const trace = traceFile ? readTrace(traceFile) : undefined;
      resolve({ code, signal, timedOut, stdout, stderr, truncated, durationMs: performance.now() - started, trace });
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    ended: () => closed || child.exitCode !== null || child.signalCode !== null,
    kill(signal = 'SIGKILL') {
      if (!closed) child.kill(signal);
    },
  };
}

/** Spawns `argv` with `env` added to the runner's, stdin closed. */
export function spawnCaptured(argv: readonly string[], env: Record<string, string>, timeoutMs: number | undefined, traceFile?: string, cap = RUN_OUTPUT_CAP): Captured {
  if (traceFile) rmSync(traceFile, { force: true });
  const [cmd, ...args] = argv;
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  return capture(child, timeoutMs, traceFile, cap);
}

/** The RunningProgram view of a started program; its stop is also registered in `cleanups`. */
export function running(p: Captured, argv: string[], label: string, cleanups: (() => Promise<void> | void)[]): RunningProgram {
  const stop = async (): Promise<void> => {
    if (p.ended()) return void (await p.done);
    p.kill('SIGKILL');
    await p.done;
  };
  cleanups.push(stop);
  return {
    argv,
    pid: p.child.pid,
    done: p.done,
    stdout: p.stdout,
    stderr: p.stderr,
    exitCode: () => p.child.exitCode,
    async waitFor(test, timeoutMs) {
      const holds = typeof test === 'function' ? test : () => test.test(p.stdout()) || test.test(p.stderr());
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (holds()) return true;
        if (p.ended()) return holds();
        await new Promise((r) => setTimeout(r, 25));
      }
      return false;
    },
    signal: (sig) => p.kill(sig),
    stop,
    notes(opts = {}) {
      const n = opts.stdoutLines ?? 6;
      const cut = opts.lineLength ?? 40;
      const c = p.child;
      const lines = p.stdout().trim().split('\n').map((l) => (l.length > cut ? `${l.slice(0, cut)}…` : l));
      return [
        `${label}: ${c.exitCode !== null ? `exited ${c.exitCode}` : c.signalCode ? `killed by ${c.signalCode}` : 'still running'}`,
        `stdout (${lines.length} lines): ${lines.slice(0, n).join(' | ') || '(none)'}${lines.length > n ? ` | … | ${lines.slice(-3).join(' | ')}` : ''}`,
        `stderr: ${p.stderr().trim().split('\n').slice(0, 6).join('\n') || '(none)'}`,
      ];
    },
  };
}
