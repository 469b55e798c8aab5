// Parses /proc/net/netlink: "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode".

import { readFileSync } from 'node:fs';
import type { ProcNetlinkSocket } from '../check-types.js';

export function parseProcNetlink(text: string): ProcNetlinkSocket[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 10)
    .map((f) => ({ protocol: Number(f[1]), port: Number(f[2]), groups: Number.parseInt(f[3]!, 16), inode: Number(f[9]) }));
}

export function readProcNetlink(): ProcNetlinkSocket[] {
  return parseProcNetlink(readFileSync('/proc/net/netlink', 'utf8'));
}

/** True when a kernel socket (port 0) is bound on `unit`. */
export function unitTaken(sockets: readonly ProcNetlinkSocket[], unit: number): boolean {
  return sockets.some((s) => s.protocol === unit && s.port === 0);
}
