// `npm run bench [-- all|first|vm|grade|watch|grade-all|client|netlink|load] [--runs N] [--kernel K] [--json] [--record]`:
// the figures in the README's performance table. Each is the median and min–max of N runs
// (default 5) of a whole command, as a person would run it, on this machine. `--record` keeps
// them in grader/bench-results.json; `npm run bench -- table` rewrites the README's table from it.

import { cpus, loadavg } from 'node:os';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { accelVerdict, bold, numberOption, parseCommandLine, bootImage, BUILD_DIR, CACHE_DIR, dim, ensureInitramfs, findKernel, type Kernel, REPO_ROOT, runVm } from '../../kernel/src/index.js';
import { reportCliError } from './cli-errors.js';
import { benchLesson, loadLesson } from './lesson/load.js';
import { LoadTestError, runLoadTest } from './loadtest/host.js';
import { NetbenchError, netbenchRows, runNetbench, type NetbenchRow } from './netbench/host.js';
import { recordFigures, renderReadmeTable, seconds, type Figure } from './bench-table.js';

/** #17's targets, by figure id: a figure meets its target when its median is at most this. */
const TARGETS_MS: Record<string, number> = {
  'first-grade': 30_000,
  'grade-warm': 6_000,
  'watch-regrade': 2_000,
  'grade-all': 180_000,
};

function figure(name: string, command: string, runs: number[], id?: string): Figure {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const targetMs = id ? TARGETS_MS[id] : undefined;
  return { ...(id ? { id } : {}), name, unit: 'ms', runs, median, min: sorted[0]!, max: sorted[sorted.length - 1]!, command, ...(targetMs ? { targetMs, met: median <= targetMs } : {}) };
}

async function timeCommand(argv: string[], env: Record<string, string> = {}): Promise<number> {
  const start = performance.now();
  await execa(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, env: { ...env, NO_COLOR: '1' }, stdio: 'ignore', reject: false });
  return performance.now() - start;
}

