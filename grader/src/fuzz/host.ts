// Runs the fuzzer against lessons' modules in throwaway guests: builds each module, hands
// the guest one plan for all of them, and when a guest dies (panic, hang) reports the
// target that was running and carries on with the rest in a fresh guest.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModule, type Kernel, lineWriter, newShareDir, REPO_ROOT, runVm, type VmRun } from '../../../kernel/src/index.js';
import { gateHealthKind } from '../guest/protocol.js';
import { sideDir } from '../lesson/inherit.js';
import type { Lesson, Target } from '../lesson/load.js';
import { DEFAULT_MESSAGES, DEFAULT_SEED, fuzzEvents, type GuestFuzzResult, type GuestFuzzTarget } from './protocol.js';
import { type FuzzStarted, type ShownDatagram, windowTail } from './window.js';

/** The fuzzer's process in the guest, bundled (package.json's build) so that it starts fast. */
const GUEST = join(REPO_ROOT, 'dist/bundle/fuzz-guest.js');
const PROGRESS_EVERY = 100;
/** Datagrams of the failing window shown in a report. */
const SHOW_LAST = 5;

export class FuzzSetupError extends Error {
  override name = 'FuzzSetupError';
}

export interface FuzzRequest {
  lesson: Lesson;
  target: Target;
}

export interface FuzzReport {
  lesson: string;
  target: Target;
  kernel: string;
  seed: number;
  /** `clean`: every datagram sent, no health event, the module unloaded; `died`: the guest panicked or hung. */
  outcome: 'clean' | 'unhealthy' | 'died';
  result: GuestFuzzResult;
  /** With a fault: the window's last datagrams, regenerated from the seed. */
  lastDatagrams?: ShownDatagram[];
  /** How to replay this run. */
  replay: string;
  /** Wall time of this target in the guest (insmod to rmmod), ms. */
  guestMs: number;
}

async function guestTarget(req: FuzzRequest, kernel: Kernel, seed: number, messages?: number): Promise<GuestFuzzTarget> {
  const { lesson, target } = req;
  if (!lesson.fuzz) throw new FuzzSetupError(`${lesson.id} has no "fuzz" section in lesson.json`);
  const built = await buildModule(sideDir(lesson, target, 'kernel'), kernel);
  const path = built.modules[lesson.module];
  if (!built.ok || !path) throw new FuzzSetupError(`${lesson.id} ${target}: the module does not build`);
  return {
    label: `${lesson.id} ${target}`,
    module: { name: lesson.module, path },
    netlink: lesson.netlink,
    fuzz: lesson.fuzz,
    messages: messages ?? lesson.fuzz.messages ?? DEFAULT_MESSAGES,
    seed,
    every: PROGRESS_EVERY,
  };
}

interface GuestRun {
  ends: Map<number, { result: GuestFuzzResult; ms: number }>;
  started: Map<number, FuzzStarted>;
  /** Datagrams confirmed sent, per target, at its last progress line. */
  progress: Map<number, number>;
  /** The target that was running when the guest ended. */
  running?: number;
  ms: number;
  vm: VmRun;
}

/** One guest for `targets`, in order; it stops after the first unhealthy one or when it dies. */
async function guestRun(kernel: Kernel, targets: GuestFuzzTarget[]): Promise<GuestRun> {
  const shareDir = newShareDir();
  const planFile = join(shareDir, 'fuzz-plan.json');
  writeFileSync(planFile, JSON.stringify({ targets }));
  const run: Omit<GuestRun, 'vm'> = { ends: new Map(), started: new Map(), progress: new Map(), ms: 0 };
  let t0 = performance.now();
  const onLine = (line: string): void => {
    const ev = fuzzEvents.parse(line);
    if (!ev) return;
    if (ev.type === 'start') {
      run.running = ev.target;
      t0 = performance.now();
    } else if (ev.type === 'sending') {
      run.started.set(ev.target, { port: ev.port, ...(ev.family ? { family: ev.family } : {}) });
    } else if (ev.type === 'progress') run.progress.set(ev.target, ev.sent);
    else {
      delete run.running;
      run.ends.set(ev.target, { result: ev.result, ms: performance.now() - t0 });
    }
  };
  const stdout = lineWriter(onLine);
  const budget = targets.reduce((ms, t) => ms + 30_000 + t.messages * 10, 60_000);
  const vm = await runVm({ kernel, command: [process.execPath, GUEST, planFile], cwd: REPO_ROOT, shareDir, stdout, timeoutMs: budget });
  if (run.running !== undefined) run.ms = performance.now() - t0;
  return { ...run, vm };
}

