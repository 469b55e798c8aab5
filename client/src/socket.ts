/**
 * The netlink socket: owns the native handle, sequence numbers, and routing
 * of received messages to in-flight requests (by sequence number and sender
 * port) or, for everything else, to `receive()`, `'message'` listeners or a
 * small queue. Also the raw API used by the first lessons.
 * @module
 */
import { EventEmitter } from 'node:events';
import { NETLINK_OPT, SO_RCVBUF, SO_SNDBUF, SOL_NETLINK, SOL_SOCKET } from './constants.js';
import { InvalidArgumentError, NetlinkTimeoutError, SocketClosedError } from './errors.js';
import { align, decodeMessages, encodeMessage, encodeMessages, NLMSG_HDRLEN, type MessageInit, type NetlinkMessage } from './header.js';
import { loadNative, type NativeBinding, type NativeSocket } from './native.js';
import { inNetns, type NetnsSpec } from './netns.js';
import type { AckWarning } from './replies.js';
import { traceSocket } from './trace.js';

/** A received datagram: raw bytes plus the sender's address. */
export interface Datagram {
  /** The bytes as received; decode with `decodeMessages`. */
  data: Buffer;
  /** Sender port id (0 for the kernel). */
  port: number;
  /** Multicast groups bitmask the datagram was sent to (0 for unicast). */
  groups: number;
  /**
   * The datagram did not fit and was cut (`MSG_TRUNC`): only with the
   * socket's `maxDatagramSize` or `receiveSync`'s `bufferSize`, buffers are
   * otherwise sized per datagram. Requests and dumps fail with `DatagramTruncatedError`.
   */
  truncated: boolean;
}

/** Options of {@link openSocket}. */
export interface SocketOptions {
  /** Port id to bind. Default 0: the kernel picks a unique one (recommended). */
  port?: number;
  /** Legacy multicast groups bitmask to bind to (groups 1–32). Default 0. */
  groups?: number;
  /** Bind at open. Default true; set false to call {@link NetlinkSocket.bind} yourself. */
  bind?: boolean;
  /** Ask for extended ACKs (`NETLINK_EXT_ACK`). Default true. */
  extendedAck?: boolean;
  /** Ask for capped ACKs, without the request echoed (`NETLINK_CAP_ACK`). Default true. */
  capAck?: boolean;
  /** Ask for strict checking of requests (`NETLINK_GET_STRICT_CHK`). Default true. */
  strictCheck?: boolean;
  /** `SO_RCVBUF` in bytes (the kernel doubles it). Default: system default. */
  receiveBufferSize?: number;
  /** `SO_SNDBUF` in bytes. Default: system default. */
  sendBufferSize?: number;
  /**
   * Largest datagram the socket takes whole, in bytes (1 to 64 MiB). Default:
   * any up to 64 MiB, so nothing is ever cut. With a limit the socket reads
   * into a buffer of that size, as a C client with a fixed array does: the
   * kernel cuts a bigger datagram (`MSG_TRUNC`), and the request or dump it
   * answers fails with `DatagramTruncatedError`; to `receive()` it arrives
   * marked `truncated`. Bounds what a peer can make the socket allocate.
   */
  maxDatagramSize?: number;
  /**
   * Network namespace to open the socket in: a name from `ip netns list`
   * (`/run/netns/NAME`), a path to a namespace file (`/proc/PID/ns/net`), or
   * an open file descriptor of one (yours to close). The socket stays in it
   * for life; the process does not change namespace. Default: the caller's.
   * Needs `CAP_SYS_ADMIN`; failures are a {@link NetworkNamespaceError}.
   */
  netns?: NetnsSpec;
}

/** Options of {@link NetlinkSocket.receiveSync}. */
export interface SyncReceiveOptions {
  /** Receive into a buffer of this many bytes: a bigger datagram is cut and marked `truncated` (`MSG_TRUNC`). */
  bufferSize?: number;
}