async function repeat(n: number, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

const NODE = process.execPath;
const LAB = [NODE, join(REPO_ROOT, 'dist/kernel/src/cli.js')];
const GRADE = [NODE, join(REPO_ROOT, 'dist/grader/src/cli.js')];

async function benchVm(kernel: Kernel, n: number): Promise<Figure[]> {
  const k = ['--kernel', kernel.selector];
  const figs = [
    figure('lab vm -- true (wall)', `npm run lab -- vm --kernel ${kernel.selector} -- true`, await repeat(n, () => timeCommand([...LAB, 'vm', ...k, '--', 'true']))),
    figure('lab vm -- node -e 0 (wall)', `npm run lab -- vm --kernel ${kernel.selector} -- node -e 0`, await repeat(n, () => timeCommand([...LAB, 'vm', ...k, '--', 'node', '-e', '0']))),
  ];
  const phases = { qemuToKernel: [] as number[], kernelToInit: [] as number[], initToCommand: [] as number[], nodeStart: [] as number[] };
  for (let i = 0; i < n; i++) {
    const r = await runVm({ kernel, command: ['node', '-e', '0'] });
    phases.qemuToKernel.push(r.timings.qemuToKernel ?? NaN);
    phases.kernelToInit.push(r.timings.kernelToInit ?? NaN);
    phases.initToCommand.push(r.timings.initToCommand ?? NaN);
    phases.nodeStart.push(r.timings.command ?? NaN);
  }
  const cmd = `runVm(node -e 0) timings, kernel ${kernel.selector}`;
  figs.push(
    figure('guest: qemu start → kernel', cmd, phases.qemuToKernel),
    figure('guest: kernel → init', cmd, phases.kernelToInit),
    figure('guest: init → command', cmd, phases.initToCommand),
    figure('guest: node -e 0 (cold, first in guest)', cmd, phases.nodeStart),
  );
  return figs;
}

/** The first grade after setup: no build trees and no caches (boot image, initramfs, compiled TypeScript). */
async function benchFirst(kernel: Kernel, lesson: string): Promise<Figure[]> {
  const args = [...GRADE, lesson, '--solution', '--no-warm', '--kernel', kernel.selector];
  const first = await repeat(1, async () => {
    for (const d of [BUILD_DIR, CACHE_DIR]) rmSync(d, { recursive: true, force: true });
    return timeCommand(args);
  });
  return [figure(`first grade ${lesson} --solution after setup (no caches)`, `rm -rf .lab/cache .lab/build && npm run grade ${lesson} -- --solution`, first, 'first-grade')];
}

/**
 * A grade as a script runs it (a fresh guest each time, `--no-warm`) and as a person at a
 * terminal does (the shared warm guest: the first grade boots it, the ones measured reuse it).
 */
async function benchGrade(kernel: Kernel, n: number, lesson: string): Promise<Figure[]> {
  const args = [...GRADE, lesson, '--solution', '--kernel', kernel.selector];
  const cold = await repeat(Math.min(n, 3), async () => {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    return timeCommand([...args, '--no-warm']);
  });
  const cached = await repeat(n, () => timeCommand([...args, '--no-warm']));
  await timeCommand([...args, '--warm']); // boots the warm guest
  const warm = await repeat(n, () => timeCommand([...args, '--warm']));
  await execa(LAB[0]!, [...LAB.slice(1), 'down'], { cwd: REPO_ROOT, reject: false });
  return [
    figure(`grade ${lesson} --solution, cold builds, fresh guest`, `rm -rf .lab/build && npm run grade ${lesson} -- --solution --no-warm`, cold, 'grade-cold'),
    figure(`grade ${lesson} --solution, builds cached, fresh guest`, `npm run grade ${lesson} -- --solution --no-warm`, cached, 'grade-fresh-guest'),
    figure(`grade ${lesson} --solution, builds cached, warm guest (a terminal's default)`, `npm run grade ${lesson} -- --solution --warm (after one grade that boots it)`, warm, 'grade-warm'),
  ];
}

class BenchError extends Error {
  override name = 'BenchError';
}

/** The pause before each timed re-grade: shorter than any edit a learner saves. */
const WATCH_EDIT_PAUSE_MS = 2000;

/**
 * Re-grades under --watch: the first grade warms a guest, then each Enter (the same re-grade
 * a save triggers, without the 200 ms that saves wait for more saves) is timed until the watcher waits again.
 */
async function benchWatch(kernel: Kernel, n: number, lesson: string): Promise<Figure[]> {
  const child = execa(GRADE[0]!, [...GRADE.slice(1), lesson, '--solution', '--watch', '--kernel', kernel.selector], {
    cwd: REPO_ROOT,
    env: { NO_COLOR: '1' },
    stdin: 'pipe',
    stdout: 'ignore',
    stderr: 'pipe',
    reject: false,
  });
  let waiting: (() => void) | undefined;
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    if (buffered.includes('\nwatching ') || buffered.startsWith('watching ')) {
      buffered = '';
      waiting?.();
    }
  });
  let exited: ((code: number | null) => void) | undefined;
  child.on('exit', (code) => exited?.(code));
  const idle = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new BenchError(`grade --watch did not finish a grade within 5 min: ${buffered.slice(-2000)}`)), 300_000);
      waiting = () => void (clearTimeout(timer), resolve());
      exited = (code) => void (clearTimeout(timer), reject(new BenchError(`grade --watch exited (${code}) before the grade ended: ${buffered.slice(-2000)}`)));
    });
  const regrades = async (pauseMs: number): Promise<number[]> => {
    const runs: number[] = [];
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setTimeout(r, pauseMs));
      const done = idle();
      const start = performance.now();
      child.stdin!.write('\n');
      await done;
      runs.push(performance.now() - start);
    }
    return runs;
  };
  try {
    await idle();
    // A learner edits between saves: the guest has those seconds to start the next grade's
    // spare processes. Back to back (Enter the moment the watcher waits) is reported too.
    const afterEdit = await regrades(WATCH_EDIT_PAUSE_MS);
    const backToBack = await regrades(0);
    return [
      figure(`grade ${lesson} --watch, re-grade (warm guest, Enter ${WATCH_EDIT_PAUSE_MS / 1000} s after the last grade, as after an edit)`, `npm run bench -- watch (Enter under grade ${lesson} -- --solution --watch)`, afterEdit, 'watch-regrade'),
      figure(`grade ${lesson} --watch, re-grade back to back (Enter the moment the watcher waits)`, `npm run bench -- watch (same run)`, backToBack, 'watch-regrade-burst'),
    ];
  } finally {
    exited = undefined;
    child.kill('SIGINT');
    await child;
  }
}

