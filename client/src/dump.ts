/**
 * Dumps (`NLM_F_DUMP`): a multipart answer consumed as an async iterator,
 * ending at `NLMSG_DONE`. The messages of the answer go through the reply
 * engine (`replies.ts`).
 * @module
 */
import type { RequestLayout } from './ack.js';
import { NLM_F } from './constants.js';
import { NetlinkTimeoutError, SocketClosedError } from './errors.js';
import { encodeMessage, type NetlinkMessage } from './header.js';
import { createReplyEngine, type AckWarning } from './replies.js';
import type { RequestMessage } from './request.js';
import type { NetlinkSocket } from './socket.js';
import { DEFAULT_TIMEOUT_MS, timeoutMs, warningSink } from './exchange.js';

/** Receive buffer a dump asks for at least (the kernel's guidance: 32 KiB). */
export const DUMP_RECEIVE_BUFFER = 32 * 1024;

/** Options of {@link dump}. */
export interface DumpOptions {
  /** Fail with {@link NetlinkTimeoutError} if the whole dump takes longer (ms). No default; `Infinity`: none. */
  timeout?: number;
  /**
   * Fail with {@link NetlinkTimeoutError} if the peer sends nothing for this
   * long while the dump waits for it (time the caller spends between
   * iterations does not count). Default {@link DEFAULT_TIMEOUT_MS} (10 s)
   * when `timeout` is not given, else none; `Infinity` turns it off.
   */
  idleTimeout?: number;
  /** Abort the dump; the iterator throws `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Do not throw {@link DumpInterruptedError} at the end when a message
   * carried `NLM_F_DUMP_INTR`; check `message.flags` yourself.
   */
  allowInterrupted?: boolean;
  /** Port of the peer expected to answer (default 0, the kernel). */
  peer?: number;
  /** Where the attributes are in this request, so error offsets get attribute names. */
  layout?: RequestLayout;
  /** Called when `NLMSG_DONE` (or an ACK) carries a message on success; the socket also emits `'warning'`. */
  onWarning?: (warning: AckWarning) => void;
}

/**
 * Sends `message` with `NLM_F_REQUEST | NLM_F_DUMP` and yields every data
 * message of the answer until `NLMSG_DONE`. Throws a {@link NetlinkError}
 * if the dump fails, and {@link DumpInterruptedError} after the last message
 * if the kernel flagged the dump as inconsistent. Breaking out early is
 * fine: the rest of the answer is read and discarded.
 */
export async function* dump(sock: NetlinkSocket, message: RequestMessage, options: DumpOptions = {}): AsyncGenerator<NetlinkMessage, void, undefined> {
  const { signal } = options;
  signal?.throwIfAborted();
  if (sock.closed) throw new SocketClosedError('dump');
  const timeout = timeoutMs(options.timeout, undefined);
  const idleTimeout = timeoutMs(options.idleTimeout, options.timeout === undefined ? DEFAULT_TIMEOUT_MS : undefined, 'idleTimeout');
  sock.ensureReceiveBuffer(DUMP_RECEIVE_BUFFER);
  const seq = message.seq ?? sock.nextSeq();
  const flags = (message.flags ?? 0) | NLM_F.REQUEST | NLM_F.DUMP;
  const bytes = encodeMessage({ type: message.type, flags, seq, pid: 0, payload: message.payload, length: message.length });
  let queue: NetlinkMessage[] = [];
  let discard = false;
  let error: Error | undefined;
  let wake: (() => void) | undefined;
  const engine = createReplyEngine(
    { request: bytes, layout: options.layout, allowInterrupted: options.allowInterrupted, onWarning: warningSink(sock, options.onWarning) },
    (m) => {
      if (discard) return;
      queue.push(m);
      wake?.();
    },
    (err) => {
      error = err;
      sock.removeTransaction(seq);
      wake?.();
    },
    options.peer ?? 0,
  );
  const onAbort = (): void => engine.end(signal!.reason as Error);
  const timer = timeout === undefined ? undefined : sock.timer(() => engine.end(new NetlinkTimeoutError(timeout)), timeout);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      sock.addTransaction(engine);
      sock.transact(bytes, options.peer ?? 0, seq, false);
    } catch (e) {
      engine.end(e as Error);
    }
    for (;;) {
      // The kernel refills the queue as we read, so try a synchronous read first.
      while (queue.length === 0 && !engine.ended && sock.pull());
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        for (const m of batch) yield m;
        continue;
      }
      if (engine.ended) break;
      sock.watch();
      const idle = idleTimeout === undefined ? undefined : sock.timer(() => engine.end(new NetlinkTimeoutError(idleTimeout)), idleTimeout);
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (idle) clearTimeout(idle);
    }
    if (error) throw error;
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    // Left early: keep reading until DONE so the rest does not surface as strays.
    if (!engine.ended) discard = true;
  }
}

/** Runs {@link dump} to the end and returns all messages. */
export async function dumpAll(sock: NetlinkSocket, message: RequestMessage, options: DumpOptions = {}): Promise<NetlinkMessage[]> {
  const out: NetlinkMessage[] = [];
  for await (const m of dump(sock, message, options)) out.push(m);
  return out;
}

/**
 * Runs {@link dump} to the end and returns the messages of type `replyType`, each through
 * `decode`, without those `keep` refuses (for filters the kernel applies only under strict
 * checking, so the answer may hold more).
 */
export async function dumpDecoded<T>(
  sock: NetlinkSocket,
  message: RequestMessage,
  options: DumpOptions,
  replyType: number,
  decode: (m: NetlinkMessage) => T,
  keep: (item: T) => boolean = () => true,
): Promise<T[]> {
  const out: T[] = [];
  for await (const m of dump(sock, message, options)) {
    if (m.type !== replyType) continue;
    const item = decode(m);
    if (keep(item)) out.push(item);
  }
  return out;
}