/** Where a datagram goes. Default: the kernel (port 0, no groups). */
export interface Destination {
  port?: number;
  groups?: number;
}

/** Options of {@link NetlinkSocket.receive}. */
export interface ReceiveOptions {
  /** Give up after this many milliseconds with {@link NetlinkTimeoutError}. */
  timeout?: number;
  /** Abort the wait; rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Someone waiting for replies with a given sequence number; used by
 * `request.ts` and `dump.ts`.
 * @internal
 */
export interface Transaction {
  readonly seq: number;
  /** Expected sender port (0: the kernel). */
  readonly peer: number;
  /** `datagram` is left out for a whole datagram that no one else needs to see. */
  onMessage(msg: NetlinkMessage, datagram?: Datagram): void;
  onError(err: Error): void;
}

interface Waiter {
  resolve(d: Datagram): void;
  reject(e: Error): void;
}

/** Events of a {@link NetlinkSocket}. */
export interface SocketEvents {
  /** A message no request was waiting for (notification, late reply, peer message). */
  message: [message: NetlinkMessage, datagram: Datagram];
  /** Receive failure (e.g. `ENOBUFS` after the queue overflowed) or an undecodable datagram. */
  error: [error: Error];
  /** The socket was closed. */
  close: [];
  /** A request or dump on this socket succeeded with a warning (extended-ACK message on a successful ACK). */
  warning: [warning: AckWarning];
}

const MAX_UNCLAIMED = 1024;
/**
 * transact() receives into blocks of this size, and starts a new one when
 * less than {@link BLOCK_MIN_FREE} is left. The addon stops reading below
 * 32 KiB of room (a dump datagram's size), so 16 KiB more lets a reply and
 * its ACK arrive in one call.
 */
const BLOCK_SIZE = 128 * 1024;
const BLOCK_MIN_FREE = 48 * 1024;
const READ_BATCH = 32;
const EMPTY = new Uint8Array(0);

/**
 * A netlink socket. Create with {@link openSocket}. Datagrams are read only
 * while something waits for them (a request, `receive()`, or a `'message'`
 * listener); otherwise they stay queued in the kernel.
 *
 * Routing: a message whose sequence number belongs to an in-flight request
 * and whose sender is the request's peer (the kernel by default) goes to that
 * request. Everything else is a stray: it goes to a pending `receive()`, else
 * to `'message'` listeners, else to a queue (at most 1024 datagrams, oldest
 * dropped) that later `receive()` calls drain.
 */
export class NetlinkSocket extends EventEmitter<SocketEvents> {
  /** The netlink protocol (unit) this socket speaks. */
  readonly protocol: number;
  readonly #native: NativeSocket;
  readonly #binding: NativeBinding;
  readonly #meta: Uint32Array;
  readonly #transactions = new Map<number, Transaction>();
  readonly #waiters: Waiter[] = [];
  readonly #unclaimed: Datagram[] = [];
  readonly #one: Uint8Array[] = [EMPTY];
  readonly #scratch = Buffer.allocUnsafeSlow(64 * 1024);
  #block = Buffer.allocUnsafeSlow(BLOCK_SIZE);
  #blockUsed = 0;
  #seq = 0;
  #port = 0;
  #polling = false;
  #referenced = true;
  #closed = false;
  #rcvbufChecked = false;
  #bounded: Buffer | undefined;

