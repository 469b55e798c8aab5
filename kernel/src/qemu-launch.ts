// Starting QEMU: the one place that spawns it, used by guest runs (vm.ts) and by the
// accelerator probe (accel.ts), which therefore need not import each other.
import type { Kernel } from './kernels.js';
import { kernelConfig, memoryCheckParams } from './memcheck.js';
import { QEMU, qemuArgs, type Accel } from './qemu-args.js';
import { spawnGuarded, type GuardedProcess } from './reaper.js';

/** Starts QEMU on a prepared initramfs; shared by runs and the accelerator probe. */
export function launchQemu(opts: {
  accel: Accel;
  /** The file QEMU boots: see bootImage. */
  image: string;
  kernel: Kernel;
  initramfs: string;
  shareDir: string;
  memoryMiB: number;
  cpus?: number;
  probe?: boolean;
}): GuardedProcess {
  const args = qemuArgs({
    accel: opts.accel,
    image: opts.image,
    initramfs: opts.initramfs,
    shareDir: opts.shareDir,
    memoryMiB: opts.memoryMiB,
    ...(opts.cpus ? { cpus: opts.cpus } : {}),
    probe: opts.probe ?? false,
    shareRoot: !opts.probe,
    extraParams: opts.probe ? [] : memoryCheckParams(kernelConfig(opts.kernel)),
  });
  return spawnGuarded(QEMU, args);
}
