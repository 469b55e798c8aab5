/**
 * Netlink client for Node: a tiny native addon for the syscalls and a
 * protocol library in TypeScript. Import from `netlink-lab/client`.
 * @packageDocumentation
 */
// The pure half (constants, errors, codecs); then what talks to the kernel.
export * from './codecs.js';
export { openSocket, NetlinkSocket } from './socket.js';
export type { Datagram, Destination, ReceiveOptions, SocketEvents, SocketOptions, SyncReceiveOptions } from './socket.js';
export * from './replies.js';
export { DEFAULT_TIMEOUT_MS } from './exchange.js';
export * from './request.js';
export * from './dump.js';
export * from './genl.js';
export * from './genl-policy.js';
export * from './notifications.js';
export * from './rtnetlink.js';
export * from './rtnetlink-address.js';
export * from './rtnetlink-route.js';
export * from './rtnetlink-neighbour.js';
export { NETNS_RUN_DIR, netnsPath, type NetnsSpec } from './netns.js';