  /** @internal use {@link openSocket} */
  constructor(protocol: number, options: SocketOptions = {}) {
    super();
    this.protocol = protocol;
    this.#binding = loadNative();
    const binding = this.#binding;
    this.#meta = new Uint32Array(binding.TRANSACT_META_LEN ?? 3);
    if (options.netns !== undefined && !binding.NETNS) throw new Error('netlink client: the native addon was built from older sources and cannot open a socket in another network namespace; rebuild it (npm rebuild, or npm run setup)');
    this.#native = inNetns(options.netns, (fd) => new binding.NativeSocket(protocol, this.#meta, fd));
    traceSocket('open', protocol, this.#native.fd);
    try {
      const optional = (name: keyof typeof NETLINK_OPT, on: boolean | undefined): void => {
        if (on === false) return;
        try {
          this.#native.setOption(SOL_NETLINK, NETLINK_OPT[name], 1);
          traceSocket('option', protocol, this.#native.fd, name);
        } catch {
          // Older kernels lack some options; they only improve error reports.
        }
      };
      optional('EXT_ACK', options.extendedAck);
      optional('CAP_ACK', options.capAck);
      optional('GET_STRICT_CHK', options.strictCheck);
      if (options.maxDatagramSize !== undefined) this.#bounded = this.#boundedBuffer(options.maxDatagramSize, 'maxDatagramSize');
      if (options.receiveBufferSize !== undefined) this.receiveBufferSize = options.receiveBufferSize;
      if (options.sendBufferSize !== undefined) this.#native.setOption(SOL_SOCKET, SO_SNDBUF, options.sendBufferSize);
      if (options.bind !== false) this.bind(options.port ?? 0, options.groups ?? 0);
    } catch (e) {
      traceSocket('close', protocol, this.#native.fd);
      this.#native.close();
      throw e;
    }
    const plain = this as EventEmitter; // the typed map does not list EventEmitter's own events
    plain.on('newListener', (event: string | symbol) => {
      if (event === 'message') queueMicrotask(() => this.#flushToListeners());
    });
    plain.on('removeListener', (event: string | symbol) => {
      if (event === 'message') this.#updatePolling();
    });
  }

  /** Binds to `port` (0: kernel-assigned) and legacy `groups` bitmask. */
  bind(port = 0, groups = 0): void {
    this.#ensureOpen('bind');
    this.#native.bind(port, groups);
    this.#port = this.#native.port();
  }

  /** Port id of this socket (0 before bind). */
  get port(): number {
    return this.#port;
  }

  /** The file descriptor, or -1 once closed. */
  get fd(): number {
    return this.#native.fd;
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Returns the next sequence number (never 0, which means "unchecked" to peers like libmnl). */
  nextSeq(): number {
    this.#seq = (this.#seq + 1) >>> 0 || 1;
    return this.#seq;
  }

  /** `SO_RCVBUF` as reported by the kernel (twice the requested size). */
  get receiveBufferSize(): number {
    return this.getOption(SOL_SOCKET, SO_RCVBUF);
  }

  set receiveBufferSize(bytes: number) {
    this.setOption(SOL_SOCKET, SO_RCVBUF, bytes);
  }

  /** `SO_SNDBUF` as reported by the kernel. */
  get sendBufferSize(): number {
    return this.getOption(SOL_SOCKET, SO_SNDBUF);
  }

  set sendBufferSize(bytes: number) {
    this.setOption(SOL_SOCKET, SO_SNDBUF, bytes);
  }

  /** Sets an integer socket option. Throws {@link SocketClosedError} once closed. */
  setOption(level: number, name: number, value: number): void {
    this.#ensureOpen('set a socket option');
    this.#native.setOption(level, name, value);
  }

  /** Reads an integer socket option. Throws {@link SocketClosedError} once closed. */
  getOption(level: number, name: number): number {
    this.#ensureOpen('read a socket option');
    return this.#native.getOption(level, name);
  }

  /** Joins multicast group `group` (a number; resolve genl names with `joinFamilyGroup`). */
  joinGroup(group: number): void {
    this.#ensureOpen('join a group');
    this.#native.setOption(SOL_NETLINK, NETLINK_OPT.ADD_MEMBERSHIP, group);
  }

  /** Leaves multicast group `group`. */
  leaveGroup(group: number): void {
    this.#ensureOpen('leave a group');
    this.#native.setOption(SOL_NETLINK, NETLINK_OPT.DROP_MEMBERSHIP, group);
  }

  /**
   * Encodes and sends one message, or several in one datagram. Header
   * fields are sent as given (no sequence number is assigned). Returns the bytes sent.
   */
  send(message: MessageInit | readonly MessageInit[], to?: Destination): number {
    this.#ensureOpen('send');
    const bytes = Array.isArray(message) ? encodeMessages(message) : encodeMessage(message as MessageInit);
    return this.sendBytes(bytes, to);
  }

  /**
   * Sends raw bytes as one datagram, unchecked (for crafted or malformed
   * messages). Several buffers are gathered with one `sendmsg`. Returns the bytes sent.
   */
  sendBytes(bytes: Uint8Array | readonly Uint8Array[], to: Destination = {}): number {
    this.#ensureOpen('send');
    if (bytes instanceof Uint8Array) {
      this.#one[0] = bytes;
      try {
        return this.#native.send(this.#one, to.port ?? 0, to.groups ?? 0);
      } finally {
        this.#one[0] = EMPTY;
      }
    }
    if (!Array.isArray(bytes) || !bytes.every((b) => b instanceof Uint8Array))
      throw new InvalidArgumentError('datagram', 'a Buffer, Uint8Array or array of them', bytes);
    return this.#native.send(bytes, to.port ?? 0, to.groups ?? 0);
  }

  #ensureOpen(operation: string): void {
    if (this.#closed) throw new SocketClosedError(operation);
  }

  /**
   * Waits for the next datagram not claimed by an in-flight request. Does
   * not block the event loop. Rejects with {@link NetlinkTimeoutError},
   * `signal.reason`, {@link SocketClosedError} or a receive error (e.g. `ENOBUFS`).
   */
  receive(options: ReceiveOptions = {}): Promise<Datagram> {
    const queued = this.#unclaimed.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#closed) return Promise.reject(new SocketClosedError('receive'));
    const { signal, timeout } = options;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<Datagram>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => done(signal!.reason as Error);
      const done = (err: Error | undefined, d?: Datagram): void => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#updatePolling();
        if (err) reject(err);
        else resolve(d!);
      };
      const waiter: Waiter = { resolve: (d) => done(undefined, d), reject: (e) => done(e) };
      this.#waiters.push(waiter);
      if (timeout !== undefined) timer = this.timer(() => done(new NetlinkTimeoutError(timeout)), timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#updatePolling();
      this.pull();
    });
  }

  /**
   * Blocks the whole thread (like the C `recvmsg` in the article) until a
   * datagram arrives or `timeoutMs` elapses (negative: forever). Returns
   * `null` on timeout; throws system errors such as `ENOBUFS`.
   * Returns queued unclaimed datagrams first.
   *
   * By default any datagram arrives whole (up to 64 MiB, or the socket's
   * `maxDatagramSize`). With `bufferSize`
   * it is received into a buffer of that many bytes, as a C client's
   * `recvmsg()` into a fixed array: the kernel cuts a bigger one and sets
   * `MSG_TRUNC`, which shows as `truncated`.
   */
  receiveSync(timeoutMs = -1, options: SyncReceiveOptions = {}): Datagram | null {
    const queued = this.#unclaimed.shift();
    if (queued) return queued;
    if (this.#closed) throw new SocketClosedError('receive');
    const bounded = options.bufferSize === undefined ? undefined : this.#boundedBuffer(options.bufferSize);
    for (;;) {
      const d = bounded ? this.#readBounded(bounded) : this.#read();
      if (d instanceof Error) throw d;
      if (d) return d;
      if (!this.#native.waitReadable(timeoutMs)) return null;
    }
  }

  /** Keeps the event loop alive while the socket waits for data (default). */
  ref(): this {
    this.#referenced = true;
    this.#native.ref();
    return this;
  }

  /** Lets the process exit even if the socket is waiting for data. Timers of its requests are unref'd too. */
  unref(): this {
    this.#referenced = false;
    this.#native.unref();
    return this;
  }

  /** Closes the socket; pending operations fail with {@link SocketClosedError}. Safe to call more than once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#polling = false;
    traceSocket('close', this.protocol, this.#native.fd);
    this.#native.close();
    const err = new SocketClosedError();
    for (const t of [...this.#transactions.values()]) t.onError(err);
    this.#transactions.clear();
    for (const w of [...this.#waiters]) w.reject(err);
    this.emit('close');
  }

  /** Disposes the socket (`using sock = openSocket(...)`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Registers an in-flight request. */
  addTransaction(t: Transaction): void {
    this.#ensureOpen('send a request');
    this.#transactions.set(t.seq, t);
  }

  /** @internal Forgets an in-flight request. */
  removeTransaction(seq: number): void {
    if (this.#transactions.delete(seq)) this.#updatePolling();
  }

  /** @internal Starts watching the fd if a transaction is still waiting. */
  watch(): void {
    this.#updatePolling();
  }

  /** @internal A timer that follows the socket's ref state. */
  timer(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(fn, ms);
    if (!this.#referenced) t.unref();
    return t;
  }

  /** @internal Makes sure the receive buffer is at least `bytes` (dumps want 32 KiB). */
  ensureReceiveBuffer(bytes: number): void {
    if (this.#rcvbufChecked) return;
    this.#rcvbufChecked = true;
    if (this.receiveBufferSize < bytes) this.receiveBufferSize = bytes;
  }

  /**
   * @internal Reads what is already queued without waiting and dispatches
   * it; returns false when nothing was queued. In-kernel families
   * answer inside `sendmsg`, so pulling right after sending usually completes
   * a request without an event-loop turn. Callers pull one datagram at a
   * time while they still wait, so no syscall is spent discovering an empty queue.
   */
  pull(): boolean {
    if (this.#closed) return false;
    const d = this.#read();
    if (d === undefined) return false;
    if (d instanceof Error) this.#fail(d);
    else this.#route(d);
    return true;
  }

  /**
   * @internal Sends a request and routes the answer already queued: the
   * request goes out through {@link sendBytes} (so whatever wraps that sees
   * every datagram the library sends), then one call into the addon reads
   * back to back until the datagram holding the end of exchange `seq` (a
   * control message; with `single` also a data message without
   * `NLM_F_MULTI`) or until nothing more is queued. What each message means
   * is still the reply engine's to decide; if it has not ended, the caller
   * goes on with {@link pull}. On a socket with `maxDatagramSize` (or an
   * addon built from older sources) only the send happens here.
   *
   * The kernel writes the datagrams straight into a 128 KiB block that is
   * never written again once handed out, so their messages are views, not
   * copies, and stay valid for as long as anyone holds them (holding one
   * keeps its block alive, as a slice of Node's Buffer pool does).
   */
  transact(bytes: Uint8Array, port: number, seq: number, single: boolean): void {
    this.sendBytes(bytes, { port });
    const b = this.#binding;
    if (this.#bounded || b.TRANSACT_META_LEN === undefined || this.#closed) return;
    if (BLOCK_SIZE - this.#blockUsed < BLOCK_MIN_FREE) {
      this.#block = Buffer.allocUnsafeSlow(BLOCK_SIZE);
      this.#blockUsed = 0;
    }
    const block = this.#block;
    const r = this.#native.transact(EMPTY, port, block, this.#blockUsed, seq, single ? b.STOP_AT_SINGLE! : b.STOP_AT_CONTROL!);
    const m = this.#meta;
    const count = m[3]!;
    if (count > 0) {
      const last = 4 + (count - 1) * 5;
      this.#blockUsed = (m[last]! + m[last + 1]! + 3) & ~3;
    }
    if (count === 1 && typeof r === 'number') {
      this.#routeFrame(block, m[4]!, m[5]!, m[6]!, m[7]!, m[8]!);
      return;
    }
    // Take every frame's description before routing any: a 'message' listener may read the socket again.
    const frames = m.slice(4, 4 + count * 5);
    const big: Datagram | undefined = r instanceof Uint8Array ? { data: r, port: m[0]!, groups: m[1]!, truncated: (m[2]! & b.FLAG_TRUNCATED) !== 0 } : undefined;
    for (let at = 0; at < frames.length && !this.#closed; at += 5) this.#routeFrame(block, frames[at]!, frames[at + 1]!, frames[at + 2]!, frames[at + 3]!, frames[at + 4]!);
    if (big && !this.#closed) this.#route(big);
    if (r instanceof Error) this.#fail(r);
  }

  /**
   * Routes a datagram that transact() left in `block`, as {@link #route}
   * does; when its framing is sound, without a view of the whole datagram
   * unless some message is a stray (one Buffer per message, not two).
   */
  #routeFrame(block: Buffer, off: number, len: number, port: number, groups: number, flags: number): void {
    const end = off + len;
    let sound = (flags & this.#binding.FLAG_TRUNCATED) === 0 && this.#transactions.size > 0;
    for (let at = off; sound && at < end; ) {
      const n = end - at >= NLMSG_HDRLEN ? block.readUInt32LE(at) : 0;
      if (n < NLMSG_HDRLEN || n > end - at) sound = false;
      else at += Math.min(align(n), end - at);
    }
    const whole = (): Datagram => ({ data: block.subarray(off, end), port, groups, truncated: (flags & this.#binding.FLAG_TRUNCATED) !== 0 });
    if (!sound) return this.#route(whole());
    let strays: NetlinkMessage[] | undefined;
    let total = 0;
    for (let at = off; at < end; total++) {
      const n = block.readUInt32LE(at);
      const msg: NetlinkMessage = { type: block.readUInt16LE(at + 4), flags: block.readUInt16LE(at + 6), seq: block.readUInt32LE(at + 8), pid: block.readUInt32LE(at + 12), payload: block.subarray(at + NLMSG_HDRLEN, at + n) };
      at += Math.min(align(n), end - at);
      const t = this.#transactions.get(msg.seq);
      if (t && port === t.peer && (msg.pid === this.#port || msg.pid === 0)) t.onMessage(msg);
      else (strays ??= []).push(msg);
    }
    if (strays) this.#stray(strays.length === total ? whole() : { port, groups, truncated: false, data: encodeMessages(strays) });
  }

  #boundedBuffer(size: number, argument = 'bufferSize'): Buffer {
    if (!Number.isInteger(size) || size < 1 || size > 64 * 1024 * 1024) throw new InvalidArgumentError(argument, 'an integer from 1 to 64 MiB', size);
    if (!this.#binding.BOUNDED_READ) throw new Error('netlink client: the native addon was built from older sources and cannot bound a receive; rebuild it (npm rebuild, or npm run setup)');
    return Buffer.alloc(size);
  }

  /** Reads one datagram without waiting into `buffer` only, so the kernel cuts a bigger one. */
  #readBounded(buffer: Buffer): Datagram | Error | undefined {
    const item = this.#native.readInto(buffer, false);
    if (item === undefined || item instanceof Error) return item;
    const data = Buffer.from(typeof item === 'number' ? buffer.subarray(0, item) : item);
    const m = this.#meta;
    return { data, port: m[0]!, groups: m[1]!, truncated: (m[2]! & this.#binding.FLAG_TRUNCATED) !== 0 };
  }

  /** Reads one datagram without waiting (cut at `maxDatagramSize` if the socket has one). */
  #read(): Datagram | Error | undefined {
    if (this.#bounded) return this.#readBounded(this.#bounded);
    const item = this.#native.readInto(this.#scratch);
    if (item === undefined || item instanceof Error) return item;
    let data: Buffer;
    if (typeof item === 'number') {
      // Copy out of the scratch area into a Buffer the caller may keep (pooled when small).
      data = Buffer.allocUnsafe(item);
      this.#scratch.copy(data, 0, 0, item);
    } else data = item;
    const m = this.#meta;
    return { data, port: m[0]!, groups: m[1]!, truncated: (m[2]! & this.#binding.FLAG_TRUNCATED) !== 0 };
  }

  /** A libuv wakeup: read a bounded batch so one busy socket cannot starve the loop. */
  #onReadable = (): void => {
    for (let i = 0; i < READ_BATCH && this.#polling && this.pull(); i++);
  };

  #route(d: Datagram): void {
    if (this.#transactions.size === 0) return this.#stray(d);
    if (d.truncated) return this.#routeTruncated(d);
    let msgs: NetlinkMessage[];
    try {
      msgs = decodeMessages(d.data);
    } catch {
      return this.#stray(d);
    }
    let strays: NetlinkMessage[] | undefined;
    for (const m of msgs) {
      const t = this.#transactions.get(m.seq);
      // Like mnl_cb_run: match seq and sender; nlmsg_pid must be ours unless the peer left it 0.
      if (t && d.port === t.peer && (m.pid === this.#port || m.pid === 0)) t.onMessage(m, d);
      else (strays ??= []).push(m);
    }
    if (strays) this.#stray(strays.length === msgs.length ? d : { ...d, data: encodeMessages(strays) });
  }

  /** A cut datagram is not parsed: its first header says which request it answers, and that request fails. */
  #routeTruncated(d: Datagram): void {
    if (d.data.length < NLMSG_HDRLEN) return this.#stray(d);
    const [type, flags, seq, pid] = [d.data.readUInt16LE(4), d.data.readUInt16LE(6), d.data.readUInt32LE(8), d.data.readUInt32LE(12)];
    const t = this.#transactions.get(seq);
    if (t && d.port === t.peer) t.onMessage({ type, flags, seq, pid, payload: d.data.subarray(NLMSG_HDRLEN) }, d);
    else this.#stray(d);
  }

  #stray(d: Datagram): void {
    const w = this.#waiters[0];
    if (w) return w.resolve(d);
    if (this.listenerCount('message') > 0) return this.#emitMessages(d);
    this.#unclaimed.push(d);
    if (this.#unclaimed.length > MAX_UNCLAIMED) this.#unclaimed.shift();
  }

  #emitMessages(d: Datagram): void {
    let msgs: NetlinkMessage[];
    try {
      msgs = decodeMessages(d.data);
    } catch (e) {
      this.emit('error', e as Error);
      return;
    }
    for (const m of msgs) this.emit('message', m, d);
  }

  #flushToListeners(): void {
    while (this.listenerCount('message') > 0 && this.#unclaimed.length > 0) this.#emitMessages(this.#unclaimed.shift()!);
    this.#updatePolling();
  }

  #fail(err: Error): void {
    const consumers = this.#transactions.size + this.#waiters.length;
    // Data may have been lost: every waiter learns about it.
    for (const t of [...this.#transactions.values()]) t.onError(err);
    for (const w of [...this.#waiters]) w.reject(err);
    if (this.listenerCount('error') > 0 || consumers === 0) this.emit('error', err);
  }

  #updatePolling(): void {
    if (this.#closed) return;
    const wanted = this.#transactions.size > 0 || this.#waiters.length > 0 || this.listenerCount('message') > 0;
    if (wanted && !this.#polling) {
      this.#native.start(this.#onReadable);
      this.#polling = true;
    } else if (!wanted && this.#polling) {
      this.#native.stop();
      this.#polling = false;
    }
  }
}

/**
 * Opens a netlink socket for `protocol` (`NETLINK.ROUTE`, `NETLINK.GENERIC`,
 * or a custom unit such as 31), applies options and binds it.
 * Throws a system error (e.g. `EPROTONOSUPPORT` when no kernel module
 * serves the unit, `EADDRINUSE` when the port is taken).
 */
export function openSocket(protocol: number, options: SocketOptions = {}): NetlinkSocket {
  return new NetlinkSocket(protocol, options);
}
