// `npm run lab -- <doctor|vm|build> …`: the lab VM from the command line.

import { runDoctor } from './doctor.js';
import { formatDiagnostic } from './diagnostics.js';
import { numberOption, parseCommandLine } from './common/cli-args.js';
import { LabError } from './common/errors.js';
import { HOST_CONSENT_FLAG, runOnHost } from './host-backend.js';
import { findKernel } from './kernels.js';
import { buildModule } from './module-build.js';
import { OUTCOME_EXIT_CODES } from './outcome.js';
import { FAIL, PASS, WARN, bold, dim, ms } from './common/term.js';
import { runVm, type VmRun } from './vm.js';
import { stopSharedGuest } from './shared-guest-slot.js';

const USAGE = `usage:
  npm run lab -- doctor
  npm run lab -- vm [--kernel 6.1|6.12|host|PATH] [--timeout S] [--timings] [--backend vm|host] -- CMD…
  npm run lab -- build [--kernel …] DIR
  npm run lab -- down          stop the warm guest that graders share (if one runs)

vm exit codes: the command's own, or ${Object.entries(OUTCOME_EXIT_CODES).map(([k, v]) => `${v} ${k}`).join(', ')}`;

async function doctor(): Promise<number> {
  const lines = await runDoctor();
  for (const l of lines) {
    const mark = l.ok ? PASS : l.required ? FAIL : WARN;
    console.log(`${mark} ${l.what.padEnd(12)} ${l.detail}`);
    if (!l.ok && l.fix) console.log(`  ${dim('fix:')} ${l.fix}`);
  }
  return lines.some((l) => l.required && !l.ok) ? 1 : 0;
}

function printTimings(r: VmRun): void {
  const t = r.timings;
  const rows: [string, number | undefined][] = [
    ['qemu → kernel', t.qemuToKernel],
    ['kernel → init', t.kernelToInit],
    ['init → command', t.initToCommand],
    ['command', t.command],
    ['shutdown', t.shutdown],
    ['total', t.total],
  ];
  process.stderr.write(`${bold('timings')} (${r.accel})\n${rows.map(([k, v]) => `  ${k.padEnd(15)} ${ms(v)}`).join('\n')}\n`);
}

function explain(r: VmRun): number {
  if (r.outcome === 'exit') return r.exitCode ?? 0;
  const head = {
    oops: `${FAIL} the command exited ${r.exitCode}, but the kernel logged a problem:`,
    panic: `${FAIL} kernel panic:`,
    timeout: `${FAIL} timed out; the guest was killed:`,
    'boot-failure': `${FAIL} the guest did not get as far as running the command:`,
  }[r.outcome];
  process.stderr.write(`${head}\n${r.detail ?? ''}\n${dim(`full console: ${r.shareDir}/console.log`)}\n`);
  return OUTCOME_EXIT_CODES[r.outcome];
}

async function vm(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
      kernel: { type: 'string' },
      timeout: { type: 'string', default: '60' },
      timings: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'vm' },
      [HOST_CONSENT_FLAG.slice(2)]: { type: 'boolean', default: false },
    });
  if (positionals.length === 0) throw new LabError('no command given', USAGE);
  const timeoutMs = numberOption('timeout', values.timeout) * 1000;
  let r: VmRun;
  if (values.backend === 'host') {
    r = await runOnHost(positionals, { consent: values[HOST_CONSENT_FLAG.slice(2)] === true, timeoutMs, stdout: process.stdout, stderr: process.stderr });
  } else if (values.backend === 'vm') {
    const kernel = findKernel(values.kernel);
    r = await runVm({ kernel, command: positionals, timeoutMs, stdout: process.stdout, stderr: process.stderr });
    if (r.accel === 'tcg') process.stderr.write(dim(`lab: TCG (software emulation): ${r.accelReason}\n`));
  } else {
    throw new LabError(`unknown backend "${values.backend}"`, 'use --backend vm (default) or --backend host');
  }
  if (values.timings) printTimings(r);
  return explain(r);
}

async function build(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, { kernel: { type: 'string' } });
  const dir = positionals[0];
  if (!dir) throw new LabError('no module folder given', USAGE);
  const b = await buildModule(dir, findKernel(values.kernel));
  for (const d of b.diagnostics) console.log(formatDiagnostic(d));
  if (!b.ok) {
    if (b.diagnostics.length === 0) console.log(b.log.trimEnd().split('\n').slice(-20).join('\n'));
    console.log(`${FAIL} build failed`);
    return 1;
  }
  for (const [name, path] of Object.entries(b.modules)) console.log(`${PASS} ${name}: ${path}${b.cached ? dim(' (cached)') : ''}`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'doctor':
      return doctor();
    case 'vm':
      return vm(rest);
    case 'build':
      return build(rest);
    case 'down': {
      const pid = await stopSharedGuest();
      console.log(pid === undefined ? dim('no warm guest was running') : `${PASS} stopped the warm guest (daemon pid ${pid}) and its QEMU`);
      return 0;
    }
    default:
      console.error(USAGE);
      return cmd === undefined || cmd === 'help' || cmd === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof LabError) {
      console.error(`${FAIL} ${e.message}${e.fix ? `\n  ${dim('fix:')} ${e.fix}` : ''}`);
      process.exitCode = 2;
    } else if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${FAIL} ${e.message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      throw e;
    }
  },
);
