/**
 * One request, its replies, and its ACK or error, as a promise. The
 * messages of the answer go through the reply engine (`replies.ts`).
 * @module
 */
import type { RequestLayout } from './ack.js';
import { NLM_F } from './constants.js';
import { NetlinkTimeoutError } from './errors.js';
import { encodeMessage, type MessageInit, type NetlinkMessage } from './header.js';
import { createReplyEngine, type AckWarning } from './replies.js';
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
