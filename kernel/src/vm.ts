// Runs one command in a throwaway guest and reports how it ended.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { accelVerdict } from './accel.js';
import { diskFullError } from './common/errors.js';
import { bootImage } from './boot-image.js';
import { scanKernelLog, worstEvent } from './console-scan.js';
import { ensureInitramfs } from './initramfs.js';
import { lineSplitter } from './common/lines.js';
import { processAlive } from './common/lock.js';
import type { Kernel } from './kernels.js';
import type { VmResult, VmTimings } from './outcome.js';
import { RUNS_DIR } from './common/paths.js';
import { SERIAL_FDS, type Accel } from './qemu-args.js';
import { launchQemu } from './qemu-launch.js';
import { pipeOf, type GuardedProcess } from './reaper.js';

export interface VmOptions {
  kernel: Kernel;
  /** argv of the command to run in the guest, through the host's root file system. */
  command: readonly string[];
  /** Working directory in the guest; defaults to this process's. */
  cwd?: string;
  env?: Record<string, string>;
  /**
   * Arguments put right after the program's name when the guest runs under TCG: for the lab's
   * own node programs, `--jitless` (grader/src/node-flags.ts says why).
   */
  tcgArgs?: readonly string[];
  /** Limit for the whole run, boot included. */
  timeoutMs?: number;
  /** Force an accelerator instead of probing. */
  accel?: Accel;
  memoryMiB?: number;
  /** Virtual CPUs; default 1. More make real concurrency in the guest kernel (load tests). */
  cpus?: number;
  /** Where the command's output goes as it arrives; it is also kept in the result. */
  stdout?: Writable;
  stderr?: Writable;
  /** Where the guest kernel's console goes as it arrives; it is also kept in the result. */
  console?: Writable;
  /** Aborting kills the guest; the run's outcome is then `timeout`, with the abort reason. */
  signal?: AbortSignal;
  /** Called with each line of the control channel as it arrives (progress for front ends). */
  onEvent?: (event: string) => void;
  /** Use this run folder (shared read-write with the guest) instead of a new one. */
  shareDir?: string;
}

