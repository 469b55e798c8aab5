/**
 * Dumps (`NLM_F_DUMP`): a multipart answer consumed as an async iterator,
 * ending at `NLMSG_DONE`.
 * @module
 */
import { decodeDoneMessage, decodeErrorMessage, toNetlinkError, type RequestLayout } from './ack.js';
import { NLM_F, NLMSG } from './constants.js';
import { DumpInterruptedError, NetlinkTimeoutError, SocketClosedError } from './errors.js';
import { encodeMessage, type NetlinkMessage } from './header.js';
import type { RequestMessage } from './request.js';
import type { NetlinkSocket, Transaction } from './socket.js';

/** Receive buffer a dump asks for at least (the kernel's guidance: 32 KiB). */
export const DUMP_RECEIVE_BUFFER = 32 * 1024;

/** Options of {@link dump}. */
export interface DumpOptions {
  /** Fail with {@link NetlinkTimeoutError} if the whole dump takes longer (ms). */
  timeout?: number;
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
}

/**
 * Sends `message` with `NLM_F_REQUEST | NLM_F_DUMP` and yields every data
 * message of the answer until `NLMSG_DONE`. Throws a {@link NetlinkError}
 * if the dump fails, and {@link DumpInterruptedError} after the last message
 * if the kernel flagged the dump as inconsistent. Breaking out early is
 * fine: the rest of the answer is read and discarded.
 */
export async function* dump(sock: NetlinkSocket, message: RequestMessage, options: DumpOptions = {}): AsyncGenerator<NetlinkMessage, void, undefined> {
  const { signal, timeout, layout } = options;
  signal?.throwIfAborted();
  if (sock.closed) throw new SocketClosedError('dump');
  sock.ensureReceiveBuffer(DUMP_RECEIVE_BUFFER);
  const seq = message.seq ?? sock.nextSeq();
  const flags = (message.flags ?? 0) | NLM_F.REQUEST | NLM_F.DUMP;
  const bytes = encodeMessage({ ...message, seq, flags, pid: 0 });
  let queue: NetlinkMessage[] = [];
  let done = false;
  let discard = false;
  let error: Error | undefined;
  let interrupted = false;
  let wake: (() => void) | undefined;
  const end = (err?: Error): void => {
    if (done) return;
    done = true;
    error ??= err;
    sock.removeTransaction(seq);
    wake?.();
  };
  const transaction: Transaction = {
    seq,
    peer: options.peer ?? 0,
    onError: end,
    onMessage(m) {
      try {
        if (m.type === NLMSG.DONE) {
          const d = decodeDoneMessage(m);
          end(d.errno ? toNetlinkError(d.errno, d.extack, { type: message.type, flags, seq, pid: 0 }, bytes, layout) : undefined);
        } else if (m.type === NLMSG.ERROR) {
          const r = decodeErrorMessage(m);
          end(r.errno ? toNetlinkError(r.errno, r.extack, r.request, bytes, layout) : undefined);
        } else if (m.type !== NLMSG.NOOP && m.type !== NLMSG.OVERRUN && !discard) {
          if (m.flags & NLM_F.DUMP_INTR) interrupted = true;
          queue.push(m);
          wake?.();
        }
      } catch (e) {
        end(e as Error);
      }
    },
  };
  const onAbort = (): void => end(signal!.reason as Error);
  const timer = timeout === undefined ? undefined : sock.timer(() => end(new NetlinkTimeoutError(timeout)), timeout);
  signal?.addEventListener('abort', onAbort, { once: true });
  let yielded = 0;
  try {
    try {
      sock.addTransaction(transaction);
      sock.sendBytes(bytes, { port: options.peer ?? 0 });
    } catch (e) {
      end(e as Error);
    }
    for (;;) {
      // The kernel refills the queue as we read, so try a synchronous read first.
      while (queue.length === 0 && !done && sock.pull());
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        for (const m of batch) {
          yielded++;
          yield m;
        }
        continue;
      }
      if (done) break;
      sock.watch();
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
    if (error) throw error;
    if (interrupted && !options.allowInterrupted) throw new DumpInterruptedError(yielded);
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    // Left early: keep reading until DONE so the rest does not surface as strays.
    if (!done) discard = true;
  }
}

/** Runs {@link dump} to the end and returns all messages. */
export async function dumpAll(sock: NetlinkSocket, message: RequestMessage, options: DumpOptions = {}): Promise<NetlinkMessage[]> {
  const out: NetlinkMessage[] = [];
  for await (const m of dump(sock, message, options)) out.push(m);
  return out;
}
