// The API a lesson's checks.ts programs against. Checks run inside the guest, one at a time,
// each followed by the grader's health gate. Import it as `netlink-lab/grader`.

import { fileURLToPath } from 'node:url';
import type { GenlFamily } from 'netlink-lab/client';
import { GUEST_HOST_ROOT } from '../../kernel/src/in-guest.js';
import { CheckFailed, ensure, moduleLog } from './check-basics.js';
import type { ClientRun, ProcNetlinkSocket, RawExchange, ReceivedDatagram } from './check-types.js';
import type { LessonFuzz } from './lesson/schema.js';

export type { ClientRun, DecodedMessage, ProcNetlinkSocket, RawExchange, ReceivedDatagram } from './check-types.js';
export { CheckFailed, ensure, isCheckFailed, moduleLog, type Evidence } from './check-basics.js';
export { ackForReport, decodeForReport, flagNames } from './decode-report.js';
export type { ReportedAck, ReportedMessage, ReportNames } from './decode-report.js';
export { bytes, int, pick, prng, seeded, type Random, type Rng } from './fuzz/prng.js';
export { comparePolicies, policyDiff, showPolicy, type DeclaredAttr, type DeclaredPolicy } from './policy-check.js';
export { compareFamilyWithSpec, specFamily, SpecModelError, type SpecFamily } from './spec-family.js';
export { clientJson, clientSpec, ensureWatchAgrees, ensureYnlAgrees, findYnl, groupJoined, programNotes, runProgram, ynlJson, ynlSubscribe, YNL_TIMEOUT_MS } from './ynl-checks.js';
export type { ProgramRun, YnlSubscriber, YnlTools } from './ynl-checks.js';

/** Whose code a run of a check exercises. */
export type Origin = 'student' | 'reference';

/** The module under test for this run, and how to load it. */
export interface ModuleHandle {
  origin: Origin;
  /** Module name as in /proc/modules. */
  name: string;
  /** Path of the built .ko. */
  path: string;
}

/** The client under test for this run. */
export interface ClientHandle {
  origin: Origin;
  /** Path of the compiled entry point (.js). */
  path: string;
}

/** How {@link CheckContext.socket} opens a socket; what is not given is the client library's default. */
export interface CheckSocketOptions {
  /** The netlink unit; default the lesson's (NETLINK_GENERIC for a family lesson). */
  unit?: number;
  /** Port id to bind; default 0 (the kernel picks one). */
  port?: number;
  extendedAck?: boolean;
  capAck?: boolean;
  strictCheck?: boolean;
  receiveBufferSize?: number;
}

/**
 * A reference socket a check crafts raw datagrams on, closed by the grader when the check
 * ends (pass, fail or timeout) if the check did not close it first.
 */
export interface CheckSocket {
  readonly port: number;
  /** Sends raw bytes (to the kernel unless `to.port` says otherwise); the errno code when the send is refused. */
  send(datagram: Buffer, to?: { port?: number }): string | undefined;
  /** The next datagram, waiting up to `timeoutMs` (default 1000); rejects when none comes. */
  receive(timeoutMs?: number): Promise<ReceivedDatagram>;
  /** What is queued and what arrives within `timeoutMs` (default 1000; 0: only what is queued), stopping early after `count` datagrams (default all). */
  collect(timeoutMs?: number, count?: number): Promise<ReceivedDatagram[]>;
  /** Sends `datagram` and collects the answers, as {@link CheckContext.exchange} does but on this socket. */
  exchange(datagram: Buffer, opts?: { timeoutMs?: number; count?: number; to?: { port?: number } }): Promise<RawExchange>;
  /** Drops what is queued now, without waiting or decoding; how many datagrams. Throws as a receive does (ENOBUFS after an overflow). */
  discard(): number;
  joinGroup(group: number): void;
  close(): void;
}

/** A program a check started and reads while it runs ({@link CheckContext.start}, {@link CheckContext.startClient}). */
export interface RunningProgram {
  /** The command line as started. */
  readonly argv: string[];
  readonly pid: number | undefined;
  /** Resolves when it has ended: exit, output, and the netlink trace for a client. */
  readonly done: Promise<ClientRun>;
  stdout(): string;
  stderr(): string;
  /** Exit code, null while it runs or when a signal ended it. */
  exitCode(): number | null;
  /** Waits until `test` holds (a RegExp is tried on stdout and stderr), the program ends, or `timeoutMs` passes; says whether it held. */
  waitFor(test: RegExp | (() => boolean), timeoutMs: number): Promise<boolean>;
  /** Sends a signal (e.g. SIGSTOP and SIGCONT to freeze it). */
  signal(sig: NodeJS.Signals): void;
  /** Kills it (SIGKILL) unless it ended, and waits until it is gone; the grader also does this when the check ends. */
  stop(): Promise<void>;
  /** Evidence lines: how it ended (or that it runs), stdout (first `stdoutLines` lines, default 6, each cut at `lineLength`, default 40) and stderr. */
  notes(opts?: { stdoutLines?: number; lineLength?: number }): string[];
}

