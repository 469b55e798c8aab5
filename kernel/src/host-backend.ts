// The host backend: the same command on the running kernel, for a student on a disposable
// Linux machine. It loads code into this kernel, so it refuses unless asked explicitly,
// and it checks that the kernel can load modules at all before it starts anything.

import { existsSync } from 'node:fs';
import { release } from 'node:os';
import type { Writable } from 'node:stream';
import { execa } from 'execa';
import { scanKernelLog, worstEvent } from './console-scan.js';
import { LabError } from './common/errors.js';
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

/** Throws a LabError unless the student consented and this host can load modules. */
export function requireHostBackend(consent: boolean): void {
  if (!consent) throw new LabError(`the host backend needs ${HOST_CONSENT_FLAG}`, HOST_WARNING);
  const problem = hostBackendProblem();
  if (problem) throw problem;
}

async function kernelLog(): Promise<string> {
  const r = await execa('dmesg', [], { reject: false });
  return r.stdout;
}

/** Options of {@link runOnHost}: the consent flag plus the parts of a guest run that apply. */
export interface HostRunOptions {
  consent: boolean;
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
  /** Where the command's output goes as it arrives; it is also kept in the result. */
  stdout?: Writable;
  stderr?: Writable;
  /** Aborting kills the command; the outcome is then `timeout`. */
  signal?: AbortSignal;
}

/**
 * Runs `command` on this machine's kernel. Throws a LabError unless `consent` is true and
 * the host can load modules. The result has the same shape as a guest run.
 */
export async function runOnHost(command: readonly string[], opts: HostRunOptions): Promise<VmRun> {
  requireHostBackend(opts.consent);
  process.stderr.write(`${HOST_WARNING}\n`);
  const before = await kernelLog();
  const start = performance.now();
  const [file, ...args] = command;
  const proc = execa(file!, args, {
    reject: false,
    timeout: opts.timeoutMs ?? 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  if (opts.stdout) proc.stdout?.on('data', (c: Buffer) => opts.stdout!.write(c));
  if (opts.stderr) proc.stderr?.on('data', (c: Buffer) => opts.stderr!.write(c));
  const r = await proc;
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
    shareDir: opts.cwd ?? process.cwd(),
    stdout: r.stdout,
    stderr: r.stderr,
  };
  if (r.timedOut || r.isCanceled) return { ...base, outcome: 'timeout', detail: r.isCanceled ? String((opts.signal?.reason as Error)?.message ?? 'stopped') : 'timed out' };
  if (worst) return { ...base, outcome: 'oops', exitCode: r.exitCode ?? 1, detail: worst.excerpt };
  return { ...base, outcome: 'exit', exitCode: r.exitCode ?? 1 };
}