export interface VmRun extends VmResult {
  stdout: string;
  stderr: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const KEEP_OUTPUT = 1 << 20;

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The command as the guest runs it under `accel`. */
export function commandFor(options: Pick<VmOptions, 'command' | 'tcgArgs'>, accel: Accel): readonly string[] {
  const [program, ...args] = options.command;
  return accel === 'tcg' && options.tcgArgs?.length && program ? [program, ...options.tcgArgs, ...args] : options.command;
}

/** The script the guest runs: the caller's directory, environment and command. */
export function commandScript(command: readonly string[], cwd: string, env: Record<string, string>): string {
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join('');
  return `${exports}cd ${shellQuote(cwd)} || exit 125\nexec ${command.map(shellQuote).join(' ')}\n`;
}

/** Run folders kept for looking back at (each holds a console log and its grade's inputs). */
const KEEP_RUNS = 20;

/** The file in a run folder that names the process using it. */
const OWNER_FILE = '.owner';

/** True when a live process other than this one still uses the run folder (a warm guest). */
function inUse(dir: string): boolean {
  try {
    const pid = Number.parseInt(readFileSync(join(dir, OWNER_FILE), 'utf8'), 10);
    return pid !== process.pid && processAlive(pid);
  } catch {
    return false;
  }
}

/**
 * A new run folder under .lab/runs, shared read-write with the guest. The oldest beyond
 * KEEP_RUNS go, except those another live grader still uses (a warm guest's folder lives
 * for as long as its guest, while other graders make new ones).
 */
export function newShareDir(): string {
  mkdirSync(RUNS_DIR, { recursive: true });
  const old = readdirSync(RUNS_DIR)
    .filter((d) => d.startsWith('run-'))
    .map((d) => ({ path: join(RUNS_DIR, d), mtime: statSync(join(RUNS_DIR, d)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)
    .slice(KEEP_RUNS - 1)
    .filter((d) => !inUse(d.path));
  for (const d of old) rmSync(d.path, { recursive: true, force: true });
  const dir = mkdtempSync(join(RUNS_DIR, 'run-'));
  try {
    writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  } catch (e) {
    throw diskFullError(e, dir) ?? e;
  }
  return dir;
}

function collect(stream: NodeJS.ReadableStream | null | undefined, sink?: Writable) {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on('data', (chunk: Buffer) => {
    sink?.write(chunk);
    if (size < KEEP_OUTPUT) chunks.push(chunk);
    size += chunk.length;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}

interface ControlState {
  events: { line: string; at: number }[];
}

function watchControl(proc: GuardedProcess, onEvent?: (e: string) => void): ControlState {
  const state: ControlState = { events: [] };
  pipeOf(proc, SERIAL_FDS.control).on(
    'data',
    lineSplitter((raw) => {
      const line = raw.trim();
      if (!line) return;
      state.events.push({ line, at: performance.now() });
      onEvent?.(line);
    }),
  );
  return state;
}

function eventAt(state: ControlState, word: string) {
  const e = state.events.find((ev) => ev.line.startsWith(`${word} `));
  return e ? { value: e.line.slice(word.length + 1), at: e.at } : undefined;
}

function timingsFrom(state: ControlState, start: number, end: number): VmTimings {
  const init = eventAt(state, 'init');
  const cmd = eventAt(state, 'cmd');
  const exit = eventAt(state, 'exit');
  const t: VmTimings = { total: end - start };
  if (init) {
    const uptimeMs = Number.parseFloat(init.value) * 1000;
    t.kernelToInit = uptimeMs;
    t.qemuToKernel = Math.max(0, init.at - start - uptimeMs);
  }
  if (init && cmd) t.initToCommand = cmd.at - init.at;
  if (cmd && exit) t.command = exit.at - cmd.at;
  if (exit) t.shutdown = end - exit.at;
  return t;
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Boots `kernel`, runs `command` in it, powers the guest off and says how it went.
 * The command's exit status comes over the control channel, never from console text.
 * The guest is always gone when this returns or throws.
 */
export async function runVm(options: VmOptions): Promise<VmRun> {
  const memoryMiB = options.memoryMiB ?? 1024;
  const { path: initramfs } = await ensureInitramfs(options.kernel);
  const image = await bootImage(options.kernel.image);
  const verdict = options.accel
    ? { accel: options.accel, reason: 'chosen by the caller' }
    : await accelVerdict(options.kernel, image, initramfs);
  const accel = verdict.accel;
  const shareDir = options.shareDir ?? newShareDir();
  const cwd = options.cwd ?? process.cwd();
  try {
    writeFileSync(join(shareDir, 'cmd.sh'), commandScript(commandFor(options, accel), cwd, options.env ?? {}));
  } catch (e) {
    throw diskFullError(e, shareDir) ?? e;
  }

  const start = performance.now();
  const proc = launchQemu({ accel, image, kernel: options.kernel, initramfs, shareDir, memoryMiB, ...(options.cpus ? { cpus: options.cpus } : {}) });
  const consoleText = collect(pipeOf(proc, SERIAL_FDS.console), options.console);
  const stdout = collect(pipeOf(proc, SERIAL_FDS.stdout), options.stdout);
  const stderr = collect(pipeOf(proc, SERIAL_FDS.stderr), options.stderr);
  const qemuErr = collect(proc.stderr);
  const control = watchControl(proc, options.onEvent);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGKILL');
  }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const abort = () => {
    timedOut = true;
    proc.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await proc;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
  }
  const end = performance.now();

  const log = consoleText();
  try {
    writeFileSync(join(shareDir, 'console.log'), log);
  } catch (e) {
    // The console is also in the result; a full disk only loses the saved copy.
    if (!diskFullError(e, shareDir)) throw e;
  }
  const health = scanKernelLog(log);
  const worst = worstEvent(health);
  const exit = eventAt(control, 'exit');
  const fail = eventAt(control, 'fail');
  const base = {
    health,
    accel,
    accelReason: verdict.reason,
    kernelRelease: options.kernel.release,
    timings: timingsFrom(control, start, end),
    console: log,
    shareDir,
    ...(proc.pid !== undefined ? { qemuPid: proc.pid } : {}),
    stdout: stdout(),
    stderr: stderr(),
  };

  if (worst?.kind === 'panic') return { ...base, outcome: 'panic', detail: worst.excerpt };
  if (timedOut) {
    const why = options.signal?.aborted ? String((options.signal.reason as Error)?.message ?? options.signal.reason) : `no result within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`;
    const detail = worst ? worst.excerpt : `${why}; console tail:\n${tail(log, 15)}`;
    return { ...base, outcome: 'timeout', detail };
  }
  if (!exit) {
    const why = fail ? fail.value : (tail(qemuErr(), 5) || 'the guest stopped before running the command');
    return { ...base, outcome: 'boot-failure', detail: `${why}\nconsole tail:\n${tail(log, 20)}` };
  }
  const exitCode = Number.parseInt(exit.value, 10);
  if (worst) return { ...base, outcome: 'oops', exitCode, detail: worst.excerpt };
  return { ...base, outcome: 'exit', exitCode };
}