/** Fuzzes every request's module on `kernel`; one report per request, in order. */
export async function fuzzModules(
  reqs: readonly FuzzRequest[],
  kernel: Kernel,
  opts: { seed?: number; messages?: number; onReport?: (r: FuzzReport) => void } = {},
): Promise<FuzzReport[]> {
  const seed = opts.seed ?? DEFAULT_SEED;
  // One build at a time: lessons share module names, and the machine has few cores.
  const targets: GuestFuzzTarget[] = [];
  for (const r of reqs) targets.push(await guestTarget(r, kernel, seed, opts.messages));
  const reports: FuzzReport[] = [];
  const report = (i: number, outcome: FuzzReport['outcome'], result: GuestFuzzResult, fam: FuzzStarted, guestMs: number): void => {
    const t = targets[i]!;
    const req = reqs[i]!;
    const r: FuzzReport = {
      lesson: req.lesson.id,
      target: req.target,
      kernel: kernel.release,
      seed,
      outcome,
      result,
      replay: `seed 0x${seed.toString(16)}, ${t.messages} datagrams: npm run -s build && node dist/grader/src/fuzz/cli.js ${req.lesson.id}${req.target === 'starter' ? ' --starter' : ''} --kernel ${kernel.selector} --seed 0x${seed.toString(16)}`,
      guestMs,
      ...(result.window ? { lastDatagrams: windowTail(t, fam, result.window, SHOW_LAST) } : {}),
    };
    reports.push(r);
    opts.onReport?.(r);
  };

  let next = 0;
  while (next < targets.length) {
    const first = next;
    const run = await guestRun(kernel, targets.slice(first));
    for (const [k, e] of run.ends) {
      const r = e.result;
      let started = run.started.get(k) ?? {};
      if (r.window && r.window.to - r.window.from > 1) {
        // An Oops or WARNING the guest survived: replay the window alone to name the datagram.
        const again = await guestRun(kernel, [{ ...targets[first + k]!, from: r.window.from, messages: r.window.to, every: 1 }]);
        const w = again.ends.get(0)?.result.window;
        if (w && w.to - w.from === 1) {
          r.window = w;
          started = again.started.get(0) ?? started;
        }
      }
      report(first + k, r.health.length || r.gate.length ? 'unhealthy' : 'clean', r, started, e.ms);
      next = first + k + 1;
    }
    if (run.running === undefined) {
      if (next === first) {
        // The guest never started the first target: nothing will go better in another.
        const vm = run.vm;
        throw new FuzzSetupError(`the fuzz guest ended (${vm.outcome}${vm.exitCode !== undefined ? `, exit ${vm.exitCode}` : ''}) before fuzzing: ${vm.detail ?? vm.stderr.slice(-2000)}`);
      }
      continue;
    }
    const i = first + run.running;
    const t = targets[i]!;
    const sent = run.progress.get(run.running) ?? 0;
    let window: GuestFuzzResult['window'];
    let started = run.started.get(run.running) ?? {};
    const crashed = run.vm.outcome === 'exit'; // the fuzzer process itself failed; the kernel lived
    if (run.started.has(run.running) && !crashed) {
      window = { from: sent, to: Math.min(sent + PROGRESS_EVERY, t.messages) };
      // Replay only that window, one progress line per datagram, to name the datagram itself.
      const again = await guestRun(kernel, [{ ...t, from: window.from, messages: window.to, every: 1 }]);
      if (again.running === 0 && again.started.has(0) && again.vm.outcome !== 'exit') {
        const culprit = again.progress.get(0) ?? window.from;
        window = { from: culprit, to: culprit + 1 };
        started = again.started.get(0) ?? started;
      }
    }
    const vm = run.vm;
    const health = vm.health.map((e) => ({ kind: gateHealthKind(e.kind), excerpt: e.excerpt }));
    if (vm.outcome === 'timeout') health.push({ kind: 'hang', excerpt: vm.detail ?? 'the guest stopped answering' });
    const result: GuestFuzzResult = { sent, received: 0, sendErrors: 0, receiveErrors: 0, ms: 0, health, gate: crashed ? [`the fuzzer in the guest failed (exit ${run.vm.exitCode}): ${run.vm.stderr.trim().split('\n').slice(-5).join(' | ')}`] : window ? [] : ['the guest died while loading the module, before the first datagram'], ...(window ? { window } : {}) };
    report(i, 'died', result, started, run.ms);
    next = i + 1;
  }
  return reports;
}
