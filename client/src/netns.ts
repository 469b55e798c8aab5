/**
 * Which network namespace a socket is opened in: a name as `ip netns`
 * knows it, a path to a namespace file, or an open file descriptor. The
 * addon enters the namespace on a thread of its own (`netlink.cc`), so the
 * process itself never changes namespace.
 * @module
 */
import { closeSync, constants, openSync } from 'node:fs';
import { InvalidArgumentError, isSystemError, NetworkNamespaceError } from './errors.js';

/** Where `ip netns add NAME` keeps its namespaces (`/var/run/netns` links here). */
export const NETNS_RUN_DIR = '/run/netns';

/**
 * A network namespace: a name from `ip netns list` (`/run/netns/NAME`), a
 * path to a namespace file (any string with a `/`, e.g. `/proc/1234/ns/net`),
 * or an open file descriptor of one, which stays the caller's to close.
 */
export type NetnsSpec = string | number;

/** The file a namespace name or path stands for. */
export function netnsPath(netns: string): string {
  return netns.includes('/') ? netns : `${NETNS_RUN_DIR}/${netns}`;
}

/**
 * Calls `open(fd)` with a file descriptor of the namespace `netns` (-1:
 * the caller's own namespace), opening and closing it around the call
 * when `netns` is a name or path. A namespace that cannot be opened or
 * entered is a {@link NetworkNamespaceError}.
 * @internal
 */
export function inNetns<T>(netns: NetnsSpec | undefined, open: (fd: number) => T): T {
  if (netns === undefined) return open(-1);
  if (typeof netns === 'number') {
    if (!Number.isInteger(netns) || netns < 0) throw new InvalidArgumentError('netns', 'a namespace name, a path or a file descriptor ≥ 0', netns);
    return entered(netns, () => open(netns));
  }
  if (typeof netns !== 'string' || netns === '') throw new InvalidArgumentError('netns', 'a namespace name, a path or a file descriptor ≥ 0', netns);
  const path = netnsPath(netns);
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO given by mistake fails in setns() instead of blocking open().
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw isSystemError(e) ? new NetworkNamespaceError(netns, e.code, path) : e;
  }
  try {
    return entered(netns, () => open(fd));
  } finally {
    closeSync(fd);
  }
}

/** Turns the addon's failing `setns` into a {@link NetworkNamespaceError}. */
function entered<T>(netns: NetnsSpec, open: () => T): T {
  try {
    return open();
  } catch (e) {
    if (isSystemError(e) && e.syscall === 'setns') throw new NetworkNamespaceError(netns, e.code, typeof netns === 'string' ? netnsPath(netns) : undefined);
    throw e;
  }
}
