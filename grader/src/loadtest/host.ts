// Runs the load test: builds the lesson's solution module, runs guest.js in one guest with
// several virtual CPUs (so the clients really run at once in the kernel), and sums up.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildModule, type Kernel, newShareDir, REPO_ROOT, runVm } from '../../../kernel/src/index.js';
import { gateHealthKind } from '../guest/protocol.js';
import { tcgNodeFlags } from '../node-flags.js';
import { sideDir } from '../lesson/inherit.js';
import { benchLesson, loadLesson, type Lesson, type Target } from '../lesson/load.js';
import { loadResults, type ClientStats, type LoadPlan, type LoadResult } from './protocol.js';

const GUEST = join(REPO_ROOT, 'dist/grader/src/loadtest/guest.js');

export class LoadTestError extends Error {
  override name = 'LoadTestError';
}

export interface LoadOptions {
  /** A lesson id or a loaded lesson (default: the one with the `load` bench role), and which side's module to load. */
  lesson?: string | Lesson;
  target?: Target;
  clients?: number;
  ops?: number;
  cpus?: number;
  seed?: number;
}

/** The clients' counts summed (and their wrong answers joined), plus rates and the verdict. */
export interface LoadSummary extends Pick<ClientStats, 'ops' | 'answered' | 'lost' | 'enobufs' | 'wrong' | 'mutations'> {
  result: LoadResult;
  /** Operations per second over the whole run, and per wall-clock second (min / median / max of full seconds). */
  rate: number;
  perSecond: { min: number; median: number; max: number; seconds: number[] };
  /** Notifications expected (one per mutation) and seen; only comparable when the watcher got no ENOBUFS. */
  events: { expected: number; seen: number; enobufs: number };
  ok: boolean;
  problems: string[];
}

export function summarize(result: LoadResult, plan: Pick<LoadPlan, 'clients' | 'ops'>): LoadSummary {
  const sum = (f: (c: LoadResult['clients'][number]) => number): number => result.clients.reduce((n, c) => n + f(c), 0);
  const seconds: number[] = [];
  for (const c of result.clients) c.perSecond.forEach((n, s) => void (seconds[s] = (seconds[s] ?? 0) + (n ?? 0)));
  // The last second is partial; a run shorter than two seconds keeps it.
  const full = Array.from(seconds, (n) => n ?? 0).slice(0, seconds.length > 1 ? -1 : undefined);
  const sorted = [...full].sort((a, b) => a - b);
  const s: LoadSummary = {
    result,
    ops: sum((c) => c.ops),
    answered: sum((c) => c.answered),
    lost: sum((c) => c.lost),
    enobufs: sum((c) => c.enobufs),
    wrong: result.clients.flatMap((c) => c.wrong),
    mutations: sum((c) => c.mutations),
    rate: 0,
    perSecond: { min: sorted[0] ?? 0, median: sorted[sorted.length >> 1] ?? 0, max: sorted[sorted.length - 1] ?? 0, seconds: full },
    events: { expected: sum((c) => c.mutations), seen: result.watcher.events, enobufs: result.watcher.enobufs },
    ok: false,
    problems: [],
  };
  s.rate = result.ms > 0 ? s.ops / (result.ms / 1000) : 0;
  const p = s.problems;
  if (result.clients.length !== plan.clients) p.push(`${plan.clients - result.clients.length} of ${plan.clients} clients gave no result`);
  if (s.ops !== plan.clients * plan.ops) p.push(`${s.ops} operations done of ${plan.clients * plan.ops}`);
  if (s.lost) p.push(`${s.lost} requests got no answer`);
  if (s.wrong.length) p.push(`${s.wrong.length} wrong answers, e.g. ${s.wrong[0]}`);
  if (!s.events.enobufs && s.events.seen !== s.events.expected) p.push(`${s.events.seen} notifications for ${s.events.expected} changes, with no ENOBUFS to explain it`);
  p.push(...result.gate, ...result.health.map((h) => `${h.kind}: ${h.excerpt.split('\n')[0]}`));
  s.ok = p.length === 0;
  return s;
}

/** Boots one guest and runs the load test against a lesson's module (default: the `load` lesson's solution). */
export async function runLoadTest(kernel: Kernel, opts: LoadOptions = {}): Promise<LoadSummary> {
  const lesson = typeof opts.lesson === 'object' ? opts.lesson : opts.lesson ? loadLesson(opts.lesson) : benchLesson('load');
  const target = opts.target ?? 'solution';
  if (!('family' in lesson.netlink)) throw new LoadTestError(`${lesson.id} is not a generic netlink lesson`);
  const built = await buildModule(sideDir(lesson, target, 'kernel'), kernel);
  const path = built.modules[lesson.module];
  if (!built.ok || !path) throw new LoadTestError(`${lesson.id}: the ${target} module does not build`);
  const plan: LoadPlan = {
    module: { name: lesson.module, path },
    family: lesson.netlink.family,
    group: 'events',
    clients: opts.clients ?? 8,
    ops: opts.ops ?? 10_000,
    keys: 100,
    seed: opts.seed ?? 0x4c4f4144,
    timeoutMs: 5000,
  };
  const shareDir = newShareDir();
  const planFile = join(shareDir, 'load-plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  let out = '';
  const stdout = new Writable({ write: (chunk: Buffer, _e, done) => void ((out += chunk.toString('utf8')), done()) });
  // Budget: boot, the clients' node start-ups, and 15 ms per operation. Under TCG, with V8's
  // JIT on, 8 × 10 000 took 407–518 s (154–196/s) on a busy 2-core machine; with it off (the
  // coordinator's flags, which fork() hands to the clients) 203 s (395/s). KVM is far faster.
  const timeoutMs = 90_000 + plan.clients * plan.ops * 15;
  const vm = await runVm({ kernel, command: [process.execPath, GUEST, planFile], tcgArgs: tcgNodeFlags(), cwd: REPO_ROOT, shareDir, stdout, timeoutMs, cpus: opts.cpus ?? 2 });
  const reported = loadResults.find(out);
  const vmHealth = vm.health.map((h) => ({ kind: gateHealthKind(h.kind), excerpt: h.excerpt }));
  // Without a result line the guest died (panic, hang, timeout): that is the verdict.
  const result: LoadResult =
    reported ?? { kernel: vm.kernelRelease, cpus: opts.cpus ?? 2, clients: [], watcher: { events: 0, enobufs: 0 }, ms: 0, health: vmHealth, gate: [`the guest ended with ${vm.outcome}${vm.exitCode !== undefined ? ` (exit ${vm.exitCode})` : ''}: ${vm.detail ?? vm.stderr.slice(-500)}`] };
  if (reported && !result.health.length) result.health.push(...vmHealth);
  return summarize(result, plan);
}
