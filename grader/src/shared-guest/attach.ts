// The grader's side of the shared warm guest. `openSharedSession()` leases the daemon's guest
// when it was booted for the same kernel and module sources and nobody else uses it; a guest
// booted for anything else is stopped and a new daemon boots one (while the host builds).
// When another grader holds the lease, or no daemon can be had, this grade boots a guest of
// its own, as without sharing: it never waits for, or attaches to, a guest in use.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { ensureSharedGuestDir, type Kernel, moduleSourceHash, REPO_ROOT, SHARED_GUEST_LOG, sharedGuestSocket, type VmRun } from '../../../kernel/src/index.js';
import type { GuestPlan, Job } from '../plan.js';
import { GuestSession, type RequestResult, type Session, type SessionEvents } from '../vm-session.js';
import { receive, send, type FromDaemon, type Hello } from './protocol.js';

const DAEMON = join(REPO_ROOT, 'dist/grader/src/shared-guest/daemon.js');
/** How long a new daemon may take to listen on its socket (node starting on a busy machine). */
const LISTEN_WAIT_MS = 30_000;
/** A daemon that accepted but says nothing for this long is not one to rely on. */
const GREETING_WAIT_MS = 10_000;

/**
 * The code a shared guest runs, fixed when it boots: the runner, the spare client process and
 * the client library they import (dist/bundle), and the daemon itself. A rebuilt grader retires
 * a guest that still runs the old code.
 */
export const SHARED_GUEST_CODE = ['dist/bundle/runner.js', 'dist/bundle/client-spare.js', 'dist/bundle/client.js', 'dist/grader/src/shared-guest/daemon.js'].map((f) => join(REPO_ROOT, f));

/** What a shared guest is good for: one kernel, modules built from these source folders, and this grader's code. */
export function sharedGuestKey(kernel: Kernel, moduleDirs: readonly string[], code: readonly string[] = SHARED_GUEST_CODE): string {
  const h = createHash('sha256').update(kernel.release).update('\0').update(kernel.image).update('\0');
  for (const d of moduleDirs) h.update(d).update('\0').update(moduleSourceHash(d)).update('\0');
  for (const f of code) {
    h.update(f).update('\0');
    try {
      h.update(readFileSync(f));
    } catch {
      h.update('(missing)');
    }
    h.update('\0');
  }
  return h.digest('hex');
}

type OnMessage = (handler: (msg: FromDaemon) => void) => void;
type Attached = { sock: Socket; on: OnMessage; hello: Hello };

function connect(): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const sock = createConnection(sharedGuestSocket());
    sock.once('connect', () => resolve(sock));
    sock.once('error', () => resolve(undefined));
  });
}

/** The daemon's first word on a new connection: hello, or busy (then the socket closes). */
async function greet(sock: Socket | undefined): Promise<Attached | undefined> {
  if (!sock) return undefined;
  const on = receive<FromDaemon>(sock);
  const hello = await new Promise<Hello | undefined>((resolve) => {
    const silent = setTimeout(() => resolve(undefined), GREETING_WAIT_MS);
    const done = (h: Hello | undefined) => (clearTimeout(silent), resolve(h));
    on((m) => done(m.op === 'hello' ? m : undefined));
    sock.once('close', () => done(undefined));
  });
  if (hello) return { sock, on, hello };
  sock.destroy();
  return undefined;
}

