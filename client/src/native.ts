/**
 * Loads the native addon (`client/build/Release/netlink.node`) and declares
 * its interface. The addon only performs syscalls; see `client/native/netlink.cc`.
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeAddonMissingError } from './errors.js';

/** One raw socket as implemented in C++. All methods throw Node-style system errors (`errno`, `code`, `syscall`). */
export interface NativeSocket {
  /** File descriptor, -1 once closed. */
  readonly fd: number;
  bind(port: number, groups: number): void;
  /** Port id from `getsockname`. */
  port(): number;
  setOption(level: number, name: number, value: number): void;
  getOption(level: number, name: number): number;
  /** `sendmsg` of the buffers (gathered) to `port`/`groups`; returns bytes sent. */
  send(buffers: readonly Uint8Array[], port: number, groups: number): number;
  /**
   * Non-blocking read of one datagram; the sender's [port, groups, flags]
   * go to the meta array. If it fits in `scratch` it is received there and
   * its length returned; a larger one comes back as a Buffer. `undefined`
   * when none is queued; an `Error` (e.g. `ENOBUFS`) is returned, not thrown.
   * With `spill` false a larger one is cut to `scratch` by the kernel (`MSG_TRUNC`).
   */
  readInto(scratch: Uint8Array, spill?: boolean): number | Buffer | Error | undefined;
  /**
   * `sendmsg` of `request` to `port` (none when it is empty), then non-blocking reads into `block`
   * from offset `start`, back to back, until a datagram from `port` holds a
   * message of sequence number `seq` that `mode` names as the end
   * (`STOP_AT_CONTROL`: type below `NLMSG_MIN_TYPE`; `STOP_AT_SINGLE`: also a
   * data message without `NLM_F_MULTI`), or the queue is empty, 64 datagrams
   * were read or less than 32 KiB of the block is left. Each datagram read is
   * described in the meta array after its first three slots: the count,
   * then per datagram offset (in `block`, 4-aligned), length, port, groups,
   * flags. Returns the count; a Buffer when the last datagram did not fit in
   * the room left (not counted; its sender is in meta[0..2]); or an `Error`
   * from `recvmsg`, after the counted ones. A failed `sendmsg` throws. Only
   * with a meta array of `TRANSACT_META_LEN`.
   */
  transact(request: Uint8Array, port: number, block: Uint8Array, start: number, seq: number, mode: number): number | Buffer | Error;
  /** Blocks the thread in `poll()` until readable; false on timeout. Negative timeout waits forever. */
  waitReadable(timeoutMs: number): boolean;
  /** Watches the fd with libuv; each wakeup calls `callback`, which reads. */
  start(callback: () => void): void;
  stop(): void;
  ref(): void;
  unref(): void;
  /** Idempotent. */
  close(): void;
}

/** The addon's exports. */
export interface NativeBinding {
  /**
   * `meta` (length ≥ 3) receives [port, groups, flags] of each datagram read.
   * With `netnsFd` ≥ 0 the socket is created in that network namespace (the
   * fd stays the caller's); a failure to enter it throws with `syscall: 'setns'`.
   */
  NativeSocket: new (protocol: number, meta: Uint32Array, netnsFd?: number) => NativeSocket;
  /** Meta flag: the datagram was truncated. */
  FLAG_TRUNCATED: number;
  /** Present when `readInto` takes `spill` (an addon built from older sources lacks it). */
  BOUNDED_READ?: boolean;
  /** Present when the constructor takes a network namespace fd. */
  NETNS?: boolean;
  /** Present when sockets have `transact()`: the meta array length it needs. */
  TRANSACT_META_LEN?: number;
  STOP_AT_CONTROL?: number;
  STOP_AT_SINGLE?: number;
}

/** Walks up from this file to the repository root (the directory holding `client/binding.gyp`). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'client', 'binding.gyp'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('netlink client: cannot find client/binding.gyp above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

let binding: NativeBinding | undefined;

/** Loads the addon once. Throws an explanatory error if it was not built (`npm install`). */
export function loadNative(): NativeBinding {
  if (binding) return binding;
  const root = findRoot();
  const path = join(root, 'client', 'build', 'Release', 'netlink.node');
  // Installed as a dependency, the package sits in a node_modules folder.
  if (!existsSync(path)) throw new NativeAddonMissingError(path, !root.split(sep).includes('node_modules'));
  binding = createRequire(import.meta.url)(path) as NativeBinding;
  return binding;
}
