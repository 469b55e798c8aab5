// A lab VM running the grader's runner, which serves one grading request after another.
// A fresh grade uses a session for one request; --watch keeps it warm between saves.
// Every request's modules, clients and checks are copied into the run folder, which the
// guest mounts uncached, so a warm guest never runs a stale build.

import { cpSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { diskFullError, type Kernel, lineWriter, newShareDir, REPO_ROOT, runOnHost, runVm, type VmRun } from '../../kernel/src/index.js';
import type { ClientHandle, ModuleHandle } from './check-api.js';
import { type CheckVerdict, guestEvents, type JobResult } from './guest/protocol.js';
import type { GuestPlan, Job } from './plan.js';

// One bundled file: every module import is several 9p round trips in the guest.
const RUNNER = join(REPO_ROOT, 'dist/bundle/runner.js');
/** How long a warm guest may live, in all: a watch session is re-booted after this. */
const SESSION_LIMIT_MS = 6 * 60 * 60 * 1000;
/** Extra time a check gets beyond its own timeout before the host calls it a hang. */
const HANG_GRACE_MS = 8_000;
/** Time for the guest to boot and the runner to say it is ready (TCG boots take 5–15 s). */
const BOOT_ALLOWANCE_MS = 45_000;
/** How long a guest booted ahead of its first request may take to become ready. */
const IDLE_BOOT_LIMIT_MS = 5 * 60_000;
/** Time from one job's end to the next one's start. */
const BETWEEN_JOBS_MS = 20_000;
/**
 * How long the runner may stay silent after the kernel died in a task (an Oops, a GPF, a
 * BUG_ON) during a check. A task that dies inside a generic netlink handler keeps genl_mutex,
 * and the runner's next family lookup or rmmod waits for it forever: without this the grade
 * would wait out the check's whole timeout. A runner that survives reports well within it.
 */
const AFTER_DIE_MS = 30_000;
/** die()'s header line: "Oops: 0000 [#1] …", "general protection fault …: 0000 [#1] …", "invalid opcode: 0000 [#1] …". */
const DIE_LINE = /: [0-9a-f]{4} \[#\d+\]/;

/** Switches the host passes on to the runner in the guest (for A/B measurements). */
function runnerEnv(): Record<string, string> {
  const v = process.env.NETLINK_LAB_SPARE_CLIENTS;
  return v === undefined ? {} : { NETLINK_LAB_SPARE_CLIENTS: v };
}

export interface SessionEvents {
  onJobStart?: (job: Job) => void;
  onJobEnd?: (job: Job, result: JobResult) => void;
  /** Guest output lines that are not runner events (a check's own logging). */
  onGuestLine?: (line: string) => void;
}

export interface RequestResult {
  results: Map<number, JobResult>;
  /** The job that was running when the guest died. */
  running?: number;
  /** That job's own verdict, when its check had ended and the health gate had not. */
  checked?: CheckVerdict;
  /** The runner itself failed. */
  fatal?: string;
  /** Set when the guest ended during this request (it died, or was stopped). */
  ended?: VmRun;
  ms: number;
}

interface Pending {
  request: number;
  jobs: Map<number, Job>;
  results: Map<number, JobResult>;
  running?: number;
  checked?: CheckVerdict;
  fatal?: string;
  started: number;
  resolve: (r: RequestResult) => void;
  reject: (e: unknown) => void;
}

function stage(plan: GuestPlan, dir: string): GuestPlan {
  mkdirSync(dir, { recursive: true });
  const mod = (m: ModuleHandle): ModuleHandle => {
    const path = join(dir, 'modules', basename(m.path));
    mkdirSync(dirname(path), { recursive: true });
    cpSync(m.path, path);
    return { ...m, path };
  };
  const client = (c: ClientHandle | undefined): ClientHandle | undefined => {
    if (!c) return undefined;
    const to = join(dir, 'clients', c.origin);
    cpSync(dirname(c.path), to, { recursive: true });
    return { ...c, path: join(to, basename(c.path)) };
  };
  const checksDir = join(dir, 'checks');
  cpSync(dirname(plan.checks), checksDir, { recursive: true });
  const clients: GuestPlan['clients'] = {};
  for (const origin of ['student', 'reference'] as const) {
    const c = client(plan.clients[origin]);
    if (c) clients[origin] = c;
  }
  return {
    ...plan,
    checks: join(checksDir, basename(plan.checks)),
    modules: { student: mod(plan.modules.student), reference: mod(plan.modules.reference) },
    clients,
  };
}

/**
 * A guest that serves grading requests: one this process owns (GuestSession), or the shared
 * warm guest that a daemon keeps between grader invocations (shared-guest/attach.ts).
 */
export interface Session {
  readonly kernel: Kernel;
  /** The run folder the guest shares with the host (captures and the console are there). */
  readonly shareDir: string;
  readonly alive: boolean;
  /** True when the guest had already served a grade before this one: no boot was paid for. */
  readonly reused: boolean;
  run(plan: GuestPlan, jobs: Job[], events?: SessionEvents): Promise<RequestResult>;
  /** Ends the guest and waits for QEMU to exit. */
  stop(): Promise<VmRun>;
  /** Kills the guest at once (after a health event: a fresh one will be booted). */
  kill(): Promise<VmRun>;
  /** This grader is done with a healthy guest: an owned one stops, a shared one waits for the next grade. */
  release(): Promise<void>;
}

export class GuestSession implements Session {
  readonly shareDir = newShareDir();
  readonly kernel: Kernel;
  #vm: Promise<VmRun>;
  #ended: VmRun | undefined;
  #requests = 0;
  #pending: Pending | undefined;
  #hang = new AbortController();
  #watchdog: NodeJS.Timeout | undefined;
  /** When the watchdog fires (performance.now() time). */
  #watchdogDue = 0;
  /** The current request's listeners: a warm guest serves grades with listeners of their own. */
  #events: SessionEvents = {};
  #ready = false;
  /** QEMU (or the host runner) could not be started at all. */
  #launchError: unknown;

  /**
   * Starts the runner in a guest booted from `kernel`, or, with `host`, straight on this
   * machine's kernel (the host backend: only with the student's explicit consent).
   */
  constructor(kernel: Kernel, host?: { consent: boolean }) {
    this.kernel = kernel;
    const command = [process.execPath, RUNNER, this.shareDir];
    const common = { cwd: REPO_ROOT, timeoutMs: SESSION_LIMIT_MS, stdout: this.#parser(), signal: this.#hang.signal };
    this.#vm = host
      ? runOnHost(command, { ...common, consent: host.consent })
      : runVm({ ...common, kernel, command, shareDir: this.shareDir, env: runnerEnv(), console: lineWriter((line) => this.#onConsole(line)) });
    this.#vm.then(
      (vm) => this.#onEnd(vm),
      (e: unknown) => this.#onLaunchError(e),
    );
    // The guest may boot while the host builds, and a build on a busy machine starves it:
    // the boot allowance proper starts when the first request waits for the runner.
    this.#arm(IDLE_BOOT_LIMIT_MS, 'the guest did not boot: its runner never became ready');
  }

  readonly reused = false;

  /** True once the runner in the guest has said it is ready. */
  get ready(): boolean {
    return this.#ready;
  }

  async release(): Promise<void> {
    await this.stop();
  }

  /** Resolves when the guest has ended for any reason (undefined if it never started). */
  whenEnded(): Promise<VmRun | undefined> {
    return this.#vm.catch(() => undefined);
  }

  /** False once the guest has ended (stopped, died or killed) or could not start. */
  get alive(): boolean {
    return this.#ended === undefined && this.#launchError === undefined;
  }

  /** Runs `jobs` of `plan` in the guest; resolves when they are done or the guest ends. */
  run(plan: GuestPlan, jobs: Job[], events: SessionEvents = {}): Promise<RequestResult> {
    if (this.#launchError) return Promise.reject(this.#launchError);
    if (this.#ended) return Promise.resolve({ results: new Map(), ended: this.#ended, ms: 0 });
    this.#events = events;
    const request = ++this.#requests;
    const file = join(this.shareDir, `req-${request}.json`);
    try {
      const staged = stage({ ...plan, jobs }, join(this.shareDir, `req-${request}`));
      // Write then appear: the runner polls for the name, so it must never see half a file.
      writeFileSync(`${file}.tmp`, JSON.stringify(staged));
      renameSync(`${file}.tmp`, file);
    } catch (e) {
      this.kill().catch(() => {});
      return Promise.reject(diskFullError(e, this.shareDir) ?? e);
    }
    return new Promise((resolve, reject) => {
      this.#pending = { request, jobs: new Map(jobs.map((j) => [j.index, j])), results: new Map(), started: performance.now(), resolve, reject };
      if (this.#ready) this.#arm(BETWEEN_JOBS_MS, 'the runner did not start the checks');
      else this.#arm(BOOT_ALLOWANCE_MS, 'the guest did not boot: its runner never became ready');
    });
  }

  #onLaunchError(e: unknown): void {
    this.#launchError = e;
    clearTimeout(this.#watchdog);
    const p = this.#pending;
    this.#pending = undefined;
    p?.reject(e);
  }

  /** Ends the guest and waits for QEMU to exit. */
  async stop(): Promise<VmRun> {
    if (!this.#ended) writeFileSync(join(this.shareDir, 'stop'), '');
    const killer = setTimeout(() => this.#hang.abort(new Error('the guest did not stop')), 15_000);
    const vm = await this.#vm;
    clearTimeout(killer);
    return vm;
  }

  /** Kills the guest at once (after a health event: a fresh one will be booted). */
  kill(): Promise<VmRun> {
    this.#hang.abort(new Error('stopped by the grader'));
    return this.#vm;
  }

  #arm(ms: number, why: string): void {
    clearTimeout(this.#watchdog);
    this.#watchdogDue = performance.now() + ms;
    this.#watchdog = setTimeout(() => this.#hang.abort(new Error(why)), ms);
  }

  #finish(extra: Partial<RequestResult> = {}): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = undefined;
    clearTimeout(this.#watchdog);
    p.resolve({
      results: p.results,
      ...(p.running !== undefined ? { running: p.running, ...(p.checked ? { checked: p.checked } : {}) } : {}),
      ...(p.fatal ? { fatal: p.fatal } : {}),
      ms: performance.now() - p.started,
      ...extra,
    });
  }

  #onEnd(vm: VmRun): void {
    this.#ended = vm;
    clearTimeout(this.#watchdog);
    this.#finish({ ended: vm });
  }

  #parser(): Writable {
    return lineWriter((line) => this.#onLine(line));
  }

  /** The guest kernel's console: after a task died in a check, the runner gets AFTER_DIE_MS to say anything. */
  #onConsole(line: string): void {
    const p = this.#pending;
    const job = p?.running !== undefined ? p.jobs.get(p.running) : undefined;
    if (!job || !DIE_LINE.test(line) || this.#watchdogDue - performance.now() <= AFTER_DIE_MS) return;
    this.#arm(AFTER_DIE_MS, `check ${job.check} hung after the kernel's ${line.includes('Oops') ? 'Oops' : 'fault'}`);
  }

  #onLine(line: string): void {
    const ev = guestEvents.parse(line);
    const p = this.#pending;
    if (!ev) {
      if (line.trim()) this.#events.onGuestLine?.(line);
      return;
    }
    if (ev.type === 'ready') {
      this.#ready = true;
      if (p) this.#arm(BETWEEN_JOBS_MS, 'the runner did not start the checks');
      else clearTimeout(this.#watchdog);
      return;
    }
    if (!p) return;
    if (ev.type === 'start') {
      const job = p.jobs.get(ev.job);
      if (!job) return;
      p.running = ev.job;
      p.checked = undefined;
      this.#events.onJobStart?.(job);
      this.#arm(job.timeoutMs + HANG_GRACE_MS, `check ${job.check} hung`);
    } else if (ev.type === 'checked') {
      if (ev.job === p.running) p.checked = ev.verdict;
    } else if (ev.type === 'end') {
      const job = p.jobs.get(ev.job);
      if (!job) return;
      p.running = undefined;
      p.results.set(ev.job, ev.result);
      this.#events.onJobEnd?.(job, ev.result);
      this.#arm(BETWEEN_JOBS_MS, 'the runner stopped answering');
    } else if (ev.type === 'done' && ev.request === p.request) {
      this.#finish();
    } else if (ev.type === 'fatal') {
      p.fatal = ev.message;
      this.#finish();
    }
  }
}
