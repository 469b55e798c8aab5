/**
 * One request, its replies, and its ACK or error — the reply handling of
 * libmnl's `mnl_cb_run`, as a promise.
 * @module
 */
import { decodeDoneMessage, decodeErrorMessage, toNetlinkError, type RequestLayout } from './ack.js';
import { NLM_F, NLMSG } from './constants.js';
import { DumpInterruptedError, NetlinkTimeoutError } from './errors.js';
import { encodeMessage, type MessageInit, type NetlinkMessage } from './header.js';
import type { NetlinkSocket, Transaction } from './socket.js';

/** Options of {@link request}. */
export interface RequestOptions {
  /**
   * Set `NLM_F_ACK` and wait for the ACK (default true). Without it the
   * request ends at its first reply that is not part of a multipart answer.
   */
  ack?: boolean;
  /** Reject with {@link NetlinkTimeoutError} after this many milliseconds. */
  timeout?: number;
  /** Abort the wait; rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Port of the peer expected to answer (default 0, the kernel). */
  peer?: number;
  /** Where the attributes are in this request, so error offsets get attribute names. */
  layout?: RequestLayout;
  /** Accept multipart answers flagged `NLM_F_DUMP_INTR` instead of rejecting with {@link DumpInterruptedError}. */
  allowInterrupted?: boolean;
}

/** A message with the header fields `request` fills in left out. */
export type RequestMessage = Omit<MessageInit, 'seq' | 'pid'> & { seq?: number };

/**
 * Sends `message` with `NLM_F_REQUEST` (plus `NLM_F_ACK` unless `ack: false`)
 * and a fresh sequence number, and resolves with the data messages
 * answering it once the exchange ends: on the ACK, on `NLMSG_DONE` for a
 * multipart answer, or on the first single reply when `ack` is false.
 * Rejects with a {@link NetlinkError} (with extended-ACK details) when the
 * kernel reports an error.
 */
export function request(sock: NetlinkSocket, message: RequestMessage, options: RequestOptions = {}): Promise<NetlinkMessage[]> {
  const ack = options.ack ?? true;
  const { signal, timeout, layout } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<NetlinkMessage[]>((resolve, reject) => {
    const seq = message.seq ?? sock.nextSeq();
    const flags = (message.flags ?? 0) | NLM_F.REQUEST | (ack ? NLM_F.ACK : 0);
    const bytes = encodeMessage({ ...message, seq, flags, pid: 0 });
    const replies: NetlinkMessage[] = [];
    let interrupted = false;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => finish(signal!.reason as Error);
    const finish = (err?: Error): void => {
      if (finished) return;
      finished = true;
      sock.removeTransaction(seq);
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!err && interrupted && !options.allowInterrupted) err = new DumpInterruptedError(replies.length);
      if (err) reject(err);
      else resolve(replies);
    };
    const transaction: Transaction = {
      seq,
      peer: options.peer ?? 0,
      onError: finish,
      onMessage(m) {
        try {
          if (m.type === NLMSG.ERROR) {
            const r = decodeErrorMessage(m);
            if (r.errno === 0) finish();
            else finish(toNetlinkError(r.errno, r.extack, r.request, bytes, layout));
          } else if (m.type === NLMSG.DONE) {
            const d = decodeDoneMessage(m);
            if (d.errno) finish(toNetlinkError(d.errno, d.extack, { type: message.type, flags, seq, pid: 0 }, bytes, layout));
            else finish();
          } else if (m.type !== NLMSG.NOOP && m.type !== NLMSG.OVERRUN) {
            replies.push(m);
            if (m.flags & NLM_F.DUMP_INTR) interrupted = true;
            if (!ack && !(m.flags & NLM_F.MULTI)) finish();
          }
        } catch (e) {
          finish(e as Error);
        }
      },
    };
    sock.addTransaction(transaction);
    try {
      sock.sendBytes(bytes, { port: options.peer ?? 0 });
      while (!finished && sock.pull());
    } catch (e) {
      finish(e as Error);
    }
    // In-kernel families usually answer inside sendmsg: only a request still open needs
    // a timer, an abort listener and the event loop.
    if (finished) return;
    if (timeout !== undefined) timer = sock.timer(() => finish(new NetlinkTimeoutError(timeout)), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.watch();
  });
}