async function benchGradeAll(kernel: Kernel): Promise<Figure[]> {
  const args = [...GRADE, 'all', '--solution', '--kernel', kernel.selector];
  return [figure('grade all --solution, builds cached', `npm run grade all -- --solution`, await repeat(1, () => timeCommand(args)), 'grade-all')];
}

async function machine(kernel: Kernel) {
  const { path } = await ensureInitramfs(kernel);
  const v = await accelVerdict(kernel, await bootImage(kernel.image), path);
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', accel: v.accel, accelReason: v.reason, kernel: kernel.release, node: process.version, loadavg: loadavg().map((l) => Number(l.toFixed(2))) };
}


function rate(x: number): string {
  return Math.round(x).toLocaleString('en');
}

/** Netlink throughput in the guest: the TypeScript client against nlguest.c, on the modules of the lessons with a `netlink-*` bench role. */
async function benchNetlink(kernel: Kernel, runs: number) {
  const before = loadavg()[0]!;
  const started = performance.now();
  const result = await runNetbench(kernel, { runs });
  const rows = netbenchRows(result);
  const m = { ...(await machine(kernel)), loadavgBefore: Number(before.toFixed(2)), guestRunMs: Math.round(performance.now() - started) };
  return { machine: m, command: `npm run bench -- netlink --kernel ${kernel.selector}`, runs, rows, result, ok: rows.every((r) => r.pass !== false) };
}

function printNetlink({ machine: m, runs, rows, result }: Awaited<ReturnType<typeof benchNetlink>>): void {
  console.log(bold(`${m.cores} cores (${m.cpu}), ${m.accel.toUpperCase()}, guest kernel ${result.kernel}, node ${m.node}, load ${m.loadavgBefore} → ${m.loadavg[0]} (1 min)`));
  console.log(dim(`median (min–max) of ${runs} runs in one guest; C = client/bench/nlguest.c`));
  const f = (r: NetbenchRow): string =>
    `  ${r.name.padEnd(52)} TS ${rate(r.ts.median).padStart(7)} (${rate(r.ts.min)}–${rate(r.ts.max)})  C ${rate(r.c.median).padStart(7)} (${rate(r.c.min)}–${rate(r.c.max)}) ${r.unit}  ` +
    `ratio ${r.ratio.toFixed(2)}${r.bar !== undefined ? ` (bar ≥ ${r.bar} × ${r.against}) ${r.pass ? 'PASS' : 'MISS'}` : ''}`;
  for (const r of rows) console.log(f(r));
}

type LoadShape = { clients: number; ops: number; cpus: number };

/** 8 concurrent clients × 10 000 operations against the solution of the lesson with the `load` bench role, in one 2-CPU guest. */
async function benchLoad(kernel: Kernel, o: LoadShape) {
  const before = loadavg()[0]!;
  const lesson = benchLesson('load');
  const s = await runLoadTest(kernel, { ...o, lesson });
  const m = { ...(await machine(kernel)), loadavgBefore: Number(before.toFixed(2)), guestCpus: s.result.cpus };
  return { machine: m, command: `npm run bench -- load --kernel ${kernel.selector} --clients ${o.clients} --ops ${o.ops} --cpus ${o.cpus}`, shape: o, lesson: lesson.id, family: 'family' in lesson.netlink ? lesson.netlink.family : lesson.module, ...s };
}

