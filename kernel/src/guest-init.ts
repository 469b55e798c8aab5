// The guest's PID 1: a busybox shell script, generated here so its contract with the
// host sits in one place. It reports on ttyS3 (the control channel), one line per event:
//   init <uptime>   reached init, with the guest's seconds since the kernel started
//   cmd <uptime>    the 9p root is mounted, the command starts
//   exit <code>     the command ended with this exit status
//   fail <reason>   the guest could not get as far as running the command
// ttyS1 and ttyS2 carry the command's stdout and stderr; ttyS0 is the kernel console.

import { GUEST_HOST_ROOT } from './guest-paths.js';

/** Kernel command-line variables the script reads (the kernel hands them to init as env). */
export const GUEST_ENV = { out: 'lab_out', probe: 'lab_probe' } as const;

/** 9p mount tags shared by the host. */
export const MOUNT_TAGS = { root: 'hostroot', out: 'labout' } as const;

/**
 * A kernel whose modules are not in the host's /lib/modules (the lab's unpacked kernels): the
 * guest mounts `dir` at `<modulesRoot>/<release>` over a tmpfs, so modprobe in the guest
 * (nlmon for --pcap, a check's `modprobe team`) finds them. Both are host paths, symlinks resolved.
 */
export interface GuestModules {
  release: string;
  dir: string;
  /** The host's /lib/modules, resolved (`/usr/lib/modules` on a merged-/usr system). */
  modulesRoot: string;
}

/** Single-quoted for sh. */
function shQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

function mountModulesScript(m: GuestModules | undefined): string {
  if (!m) return '';
  const at = shQuote(`${m.modulesRoot}/${m.release}`);
  return `# The kernel's modules are in the lab's tree: where modprobe looks for them, over a tmpfs.
mount -t tmpfs labmodules $r${shQuote(m.modulesRoot)} && mkdir $r${at} && mount -o bind $r${shQuote(m.dir)} $r${at} || fail "mount the lab kernel's modules at ${m.modulesRoot}"
`;
}

/**
 * Builds /init for an initramfs whose modules to load, in order, are `modules`, and whose
 * kernel keeps the rest of its modules where `guestModules` says.
 */
export function guestInitScript(modules: readonly string[], guestModules?: GuestModules): string {
  const p9 = 'trans=virtio,version=9p2000.L,msize=512000';
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for t in 1 2 3; do stty -F /dev/ttyS$t raw -echo; done
ctl=/dev/ttyS3
say() { echo "$*" > $ctl; }
bye() { sync; reboot -f; sleep 60; }
fail() { say "fail $*"; bye; }
read up _ < /proc/uptime
say "init $up"
[ -n "$${GUEST_ENV.probe}" ] && bye
for m in ${modules.join(' ')}; do
	insmod /lab/$m.ko || fail "insmod $m"
done
# The host root, read-only; cache=loose because nothing changes it while the guest runs.
mount -t 9p -o ${p9},ro,cache=loose ${MOUNT_TAGS.root} /host || fail "mount host root over 9p"
r=${GUEST_HOST_ROOT}
mount -t 9p -o ${p9} ${MOUNT_TAGS.out} "$r$${GUEST_ENV.out}" || fail "mount results share at $${GUEST_ENV.out}"
mount -t proc proc $r/proc
mount -t sysfs sys $r/sys
mount -t devtmpfs dev $r/dev
mount -t tmpfs run $r/run && mkdir -p $r/run/tmp $r/run/netns
${mountModulesScript(guestModules)}read up _ < /proc/uptime
say "cmd $up"
chroot $r /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
	HOME=/root TMPDIR=/run/tmp LAB_OUT="$${GUEST_ENV.out}" LAB_GUEST=1 \\
	/bin/sh "$${GUEST_ENV.out}/cmd.sh" </dev/null >/dev/ttyS1 2>/dev/ttyS2
say "exit $?"
bye
`;
}
