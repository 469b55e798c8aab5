// Runs the guest netlink benchmark: builds the C client (client/bench/nlguest.c) and the
// solution modules of the lessons whose lesson.json names a netlink-* bench role on the host, runs guest.js in one guest, and turns the
// per-run rates into medians, min–max and TS/C ratios against the issue's bars.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { buildModule, type Kernel, newShareDir, REPO_ROOT, runVm } from '../../../kernel/src/index.js';
import { sideDir } from '../lesson/inherit.js';
import { benchLesson, type Lesson } from '../lesson/load.js';
import { netbenchResults, type ModuleRef, type NetbenchPlan, type NetbenchResult } from './protocol.js';

const GUEST = join(REPO_ROOT, 'dist/grader/src/netbench/guest.js');
const C_CLIENT = join(REPO_ROOT, 'client/build/nlguest');

export class NetbenchError extends Error {
  override name = 'NetbenchError';
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export interface NetbenchRow {
  name: string;
  unit: string;
  c: Spread;
  ts: Spread;
  /** TS median / C median, and the bar it is held to (TS ≥ bar × the C figure named in `against`). */
  ratio: number;
  bar?: number;
  against?: string;
  pass?: boolean;
}

export function spread(runs: number[]): Spread {
  const s = [...runs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]!, runs };
}

async function moduleOf(lesson: Lesson, kernel: Kernel): Promise<ModuleRef> {
  const built = await buildModule(sideDir(lesson, 'solution', 'kernel'), kernel);
  const path = built.modules[lesson.module];
  if (!built.ok || !path) throw new NetbenchError(`${lesson.id}: the solution module does not build`);
  return { lesson: lesson.id, name: lesson.module, path };
}

/** Raw results of one guest run. */
export async function runNetbench(kernel: Kernel, opts: { runs: number; roundTrips?: number; batch?: number; dumps?: number; keys?: number; /** Extra node flags in the guest (experiments). */ nodeArgs?: string[] }): Promise<NetbenchResult> {
  await execa('make', ['-s', '-C', join(REPO_ROOT, 'client/bench')], { stdio: 'inherit' });
  const plan: NetbenchPlan = {
    c: C_CLIENT,
    runs: opts.runs,
    roundTrips: opts.roundTrips ?? 2000,
    batch: opts.batch ?? 32,
    dumps: opts.dumps ?? 100,
    keys: opts.keys ?? 1000,
    modules: {
      raw: await moduleOf(benchLesson('netlink-raw'), kernel),
      genl: await moduleOf(benchLesson('netlink-genl'), kernel),
      dump: await moduleOf(benchLesson('netlink-dump'), kernel),
    },
  };
  const shareDir = newShareDir();
  const planFile = join(shareDir, 'netbench-plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  let out = '';
  const stdout = new Writable({ write: (chunk: Buffer, _e, done) => void ((out += chunk.toString('utf8')), done()) });
  const vm = await runVm({ kernel, command: [process.execPath, ...(opts.nodeArgs ?? []), GUEST, planFile], cwd: REPO_ROOT, shareDir, stdout, timeoutMs: 20 * 60_000 });
  const result = netbenchResults.find(out);
  if (vm.outcome !== 'exit' || vm.exitCode !== 0 || !result) {
    throw new NetbenchError(`the benchmark guest ended with ${vm.outcome}${vm.exitCode !== undefined ? ` (exit ${vm.exitCode})` : ''}: ${vm.detail ?? ''}\n${vm.stderr.slice(-3000)}`);
  }
  return { ...result, lessons: { raw: plan.modules.raw.lesson, genl: plan.modules.genl.lesson, dump: plan.modules.dump.lesson } };
}

/** A lesson id as a row names it: "lesson-N" → "lesson N". */
const spoken = (id: string): string => id.replace(/-(?=\d+$)/, ' ');

/** The rows of the README table, with the issue's bars: TS ≥ 0.7× C per round trip; batched TS ≥ 1.0× unbatched C. */
export function netbenchRows(r: NetbenchResult): NetbenchRow[] {
  const row = (name: string, unit: string, c: number[], ts: number[], bar?: number, against?: string): NetbenchRow => {
    const C = spread(c);
    const T = spread(ts);
    const ratio = T.median / C.median;
    return { name, unit, c: C, ts: T, ratio, ...(bar !== undefined ? { bar, against: against ?? 'C', pass: ratio >= bar } : {}) };
  };
  const batchedVsSingleC = (name: string, s: { c: number[] }, b: { ts: number[]; c: number[] }): NetbenchRow => {
    const base = row(name, 'round trips/s', s.c, b.ts);
    const ratio = base.ts.median / spread(s.c).median;
    return { ...base, ratio, bar: 1.0, against: 'unbatched C', pass: ratio >= 1.0 };
  };
  return [
    row(`raw unit 31 (${spoken(r.lessons.raw)}), round trips`, 'round trips/s', r.raw.single.c, r.raw.single.ts, 0.7),
    row('raw unit 31, batched, TS vs batched C', 'round trips/s', r.raw.batched.c, r.raw.batched.ts),
    batchedVsSingleC('raw unit 31, batched TS vs unbatched C', r.raw.single, r.raw.batched),
    row(`genl nlab_kv (${spoken(r.lessons.genl)}), round trips`, 'round trips/s', r.genl.single.c, r.genl.single.ts, 0.7),
    row('genl nlab_kv, batched, TS vs batched C', 'round trips/s', r.genl.batched.c, r.genl.batched.ts),
    batchedVsSingleC('genl nlab_kv, batched TS vs unbatched C', r.genl.single, r.genl.batched),
    row(`LIST dump (${spoken(r.lessons.dump)}), ${r.dump.entriesPerDump}-key dumps, dump()`, 'entries/s', r.dump.c, r.dump.ts),
    row(`LIST dump, genlDump() with attributes decoded`, 'entries/s', r.dump.c, r.dump.tsDecoded),
  ];
}
