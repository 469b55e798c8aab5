// A NETLINK_ROUTE and a NETLINK_GENERIC socket on the host kernel, opened before a test file's
// tests and closed after them, for the files that exchange messages with the kernel.
import { afterAll, beforeAll } from 'vitest';
import { NETLINK, openSocket, type NetlinkSocket } from '../src/index.js';

export interface KernelSockets {
  route: NetlinkSocket;
  generic: NetlinkSocket;
}

/** Call at the top of a test file; the sockets are there from its first test on. */
export function kernelSockets(): KernelSockets {
  const sockets = {} as KernelSockets;
  beforeAll(() => {
    sockets.route = openSocket(NETLINK.ROUTE);
    sockets.generic = openSocket(NETLINK.GENERIC);
  });
  afterAll(() => {
    sockets.route.close();
    sockets.generic.close();
  });
  return sockets;
}
