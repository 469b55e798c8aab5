// The host backend: the same command on the running kernel, for a student on a disposable
// Linux machine. It loads code into this kernel, so it refuses unless asked explicitly,
// and it checks that the kernel can load modules at all before it starts anything.

import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { execa } from 'execa';
import { scanKernelLog, worstEvent } from './console-scan.js';
import { LabError } from './errors.js';
import { findKernel } from './kernels.js';
import type { VmRun } from './vm.js';

/** The flag a person must pass to run student modules in their own kernel. */
export const HOST_CONSENT_FLAG = '--i-understand-this-loads-code-into-my-kernel';

export const HOST_WARNING =
  'WARNING: the host backend loads kernel modules into the kernel you are running. ' +
  'A bug in a module can crash or corrupt this machine. Use it only on a disposable machine.';

/** Why this host cannot run the host backend, or undefined when it can. */
export function hostBackendProblem(): LabError | undefined {
  if (!existsSync('/proc/modules')) {
    return new LabError(
      `the running kernel (${release()}) has no loadable-module support (no /proc/modules), so no module can be loaded here`,
      'use the VM backend (the default): npm run lab -- vm …',
    );
  }
  if (process.getuid?.() !== 0) return new LabError('the host backend needs root to load modules', 'run it as root on a disposable machine, or use the VM backend');
  if (!findKernel('host').headers) return new LabError(`no headers for the running kernel ${release()}`, `sudo apt-get install linux-headers-${release()}`);
  return undefined;
}

async function kernelLog(): Promise<string> {
  const r = await execa('dmesg', [], { reject: false });
  return r.stdout;
}

/**
 * Runs `command` on this machine's kernel. Throws a LabError unless `consent` is true and
 * the host can load modules. The result has the same shape as a guest run.
 */
export async function runOnHost(command: readonly string[], opts: { consent: boolean; timeoutMs?: number }): Promise<VmRun> {
  if (!opts.consent) throw new LabError(`the host backend needs ${HOST_CONSENT_FLAG}`, HOST_WARNING);
  const problem = hostBackendProblem();
  if (problem) throw problem;
  process.stderr.write(`${HOST_WARNING}\n`);
  const before = await kernelLog();
  const start = performance.now();
  const [file, ...args] = command;
  const r = await execa(file!, args, { reject: false, timeout: opts.timeoutMs ?? 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const after = await kernelLog();
  const fresh = after.startsWith(before) ? after.slice(before.length) : after;
  const health = scanKernelLog(fresh);
  const worst = worstEvent(health);
  const base = {
    health,
    accel: 'kvm' as const,
    accelReason: 'host backend: no guest',
    kernelRelease: release(),
    timings: { total: performance.now() - start, command: performance.now() - start },
    console: fresh,
    shareDir: process.cwd(),
    stdout: r.stdout,
    stderr: r.stderr,
  };
  if (r.timedOut) return { ...base, outcome: 'timeout' };
  if (worst) return { ...base, outcome: 'oops', exitCode: r.exitCode ?? 1, detail: worst.excerpt };
  return { ...base, outcome: 'exit', exitCode: r.exitCode ?? 1 };
}