/** How {@link CheckContext.run}, {@link CheckContext.start} and {@link CheckContext.startClient} start a program. */
export interface RunOptions {
  /** Run under another command, e.g. `['setpriv', '--bounding-set=-all']` or {@link CONTAINER_ROOT}. */
  wrap?: readonly string[];
  /** Killed after this long (default 5000 ms for run; no limit but the check's own for start and startClient). */
  timeoutMs?: number;
  /** Characters of stdout and of stderr kept (default 256 KiB for run, 4 MiB for start and startClient, which may be read while they print a store's worth). */
  maxOutput?: number;
  env?: Record<string, string>;
}

/** What every check gets: the pairing under test plus helpers that talk to the guest kernel. */
export interface CheckContext {
  /** The lesson's id, module and netlink target, and its fuzz seeds when lesson.json has them. */
  lesson: { id: string; module: string; netlink: { unit: number } | { family: string }; fuzz?: LessonFuzz };
  /** The module this run judges (the student's or the reference, per the pairing). */
  module: ModuleHandle;
  /** The client this run judges, when the lesson has one. */
  client: ClientHandle | undefined;
  /** The reference module and client, always available (e.g. to occupy a unit first). */
  reference: { module: ModuleHandle; client: ClientHandle | undefined };

  /** insmod; resolves with the exit code and stderr, never throws for a failed load. */
  insmod(module?: ModuleHandle, params?: string[]): Promise<{ code: number; stderr: string }>;
  /** rmmod by name; resolves with the exit code and stderr. */
  rmmod(name?: string): Promise<{ code: number; stderr: string }>;
  /** Names of loaded modules (/proc/modules). */
  loadedModules(): Promise<string[]>;
  /** Kernel log lines since this check began (printk text, no timestamps). */
  kernelLog(): Promise<string[]>;
  /** Waits until a kernel log line matches `re` (since this check began), or times out. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string | undefined>;
  /** Sockets listed in /proc/net/netlink. */
  netlinkSockets(): Promise<ProcNetlinkSocket[]>;
  /**
   * How many objects a loaded module (default: the one under test) has allocated and not
   * freed, from the kernel's allocation owner records (slub_debug=U), or undefined where the
   * kernel keeps none. A check can count a network namespace's store with it.
   */
  liveObjects(module?: string): number | undefined;
  /** Runs a client with a timeout; output is captured (capped), never printed. */
  /** `wrap` runs the client under another command, e.g. `['setpriv', '--bounding-set=-all']`. */
  runClient(client?: ClientHandle, opts?: { args?: string[]; timeoutMs?: number; env?: Record<string, string>; wrap?: string[] }): Promise<ClientRun>;
  /**
   * Sends `datagram` (raw bytes, crafted as the check likes) from a fresh reference socket
   * on the lesson's unit (NETLINK_GENERIC for a family lesson) and collects what comes back:
   * up to `count` datagrams (default 1; `Infinity` to see everything) within `timeoutMs`
   * (default 1000). The socket asks for extended and capped ACKs only when told to.
   */
  exchange(
    datagram: Buffer,
    opts?: { timeoutMs?: number; bindPort?: number; count?: number; extendedAck?: boolean; capAck?: boolean },
  ): Promise<RawExchange>;
  /** A reference socket for several datagrams (see {@link CheckSocket}); the unit's kernel socket must exist. */
  socket(opts?: CheckSocketOptions): CheckSocket;
  /** Starts the client (default the one under test) with `args` and returns at once, to read it while it runs. */
  startClient(args: string[], opts?: RunOptions & { client?: ClientHandle }): RunningProgram;
  /** Starts any program and returns at once; killed when the check ends. */
  start(argv: readonly string[], opts?: RunOptions): RunningProgram;
  /** Runs any program to its end (or the timeout), output captured and capped as for runClient. */
  run(argv: readonly string[], opts?: RunOptions): Promise<ClientRun>;
  /**
   * The lesson's generic netlink family as nlctrl reports it now (id, ops, groups); the
   * check fails with a clear message when it is not registered. Family lessons only.
   */
  family(): Promise<GenlFamily>;
  /** Records a line of evidence shown with the result even when the check passes (e.g. counts). */
  note(line: string): void;
}

/** One check's code. */
export type CheckFn = (t: CheckContext) => Promise<void>;

/** A lesson's checks.ts default export: a function per check id in lesson.json. */
export type CheckSet = Record<string, CheckFn>;

