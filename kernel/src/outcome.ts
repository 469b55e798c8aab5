// What a guest run came to, and the exit code the `lab vm` command gives each outcome.

import type { HealthEvent } from './console-scan.js';
import type { Accel } from './qemu-args.js';

/**
 * - `exit`: the command ran and returned `exitCode`; the kernel stayed healthy.
 * - `oops`: the command returned, but the kernel logged an Oops, BUG, WARNING or lockup.
 * - `panic`: the kernel panicked; the guest is gone.
 * - `timeout`: nothing finished within the time limit; QEMU was killed.
 * - `boot-failure`: the guest never got as far as running the command.
 */
export type Outcome = 'exit' | 'oops' | 'panic' | 'timeout' | 'boot-failure';

/** Exit codes of `npm run lab -- vm` for outcomes other than a plain exit. */
export const OUTCOME_EXIT_CODES: Record<Exclude<Outcome, 'exit'>, number> = {
  oops: 121,
  panic: 122,
  'boot-failure': 123,
  timeout: 124,
};

/** Phase durations in milliseconds, from the host's clock and the guest's uptime. */
export interface VmTimings {
  /** QEMU start until the kernel began running (host time to init, less guest uptime at init). */
  qemuToKernel?: number;
  /** Kernel start until /init runs. */
  kernelToInit?: number;
  /** /init until the command starts (modules, 9p mounts). */
  initToCommand?: number;
  /** The command itself. */
  command?: number;
  /** The command's end until QEMU exited. */
  shutdown?: number;
  total: number;
}

export interface VmResult {
  outcome: Outcome;
  /** The command's exit status, when it got that far. */
  exitCode?: number;
  /** Every health event in the console, in order. */
  health: HealthEvent[];
  /** For a panic, oops, timeout or boot failure: the lines that explain it. */
  detail?: string;
  accel: Accel;
  /** Why that accelerator, one line (e.g. why KVM was not used). */
  accelReason: string;
  kernelRelease: string;
  timings: VmTimings;
  /** The full kernel console, also saved as `console.log` in `shareDir`. */
  console: string;
  /** The run's folder, shared read-write with the guest. */
  shareDir: string;
  /** QEMU's process id (gone by the time the result exists). */
  qemuPid?: number;
}
