// The CheckSocket a check crafts raw datagrams on: a reference socket from the client library
// whose answers come back decoded for the report, and which the grader closes when the check ends.

import { openSocket, type Datagram, type NetlinkSocket } from 'netlink-lab/client';
import type { CheckSocket, CheckSocketOptions } from '../check-api.js';
import type { RawExchange, ReceivedDatagram } from '../check-types.js';
import { decodeForReport } from '../decode-report.js';

function received(d: Datagram): ReceivedDatagram {
  return { from: d.port, groups: d.groups, truncated: d.truncated, bytes: d.data, ...decodeForReport(d.data) };
}

const errnoOf = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);

/** Opens the socket (throws as openSocket does) and registers its close in `cleanups`. */
export function checkSocket(unit: number, opts: CheckSocketOptions, cleanups: (() => void)[]): CheckSocket {
  const { unit: _unit, ...options } = opts;
  const sock: NetlinkSocket = openSocket(opts.unit ?? unit, options);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    sock.close();
  };
  cleanups.push(close);

  const collect = async (timeoutMs = 1000, count = Infinity): Promise<ReceivedDatagram[]> => {
    const out: ReceivedDatagram[] = [];
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        // What is queued already, without waiting (all of it when timeoutMs is 0).
        for (let d = out.length < count ? sock.receiveSync(0) : null; d; d = out.length < count ? sock.receiveSync(0) : null) out.push(received(d));
        if (out.length >= count || Date.now() >= deadline) return out;
        out.push(received(await sock.receive({ timeout: Math.max(1, deadline - Date.now()) })));
      }
    } catch {
      // The timeout, or the queue overflowed (ENOBUFS): what came so far is the answer.
      return out;
    }
  };
  const send = (datagram: Buffer, to: { port?: number } = {}): string | undefined => {
    try {
      sock.sendBytes(datagram, { port: to.port ?? 0 });
      return undefined;
    } catch (e) {
      return errnoOf(e);
    }
  };

  return {
    port: sock.port,
    send,
    collect,
    async receive(timeoutMs = 1000) {
      return received(await sock.receive({ timeout: timeoutMs }));
    },
    async exchange(datagram, o = {}) {
      const result: RawExchange = { port: sock.port, received: [] };
      const sendError = send(datagram, o.to);
      if (sendError) return { ...result, sendError };
      result.received = await collect(o.timeoutMs ?? 1000, o.count ?? 1);
      return result;
    },
    discard() {
      let n = 0;
      while (sock.receiveSync(0) !== null) n++;
      return n;
    },
    joinGroup: (group) => sock.joinGroup(group),
    close,
  };
}
