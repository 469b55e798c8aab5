/**
 * Multicast notifications as an async iterator over a socket's stray
 * messages.
 * @module
 */
import type { NetlinkMessage } from './header.js';
import type { Datagram, NetlinkSocket } from './socket.js';

/** A notification and the datagram it came in (sender port, groups). */
export interface Notification {
  message: NetlinkMessage;
  datagram: Datagram;
}

/**
 * Yields every message no request claimed (multicast notifications) until
 * the socket closes or `signal` aborts. A receive error (e.g. `ENOBUFS`:
 * events were lost) is thrown from the iterator.
 */
export async function* notifications(sock: NetlinkSocket, options: { signal?: AbortSignal } = {}): AsyncGenerator<Notification, void, undefined> {
  const { signal } = options;
  const queue: Notification[] = [];
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const onMessage = (message: NetlinkMessage, datagram: Datagram): void => {
    queue.push({ message, datagram });
    wake?.();
  };
  const onError = (e: Error): void => {
    failure ??= e;
    wake?.();
  };
  const onEnd = (): void => {
    ended = true;
    wake?.();
  };
  sock.on('message', onMessage);
  sock.on('error', onError);
  sock.on('close', onEnd);
  signal?.addEventListener('abort', onEnd, { once: true });
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (failure) throw failure;
      if (ended || sock.closed || signal?.aborted) {
        signal?.throwIfAborted();
        return;
      }
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    sock.off('message', onMessage);
    sock.off('error', onError);
    sock.off('close', onEnd);
    signal?.removeEventListener('abort', onEnd);
  }
}
