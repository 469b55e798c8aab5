/**
 * One request, its replies, and its ACK or error, as a promise; or several
 * in one datagram (`requestBatch`). The messages of each answer go through
 * a reply engine (`replies.ts`).
 * @module
 */
import type { RequestLayout } from './ack.js';
import { NLM_F } from './constants.js';
import { InvalidArgumentError, NetlinkTimeoutError } from './errors.js';
import { encodeMessage, type MessageInit, type NetlinkMessage } from './header.js';
import { createReplyEngine, type AckWarning, type ReplyEngine } from './replies.js';
import type { NetlinkSocket } from './socket.js';
import { DEFAULT_TIMEOUT_MS, timeoutMs, warningSink } from './exchange.js';

/** Options of {@link request}. */
export interface RequestOptions {
  /**
   * Set `NLM_F_ACK` and wait for the ACK (default true). Without it the
   * request ends at its first reply that is not part of a multipart answer.
   */
  ack?: boolean;
  /**
   * Reject with {@link NetlinkTimeoutError} after this many milliseconds.
   * Default {@link DEFAULT_TIMEOUT_MS} (10 s); `Infinity` waits forever.
   */
  timeout?: number;
  /** Abort the wait; rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Port of the peer expected to answer (default 0, the kernel). */
  peer?: number;
  /** Where the attributes are in this request, so error offsets get attribute names. */
  layout?: RequestLayout;
  /** Accept multipart answers flagged `NLM_F_DUMP_INTR` instead of rejecting with {@link DumpInterruptedError}. */
  allowInterrupted?: boolean;
  /**
   * Called when the kernel accepted the request but attached a message to
   * the ACK (iproute2 prints `Warning: …`). The socket also emits it as a
   * `'warning'` event.
   */
  onWarning?: (warning: AckWarning) => void;
}

/** A message with the header fields `request` fills in left out. */
export type RequestMessage = Omit<MessageInit, 'seq' | 'pid'> & { seq?: number };

/**
 * Sends `message` with `NLM_F_REQUEST` (plus `NLM_F_ACK` unless `ack: false`)
 * and a fresh sequence number, and resolves with the data messages
 * answering it once the exchange ends: on the ACK, on `NLMSG_DONE` for a
 * multipart answer, or on the first single reply when `ack` is false.
 * Rejects with a {@link NetlinkError} (with extended-ACK details) when the
 * kernel reports an error, {@link NetlinkTimeoutError} after 10 s by default.
 */
export function request(sock: NetlinkSocket, message: RequestMessage, options: RequestOptions = {}): Promise<NetlinkMessage[]> {
  const ack = options.ack ?? true;
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<NetlinkMessage[]>((resolve, reject) => {
    const timeout = timeoutMs(options.timeout, DEFAULT_TIMEOUT_MS);
    const seq = message.seq ?? sock.nextSeq();
    const flags = (message.flags ?? 0) | NLM_F.REQUEST | (ack ? NLM_F.ACK : 0);
    // A literal of one shape, not a spread of the caller's object: request() is the hot path.
    const bytes = encodeMessage({ type: message.type, flags, seq, pid: 0, payload: message.payload, length: message.length });
    const replies: NetlinkMessage[] = [];
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => engine.end(signal!.reason as Error);
    const engine = createReplyEngine(
      { request: bytes, layout: options.layout, allowInterrupted: options.allowInterrupted, endAtSingleReply: !ack, onWarning: warningSink(sock, options.onWarning) },
      (m) => replies.push(m),
      (err) => {
        sock.removeTransaction(seq);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(replies);
      },
      options.peer ?? 0,
    );
    sock.addTransaction(engine);
    try {
      sock.transact(bytes, options.peer ?? 0, seq, !ack);
      while (!engine.ended && sock.pull());
    } catch (e) {
      engine.end(e as Error);
    }
    // In-kernel families usually answer inside sendmsg: only a request still open needs
    // a timer, an abort listener and the event loop.
    if (engine.ended) return;
    if (timeout !== undefined) timer = sock.timer(() => engine.end(new NetlinkTimeoutError(timeout)), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.watch();
  });
}

/** Options of {@link requestBatch}: those of {@link request}, for the whole batch; every message is acknowledged. */
export type BatchOptions = Omit<RequestOptions, 'ack'>;

/**
 * Sends several requests in one datagram (one `sendmsg`), each with
 * `NLM_F_REQUEST | NLM_F_ACK` and a sequence number of its own, and
 * resolves with the data messages answering each, in message order, once
 * every one has ended. The kernel handles them one after the other, as if
 * they had been sent one by one; each answer goes through a reply engine of
 * its own. If any fails, the promise rejects with the first failure in
 * message order, after all have ended. `timeout`, `signal`, `peer`,
 * `layout` and `onWarning` apply to every message.
 */
export function requestBatch(sock: NetlinkSocket, messages: readonly RequestMessage[], options: BatchOptions = {}): Promise<NetlinkMessage[][]> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<NetlinkMessage[][]>((resolve, reject) => {
    if (!Array.isArray(messages)) throw new InvalidArgumentError('messages', 'an array of messages', messages);
    const timeout = timeoutMs(options.timeout, DEFAULT_TIMEOUT_MS);
    const peer = options.peer ?? 0;
    const onWarning = warningSink(sock, options.onWarning);
    const results: NetlinkMessage[][] = [];
    const errors: (Error | undefined)[] = [];
    const engines: ReplyEngine[] = [];
    const parts: Buffer[] = [];
    let open = messages.length;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      for (const e of engines) e.end(signal!.reason as Error);
    };
    const finish = (): void => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const failed = errors.find((e) => e !== undefined);
      if (failed) reject(failed);
      else resolve(results);
    };
    if (open === 0) return resolve(results);
    messages.forEach((message, i) => {
      const seq = message.seq ?? sock.nextSeq();
      const flags = (message.flags ?? 0) | NLM_F.REQUEST | NLM_F.ACK;
      const bytes = encodeMessage({ type: message.type, flags, seq, pid: 0, payload: message.payload, length: message.length });
      const replies: NetlinkMessage[] = [];
      results.push(replies);
      errors.push(undefined);
      parts.push(bytes);
      const engine = createReplyEngine(
        { request: bytes, layout: options.layout, allowInterrupted: options.allowInterrupted, onWarning },
        (m) => replies.push(m),
        (err) => {
          sock.removeTransaction(seq);
          errors[i] = err;
          if (--open === 0) finish();
        },
        peer,
      );
      engines.push(engine);
    });
    for (const e of engines) sock.addTransaction(e);
    try {
      // The kernel answers in order: the last request's ACK ends what is already queued.
      sock.transact(Buffer.concat(parts), peer, engines[engines.length - 1]!.seq, false);
      while (open > 0 && sock.pull());
    } catch (e) {
      for (const engine of engines) engine.end(e as Error);
    }
    if (open === 0) return;
    if (timeout !== undefined) timer = sock.timer(() => onTimeout(engines, timeout), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.watch();
  });
}

function onTimeout(engines: readonly ReplyEngine[], timeout: number): void {
  for (const e of engines) e.end(new NetlinkTimeoutError(timeout));
}
