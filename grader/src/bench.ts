// `npm run bench [-- vm|grade|grade-all|client|netlink] [--runs N] [--kernel K] [--json]`: the figures in the
// README's performance table. Each is the median and min–max of N runs (default 5) of a
// whole command, as a person would run it, on this machine.

import { cpus, loadavg } from 'node:os';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { accelVerdict } from '../../kernel/src/accel.js';
import { bootImage } from '../../kernel/src/boot-image.js';
import { ensureInitramfs } from '../../kernel/src/initramfs.js';
import { DEFAULT_KERNEL, findKernel, type Kernel } from '../../kernel/src/kernels.js';
import { BUILD_DIR, REPO_ROOT } from '../../kernel/src/paths.js';
import { bold, dim } from '../../kernel/src/term.js';
import { runVm } from '../../kernel/src/vm.js';
import { reportCliError } from './cli-errors.js';
import { netbenchRows, runNetbench, type NetbenchRow } from './netbench/host.js';

interface Figure {
  name: string;
  unit: 'ms';
  runs: number[];
  median: number;
  min: number;
  max: number;
  command: string;
}

function figure(name: string, command: string, runs: number[]): Figure {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { name, unit: 'ms', runs, median, min: sorted[0]!, max: sorted[sorted.length - 1]!, command };
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

async function benchGrade(kernel: Kernel, n: number, lesson: string): Promise<Figure[]> {
  const args = [...GRADE, lesson, '--solution', '--kernel', kernel.selector];
  const cold = await repeat(Math.min(n, 3), async () => {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    return timeCommand(args);
  });
  const cached = await repeat(n, () => timeCommand(args));
  return [
    figure(`grade ${lesson} --solution, cold builds`, `rm -rf .lab/build && npm run grade ${lesson} -- --solution --kernel ${kernel.selector}`, cold),
    figure(`grade ${lesson} --solution, builds cached`, `npm run grade ${lesson} -- --solution --kernel ${kernel.selector}`, cached),
  ];
}

async function benchGradeAll(kernel: Kernel): Promise<Figure[]> {
  const args = [...GRADE, 'all', '--solution', '--kernel', kernel.selector];
  return [figure('grade all --solution, builds cached', `npm run grade all -- --solution --kernel ${kernel.selector}`, await repeat(1, () => timeCommand(args)))];
}

async function machine(kernel: Kernel) {
  const { path } = await ensureInitramfs(kernel);
  const v = await accelVerdict(kernel, await bootImage(kernel.image), path);
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', accel: v.accel, accelReason: v.reason, kernel: kernel.release, node: process.version, loadavg: loadavg().map((l) => Number(l.toFixed(2))) };
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function rate(x: number): string {
  return Math.round(x).toLocaleString('en');
}

/** Netlink throughput in the guest: the TypeScript client against nlguest.c, lessons 5, 8 and 9. */
async function benchNetlink(kernel: Kernel, runs: number, json: boolean): Promise<number> {
  const before = loadavg()[0]!;
  const started = performance.now();
  const result = await runNetbench(kernel, { runs });
  const rows = netbenchRows(result);
  const m = { ...(await machine(kernel)), loadavgBefore: Number(before.toFixed(2)), guestRunMs: Math.round(performance.now() - started) };
  const command = `npm run bench -- netlink --kernel ${kernel.selector}`;
  if (json) {
    console.log(JSON.stringify({ machine: m, command, runs, rows, result }, null, 2));
  } else {
    console.log(bold(`${m.cores} cores (${m.cpu}), ${m.accel.toUpperCase()}, guest kernel ${result.kernel}, node ${m.node}, load ${before.toFixed(2)} → ${m.loadavg[0]} (1 min)`));
    console.log(dim(`median (min–max) of ${runs} runs in one guest; C = client/bench/nlguest.c`));
    const f = (r: NetbenchRow): string =>
      `  ${r.name.padEnd(52)} TS ${rate(r.ts.median).padStart(7)} (${rate(r.ts.min)}–${rate(r.ts.max)})  C ${rate(r.c.median).padStart(7)} (${rate(r.c.min)}–${rate(r.c.max)}) ${r.unit}  ` +
      `ratio ${r.ratio.toFixed(2)}${r.bar !== undefined ? ` (bar ≥ ${r.bar} × ${r.against}) ${r.pass ? 'PASS' : 'MISS'}` : ''}`;
    for (const r of rows) console.log(f(r));
  }
  return rows.every((r) => r.pass !== false) ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '5' },
      kernel: { type: 'string', default: DEFAULT_KERNEL },
      lesson: { type: 'string', default: 'lesson-3' },
      json: { type: 'boolean', default: false },
    },
  });
  const what = positionals[0] ?? 'vm';
  const n = Number(values.runs);
  const kernel = findKernel(values.kernel);
  if (what === 'client') {
    const r = await execa('npm', ['run', '-s', 'bench:client', '--', ...(values.json ? ['--json'] : [])], { cwd: REPO_ROOT, stdio: 'inherit', reject: false });
    return r.exitCode ?? 1;
  }
  if (what === 'netlink') return benchNetlink(kernel, Math.max(5, n), values.json);
  const figures =
    what === 'vm' ? await benchVm(kernel, n)
    : what === 'grade' ? await benchGrade(kernel, n, values.lesson)
    : what === 'grade-all' ? await benchGradeAll(kernel)
    : undefined;
  if (!figures) {
    console.error('usage: npm run bench -- [vm|grade|grade-all|client|netlink] [--runs N] [--kernel K] [--lesson ID] [--json]');
    return 2;
  }
  const m = await machine(kernel);
  if (values.json) {
    console.log(JSON.stringify({ machine: m, figures }, null, 2));
    return 0;
  }
  console.log(bold(`${m.cores} cores (${m.cpu}), ${m.accel.toUpperCase()}, kernel ${m.kernel}, node ${m.node}`));
  for (const f of figures) console.log(`  ${f.name.padEnd(44)} ${fmt(f.median).padStart(8)}  ${dim(`(${fmt(f.min)}–${fmt(f.max)}, n=${f.runs.length})`)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => void (process.exitCode = code),
  (e: unknown) => void (process.exitCode = reportCliError(e)),
);
