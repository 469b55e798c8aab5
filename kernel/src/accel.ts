// Chooses KVM or TCG by booting a probe guest, never by trusting that /dev/kvm exists:
// on some hosts /dev/kvm opens fine and a stock kernel still aborts under it
// ("failed to set MSR 0x10a"). The verdict is cached per QEMU binary and kernel.

import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import type { Kernel } from './kernels.js';
import { CACHE_DIR } from './common/paths.js';
import { QEMU, SERIAL_FDS, type Accel } from './qemu-args.js';
import { launchQemu } from './qemu-launch.js';
import { pipeOf } from './reaper.js';

/**
 * A probe guest under working KVM reaches init in about a second; one that cannot run ends
 * at once (QEMU aborts) or hangs. 8 s leaves room for a loaded machine without making a
 * hanging host wait 20 s on its first boot, once per kernel.
 */
const PROBE_TIMEOUT_MS = 8_000;
const CACHE_FILE = join(CACHE_DIR, 'accel.json');

export interface AccelVerdict {
  accel: Accel;
  /** Why, in one line: shown by doctor and, for TCG, once per run. */
  reason: string;
}

function kvmUsable(): string | undefined {
  if (!existsSync('/dev/kvm')) return 'no /dev/kvm';
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return undefined;
  } catch {
    return 'no permission on /dev/kvm (add yourself to the kvm group)';
  }
}

function qemuPath(): string {
  try {
    return execaSync('sh', ['-c', `command -v ${QEMU}`]).stdout.trim();
  } catch {
    return QEMU;
  }
}

function cacheKey(kernel: Kernel): string {
  const q = qemuPath();
  const stamp = existsSync(q) ? statSync(q).mtimeMs : 0;
  return `${q}@${stamp}|${kernel.release}`;
}

function readCache(): Record<string, AccelVerdict> {
  try {
    return JSON.parse(readFileSync(CACHE_FILE, 'utf8'));
  } catch {
    return {};
  }
}

/** Boots `kernel` under KVM just far enough to reach init. */
export async function probeKvm(kernel: Kernel, image: string, initramfs: string): Promise<AccelVerdict> {
  const missing = kvmUsable();
  if (missing) return { accel: 'tcg', reason: missing };
  const shareDir = mkdtempSync(join(CACHE_DIR, 'probe-'));
  try {
    const proc = launchQemu({ accel: 'kvm', image, kernel, initramfs, shareDir, memoryMiB: 256, probe: true });
    let control = '';
    let qemuErr = '';
    pipeOf(proc, SERIAL_FDS.control).on('data', (c: Buffer) => (control += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (qemuErr += c.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    await proc;
    clearTimeout(timer);
    if (/^init /m.test(control)) return { accel: 'kvm', reason: 'a probe guest booted under KVM' };
    const why = qemuErr.trim().split('\n').pop() || 'the probe guest did not reach init';
    return { accel: 'tcg', reason: `KVM is present but a guest does not boot under it (${why})` };
  } finally {
    rmSync(shareDir, { recursive: true, force: true });
  }
}

/** The accelerator for `kernel`, from the cache or a fresh probe. */
export async function accelVerdict(kernel: Kernel, image: string, initramfs: string, fresh = false): Promise<AccelVerdict> {
  const env = process.env.NETLINK_LAB_ACCEL;
  if (env === 'kvm' || env === 'tcg') return { accel: env, reason: 'set by NETLINK_LAB_ACCEL' };
  const key = cacheKey(kernel);
  const cache = readCache();
  const cached = cache[key];
  if (cached && !fresh) return cached;
  const verdict = await probeKvm(kernel, image, initramfs);
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(CACHE_FILE, JSON.stringify({ ...cache, [key]: verdict }, null, 2));
  return verdict;
}