/** Identity helper that gives a lesson's checks their types. */
export function defineChecks<T extends CheckSet>(checks: T): T {
  return checks;
}

/** insmod that must succeed: otherwise the check fails with the exit status, stderr and the module's log. */
export async function loadModule(t: CheckContext, module: ModuleHandle = t.module, params: string[] = []): Promise<void> {
  const r = await t.insmod(module, params);
  if (r.code === 0) return;
  throw new CheckFailed(`insmod ${module.name} failed`, {
    expected: 'exit status 0',
    actual: `exit status ${r.code}: ${r.stderr}`,
    notes: await moduleLog(t, module),
  });
}

/**
 * Loads the module (it must load; see {@link loadModule}) and returns its generic netlink
 * family as nlctrl reports it (the check fails when it is not registered). Family lessons only.
 */
export async function loadFamily(t: CheckContext, module: ModuleHandle = t.module, params: string[] = []): Promise<GenlFamily> {
  await loadModule(t, module, params);
  return t.family();
}

/** How {@link runNotes} shows a client run. Every limit is optional; without one, all is shown. */
export interface RunNotesOptions {
  /** The arguments the client ran with, shown as `node main.js ARGS`; without them the line says "the client". */
  args?: string[];
  /** Arguments longer than this many characters are shown as their first 4 and their length. */
  maxArgLength?: number;
  /** Show only this many lines of stdout, on one line, with the number of lines. */
  stdoutLines?: number;
  /** Show only this many lines of stderr. */
  stderrLines?: number;
}

/** Evidence lines for a client run: the command and how it ended, then its stdout and stderr. */
export function runNotes(run: ClientRun, opts: RunNotesOptions = {}): string[] {
  const max = opts.maxArgLength;
  const args = opts.args?.map((a) => (max !== undefined && a.length > max ? `${a.slice(0, 4)}...(${a.length} chars)` : a));
  const who = args ? ['node main.js', ...args].join(' ') : 'the client';
  let stdout = run.stdout.trim() || '(none)';
  if (opts.stdoutLines !== undefined && run.stdout.trim()) {
    const lines = run.stdout.trim().split('\n');
    stdout = `${lines.length} lines: ${lines.slice(0, opts.stdoutLines).join(' | ')}${lines.length > opts.stdoutLines ? ' | …' : ''}`;
  }
  const stderr = run.stderr.trim().split('\n').slice(0, opts.stderrLines).join('\n') || '(none)';
  return [
    `${who} exited ${run.timedOut ? 'by the timeout' : (run.code ?? run.signal)} after ${Math.round(run.durationMs)} ms${run.truncated ? ' (output capped)' : ''}`,
    `stdout: ${stdout}`,
    `stderr: ${stderr}`,
  ];
}

/**
 * A `wrap` (for {@link CheckContext.runClient}, or to exec a command) that runs it as a
 * container's root: uid 0 of a new user namespace that owns a new network namespace. Checks run
 * chrooted into the host's root, and the kernel refuses a user namespace to a chrooted process
 * (EPERM), so the wrap takes PID 1's root first, unshares there with the initramfs's busybox,
 * and chroots back into the host's root inside the new namespaces.
 */
export const CONTAINER_ROOT: readonly string[] = ['nsenter', '--target', '1', '--root', '/bin/busybox', 'unshare', '-r', '-n', '/bin/busybox', 'chroot', GUEST_HOST_ROOT];

/**
 * The functions of the common checks the loader adds to every lesson (lesson/common-checks.ts):
 * the guest runs these when a lesson's checks.ts does not define its own.
 */
export const commonChecks = {
  /** insmod succeeds and the module is listed in /proc/modules. */
  async loads(t: CheckContext): Promise<void> {
    await loadModule(t);
    const loaded = await t.loadedModules();
    ensure(loaded.includes(t.module.name), `${t.module.name} is not in /proc/modules after insmod`, { expected: t.module.name, actual: loaded });
  },
} satisfies CheckSet;

/**
 * Programs a check loads into the client before main.js (`NODE_OPTIONS: --import PATH`):
 * `noNul` sends every text payload without its NUL; `holdPid` binds a socket on unit
 * $LAB_HOLD_UNIT to the client's process id first; `forge` records the client's sends and
 * may forge one answer (its environment variables are described in fixtures/preload-forge.ts).
 */
export const PRELOAD = {
  forge: fileURLToPath(new URL('./fixtures/preload-forge.js', import.meta.url)),
  noNul: fileURLToPath(new URL('./fixtures/preload-no-nul.js', import.meta.url)),
  holdPid: fileURLToPath(new URL('./fixtures/preload-hold-pid.js', import.meta.url)),
} as const;