function spawnDaemon(kernel: Kernel, key: string): ChildProcess {
  ensureSharedGuestDir();
  const log = openSync(SHARED_GUEST_LOG, 'a');
  const child = spawn(process.execPath, [DAEMON, kernel.selector, key], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  return child;
}

async function connectWithin(ms: number): Promise<Socket | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const sock = await connect();
    if (sock || Date.now() > deadline) return sock;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Stops the daemon on the other end of `a` and waits until it has let go of its guest. */
function retire(a: Attached): Promise<void> {
  return new Promise((resolve) => {
    a.sock.once('close', () => resolve());
    send(a.sock, { op: 'stop' });
  });
}

/** Leases the shared guest for `key`, starting one if needed; undefined when none can be had now. */
async function attach(kernel: Kernel, key: string): Promise<Attached | undefined> {
  const sock = await connect();
  if (sock) {
    const found = await greet(sock);
    if (!found) return undefined; // busy: another grader is using it
    if (found.hello.key === key) return found;
    await retire(found);
  }
  const child = spawnDaemon(kernel, key);
  const fresh = await greet(await connectWithin(LISTEN_WAIT_MS));
  if (fresh?.hello.key === key) return fresh;
  // Two graders raced for the slot and the other's daemon won, or ours never answered: this
  // grade boots its own guest, and a daemon of ours that answers late must not idle with one.
  fresh?.sock.destroy();
  child.kill('SIGTERM');
  return undefined;
}

/** The shared guest, leased over its daemon's socket. */
class SharedSession implements Session {
  readonly kernel: Kernel;
  #link: Promise<Attached | GuestSession>;
  #hello: Hello | undefined;
  #local: GuestSession | undefined;
  #ended: VmRun | undefined;
  #lost = false;

  constructor(kernel: Kernel, key: string) {
    this.kernel = kernel;
    this.#link = attach(kernel, key).then(
      (a) => (a ? this.#adopt(a) : (this.#local = new GuestSession(kernel))),
      () => (this.#local = new GuestSession(kernel)),
    );
  }

  #adopt(a: Attached): Attached {
    this.#hello = a.hello;
    a.sock.on('error', () => {});
    a.sock.once('close', () => (this.#lost = true));
    return a;
  }

  get shareDir(): string {
    return this.#local?.shareDir ?? this.#hello?.shareDir ?? '';
  }

  get reused(): boolean {
    return (this.#hello?.served ?? 0) > 0;
  }

  get alive(): boolean {
    if (this.#local) return this.#local.alive;
    return !this.#ended && !this.#lost;
  }

  async run(plan: GuestPlan, jobs: Job[], events: SessionEvents = {}): Promise<RequestResult> {
    const link = await this.#link;
    if (link instanceof GuestSession) return link.run(plan, jobs, events);
    const byIndex = new Map(jobs.map((j) => [j.index, j]));
    return new Promise((resolve) => {
      const lost = () => resolve({ results: new Map(), fatal: 'the shared guest went away', ms: 0 });
      link.sock.once('close', lost);
      link.on((m) => {
        if (m.op === 'start') events.onJobStart?.(byIndex.get(m.job)!);
        else if (m.op === 'end') events.onJobEnd?.(byIndex.get(m.job)!, m.result);
        else if (m.op === 'line') events.onGuestLine?.(m.line);
        else if (m.op === 'error') resolve({ results: new Map(), fatal: m.message, ms: 0 });
        else if (m.op === 'result') {
          link.sock.off('close', lost);
          if (m.ended) this.#ended = m.ended;
          const { op: _op, results, ...rest } = m;
          resolve({ ...rest, results: new Map(results) });
        }
      });
      send(link.sock, { op: 'run', plan, jobs });
    });
  }

  async #end(op: 'kill' | 'stop'): Promise<VmRun> {
    const link = await this.#link;
    if (link instanceof GuestSession) return op === 'kill' ? link.kill() : link.stop();
    if (this.#ended) return this.#ended;
    return new Promise((resolve) => {
      link.on((m) => {
        if (m.op === 'ended') resolve((this.#ended = m.vm));
      });
      link.sock.once('close', () => resolve(this.#ended ?? goneRun(this.kernel, this.shareDir)));
      send(link.sock, { op });
    });
  }

  stop(): Promise<VmRun> {
    return this.#end('stop');
  }

  kill(): Promise<VmRun> {
    return this.#end('kill');
  }

  /** Hands the guest back to its daemon, which keeps it for the next grade. */
  async release(): Promise<void> {
    const link = await this.#link;
    if (link instanceof GuestSession) return link.release();
    await new Promise<void>((resolve) => {
      if (link.sock.destroyed) return resolve();
      link.sock.once('close', () => resolve());
      link.sock.end();
    });
  }
}

/** A run record for a shared guest whose daemon vanished before saying how its guest ended. */
function goneRun(kernel: Kernel, shareDir: string): VmRun {
  const detail = 'the shared guest\'s daemon went away';
  return { outcome: 'timeout', detail, health: [], accel: 'tcg', accelReason: detail, kernelRelease: kernel.release, timings: { total: 0 }, console: '', shareDir, stdout: '', stderr: '' };
}

/** The shared guest for `key` on `kernel`, or a guest of this grade's own when it cannot be had. */
export function openSharedSession(kernel: Kernel, key: string): Session {
  return new SharedSession(kernel, key);
}
