// The QEMU command line for one lab guest, as a pure function of its options.

import { GUEST_ENV, MOUNT_TAGS } from './guest-init.js';

export type Accel = 'kvm' | 'tcg';

export const QEMU = 'qemu-system-x86_64';

/** Host file descriptors QEMU writes each guest serial port to (see guestInitScript). */
export const SERIAL_FDS = { console: 3, stdout: 4, stderr: 5, control: 6 } as const;

export interface QemuArgsOptions {
  accel: Accel;
  image: string;
  initramfs: string;
  /** Host folder shared read-write; the guest mounts it at the same path. */
  shareDir: string;
  memoryMiB: number;
  /** Virtual CPUs (default 1: under TCG on a small host a second one only slows a guest down). */
  cpus?: number;
  /** Boot only far enough to prove the kernel reaches init, then reset. */
  probe?: boolean;
  /** Share the host root read-only over 9p (false for the accel probe, which never mounts it). */
  shareRoot?: boolean;
  /** More kernel parameters, e.g. the memory checks of memoryCheckParams(). */
  extraParams?: readonly string[];
}

/** Virtual CPUs: the option, else NETLINK_LAB_SMP (experiments), else 1. */
function guestCpus(o: QemuArgsOptions): number {
  return o.cpus ?? (Number(process.env.NETLINK_LAB_SMP) || 1);
}

/**
 * Kernel parameters. `panic=-1` plus QEMU's -no-reboot turns a panic into a prompt exit;
 * `quiet loglevel=5` keeps boot chatter off the slow serial console yet still prints
 * warnings, oopses and panics, which the health scan reads.
 */
export function kernelCommandLine(o: QemuArgsOptions): string {
  const params = [
    'console=ttyS0',
    'quiet',
    'loglevel=5',
    'panic=-1',
    'reboot=t',
    'rdinit=/init',
    '8250.nr_uarts=4',
    // Skip work that only costs boot time in a throwaway guest. Under TCG the crypto
    // self-tests take ~1.1 s and ACPI ~0.6 s of a ~3.5 s boot; the PC's legacy tables
    // are enough for PCI, the serial ports and a reset, but list only the boot CPU, so a
    // guest with more CPUs keeps ACPI.
    'cryptomgr.notests',
    ...(guestCpus(o) > 1 ? [] : ['acpi=off']),
    'mitigations=off',
    'no_timer_check',
    'tsc=reliable',
    'i8042.noaux',
    'i8042.nokbd',
    'random.trust_cpu=on',
    // TCG caches translated code by guest address: with no address randomisation, every
    // node process in a guest maps node and its libraries where the last one did, and
    // reuses the translations. In a throwaway guest randomisation protects nothing.
    // NETLINK_LAB_RANDMAPS=1 keeps it on, for A/B runs.
    ...(process.env.NETLINK_LAB_RANDMAPS === '1' ? [] : ['norandmaps']),
    `${GUEST_ENV.out}=${o.shareDir}`,
  ];
  if (o.probe) params.push(`${GUEST_ENV.probe}=1`);
  else params.push(...(o.extraParams ?? []));
  // For experiments and debugging: extra parameters, e.g. NETLINK_LAB_APPEND=initcall_debug.
  if (process.env.NETLINK_LAB_APPEND) params.push(process.env.NETLINK_LAB_APPEND);
  return params.join(' ');
}

function serial(fd: number, id: string): string[] {
  return ['-chardev', `socket,id=${id},fd=${fd},server=off`, '-serial', `chardev:${id}`];
}

function share(tag: string, path: string, readonly: boolean): string[] {
  const fsdev = `local,id=${tag},path=${path},security_model=none,multidevs=remap${readonly ? ',readonly=on' : ''}`;
  return ['-fsdev', fsdev, '-device', `virtio-9p-pci,fsdev=${tag},mount_tag=${tag}`];
}

export function qemuArgs(o: QemuArgsOptions): string[] {
  return [
    '-nodefaults',
    '-no-user-config',
    '-no-reboot',
    '-display', 'none',
    '-machine', `pc,accel=${o.accel}`,
    // NETLINK_LAB_CPU overrides the TCG CPU model, for A/B runs.
    '-cpu', o.accel === 'kvm' ? 'host' : (process.env.NETLINK_LAB_CPU ?? 'max'),
    '-m', String(o.memoryMiB),
    '-smp', String(guestCpus(o)),
    '-kernel', o.image,
    '-initrd', o.initramfs,
    '-append', kernelCommandLine(o),
    ...serial(SERIAL_FDS.console, 'con'),
    ...serial(SERIAL_FDS.stdout, 'out'),
    ...serial(SERIAL_FDS.stderr, 'err'),
    ...serial(SERIAL_FDS.control, 'ctl'),
    ...(o.shareRoot === false ? [] : share(MOUNT_TAGS.root, '/', true)),
    ...share(MOUNT_TAGS.out, o.shareDir, false),
  ];
}