function printLoad(r: Awaited<ReturnType<typeof benchLoad>>): void {
  const { machine: m, shape: o } = r;
  console.log(bold(`${m.cores} cores (${m.cpu}), ${m.accel.toUpperCase()}, guest kernel ${r.result.kernel} on ${r.result.cpus} vCPUs, node ${m.node}, load ${m.loadavgBefore} → ${m.loadavg[0]}`));
  console.log(`  ${o.clients} clients × ${o.ops} operations (SET 40%, GET 40%, DEL 15%, LIST 5%) against ${r.lesson}'s ${r.family}`);
  console.log(`  ${rate(r.ops)} operations in ${seconds(r.result.ms)}: ${rate(r.rate)}/s; per second min ${rate(r.perSecond.min)}, median ${rate(r.perSecond.median)}, max ${rate(r.perSecond.max)}`);
  console.log(`  answered ${rate(r.answered)}, lost ${r.lost}, ENOBUFS ${r.enobufs} (clients) + ${r.events.enobufs} (subscriber), wrong answers ${r.wrong.length}`);
  console.log(`  notifications: ${rate(r.events.seen)} seen for ${rate(r.events.expected)} changes`);
  console.log(`  kernel health: ${r.result.health.length ? r.result.health.map((h) => h.kind).join(', ') : 'no events'}; ${r.ok ? 'OK' : `PROBLEMS:\n    ${r.problems.join('\n    ')}`}`);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
      runs: { type: 'string', default: '5' },
      kernel: { type: 'string' },
      lesson: { type: 'string' },
      json: { type: 'boolean', default: false },
      clients: { type: 'string', default: '8' },
      ops: { type: 'string', default: '10000' },
      cpus: { type: 'string', default: '2' },
      record: { type: 'boolean', default: false },
    });
  const what = positionals[0] ?? 'all';
  if (what === 'table') {
    renderReadmeTable();
    console.log('README.md: the performance table is regenerated from grader/bench-results.json');
    return 0;
  }
  const n = numberOption('runs', values.runs, { whole: true });
  const kernel = findKernel(values.kernel);
  // A clear message for a lesson that does not exist; by default the lesson with the `grade` bench role.
  const lesson = values.lesson ? loadLesson(values.lesson).id : benchLesson('grade').id;
  if (what === 'client') {
    const r = await execa('npm', ['run', '-s', 'bench:client', '--', ...(values.json ? ['--json'] : [])], { cwd: REPO_ROOT, stdio: 'inherit', reject: false });
    return r.exitCode ?? 1;
  }
  const load: LoadShape = { clients: numberOption('clients', values.clients, { whole: true }), ops: numberOption('ops', values.ops, { whole: true }), cpus: numberOption('cpus', values.cpus, { whole: true }) };
  const timed: Record<string, () => Promise<Figure[]>> = {
    first: () => benchFirst(kernel, lesson),
    vm: () => benchVm(kernel, n),
    grade: () => benchGrade(kernel, n, lesson),
    watch: () => benchWatch(kernel, n, lesson),
    'grade-all': () => benchGradeAll(kernel),
  };
  const all = what === 'all';
  const parts = all ? Object.keys(timed) : what in timed ? [what] : [];
  if (!all && !parts.length && what !== 'netlink' && what !== 'load') {
    console.error('usage: npm run bench -- [all|first|vm|grade|watch|grade-all|client|netlink|load|table] [--runs N] [--kernel K] [--lesson ID] [--clients N --ops N --cpus N] [--json] [--record]');
    return 2;
  }
  const figures: Figure[] = [];
  const loadBefore = loadavg()[0]!;
  for (const p of parts) figures.push(...(await timed[p]!()));
  if (values.record && figures.length) {
    const m = await machine(kernel);
    recordFigures(figures, `${m.accel.toUpperCase()}, ${m.kernel}, load ${loadBefore.toFixed(1)} → ${m.loadavg[0]}`);
  }
  const netlink = all || what === 'netlink' ? await benchNetlink(kernel, Math.max(5, n)) : undefined;
  const loadRun = all || what === 'load' ? await benchLoad(kernel, load) : undefined;
  const code = (netlink && !netlink.ok) || (loadRun && !loadRun.ok) ? 1 : 0;
  if (values.json) {
    console.log(JSON.stringify({ machine: await machine(kernel), figures, ...(netlink ? { netlink } : {}), ...(loadRun ? { load: loadRun } : {}) }, null, 2));
    return code;
  }
  if (figures.length) {
    const m = await machine(kernel);
    console.log(bold(`${m.cores} cores (${m.cpu}), ${m.accel.toUpperCase()}, kernel ${m.kernel}, node ${m.node}`));
    for (const f of figures) {
      const target = f.targetMs ? `  target ≤ ${seconds(f.targetMs)}: ${f.met ? 'met' : 'MISSED'}` : '';
      console.log(`  ${f.name.padEnd(44)} ${seconds(f.median).padStart(8)}  ${dim(`(${seconds(f.min)}–${seconds(f.max)}, n=${f.runs.length})`)}${target}`);
    }
  }
  // A missed netlink bar or a failed load test makes the exit status 1.
  if (netlink) printNetlink(netlink);
  if (loadRun) printLoad(loadRun);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => void (process.exitCode = code),
  (e: unknown) => {
    // A guest run that could not produce its figures says why in one message, not a stack trace.
    if (e instanceof BenchError || e instanceof NetbenchError || e instanceof LoadTestError) {
      console.error(`✗ ${e.message}`);
      process.exitCode = 1;
    } else process.exitCode = reportCliError(e);
  },
);
