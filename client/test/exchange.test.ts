/**
 * The reply engine and the defaults around it: control messages, warnings
 * on successful ACKs, truncated datagrams, the default timeouts. Peers are
 * our own NETLINK_USERSOCK sockets; the kernel's side is in kernel.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createReplyEngine,
  DatagramTruncatedError,
  decodeMessages,
  DEFAULT_TIMEOUT_MS,
  dump,
  DumpInterruptedError,
  encodeAttribute,
  encodeMessage,
  encodeMessages,
  InvalidArgumentError,
  NETLINK,
  NetlinkError,
  NetlinkTimeoutError,
  NLM_F,
  NLMSG,
  NLMSGERR_ATTR,
  openSocket,
  request,
  type AckWarning,
  type NetlinkMessage,
  type NetlinkSocket,
} from '../src/index.js';

const open: NetlinkSocket[] = [];
const user = (): NetlinkSocket => {
  const s = openSocket(NETLINK.USERSOCK);
  open.push(s);
  return s;
};
afterEach(() => {
  vi.useRealTimers();
  for (const s of open.splice(0)) s.close();
});

const REQUEST = encodeMessage({ type: 0x20, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 7, pid: 0 });

/** An NLMSG_ERROR answering REQUEST: capped, with extended-ACK TLVs. */
function ack(errno: number, tlvs: Buffer[] = []): NetlinkMessage {
  const body = Buffer.concat([Buffer.alloc(4), REQUEST.subarray(0, 16), ...tlvs]);
  body.writeInt32LE(-errno, 0);
  return decodeMessages(encodeMessage({ type: NLMSG.ERROR, flags: NLM_F.CAPPED | (tlvs.length ? NLM_F.ACK_TLVS : 0), seq: 7, payload: body }))[0]!;
}
const msgTlv = (text: string): Buffer => encodeAttribute(NLMSGERR_ATTR.MSG, Buffer.from(`${text}\0`));

function run(messages: NetlinkMessage[], options: { endAtSingleReply?: boolean; allowInterrupted?: boolean } = {}) {
  const data: number[] = [];
  const warnings: AckWarning[] = [];
  const ends: (Error | undefined)[] = [];
  const engine = createReplyEngine({ request: REQUEST, ...options, onWarning: (w) => warnings.push(w) }, (m) => data.push(m.type), (e) => ends.push(e));
  const stoppedAt = messages.findIndex((m) => engine.feed(m));
  return { data, warnings, ends, stoppedAt, received: engine.received };
}
const msg = (type: number, flags = 0, payload = Buffer.alloc(4)): NetlinkMessage => ({ type, flags, seq: 7, pid: 0, payload });

describe('reply engine', () => {
  it('skips NOOP and OVERRUN, delivers data, ends once at the ACK', () => {
    const r = run([msg(NLMSG.NOOP), msg(0x21), msg(NLMSG.OVERRUN), msg(0x22), ack(0), msg(0x23)]);
    expect(r).toMatchObject({ data: [0x21, 0x22], ends: [undefined], stoppedAt: 4, received: 2, warnings: [] });
  });

  it('an error ACK ends with NetlinkError, NLMSG_DONE with an error too', () => {
    expect(run([ack(13)]).ends[0]).toMatchObject({ code: 'EACCES' });
    const done = Buffer.alloc(4);
    done.writeInt32LE(-2, 0);
    const r = run([msg(0x21, NLM_F.MULTI), msg(NLMSG.DONE, NLM_F.MULTI, done)]);
    expect(r.data).toEqual([0x21]);
    expect(r.ends[0]).toBeInstanceOf(NetlinkError);
    expect((r.ends[0] as NetlinkError).request).toMatchObject({ type: 0x20, seq: 7 });
  });

  it('a successful ACK with a message is a warning, not an error', () => {
    const r = run([ack(0, [msgTlv('quantum is big')])]);
    expect(r.ends).toEqual([undefined]);
    expect(r.warnings).toEqual([{ message: 'quantum is big', extack: { message: 'quantum is big' }, request: { type: 0x20, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 7, pid: 0 } }]);
  });

  it('NLM_F_DUMP_INTR ends with DumpInterruptedError unless allowed', () => {
    const answer = [msg(0x21, NLM_F.MULTI | NLM_F.DUMP_INTR), msg(NLMSG.DONE, NLM_F.MULTI)];
    expect(run(answer).ends[0]).toBeInstanceOf(DumpInterruptedError);
    expect(run(answer, { allowInterrupted: true }).ends).toEqual([undefined]);
  });

  it('without an ACK the first single reply ends the exchange', () => {
    expect(run([msg(0x21, NLM_F.MULTI), msg(0x22), msg(0x23)], { endAtSingleReply: true })).toMatchObject({ data: [0x21, 0x22], stoppedAt: 1 });
  });

  it('a truncated datagram ends with DatagramTruncatedError and is not parsed', () => {
    const datagram = encodeMessages([{ type: 0x21, seq: 7, payload: Buffer.alloc(64) }, { type: NLMSG.DONE, seq: 7, payload: Buffer.alloc(4) }]);
    const data: number[] = [];
    let end: Error | undefined;
    const engine = createReplyEngine({ request: REQUEST }, (m) => data.push(m.type), (e) => (end = e));
    expect(engine.feedDatagram({ data: datagram.subarray(0, 40), truncated: true })).toBe(true);
    expect(end).toBeInstanceOf(DatagramTruncatedError);
    expect(end).toMatchObject({ code: 'ENOSPC', received: 40 });
    expect(data).toEqual([]);
  });

  it('feedDatagram walks a whole datagram and skips other sequence numbers', () => {
    const datagram = encodeMessages([
      { type: 0x21, seq: 7, flags: NLM_F.MULTI },
      { type: 0x22, seq: 8, flags: NLM_F.MULTI },
      { type: 0x23, seq: 7, flags: NLM_F.MULTI },
      { type: NLMSG.DONE, seq: 7, flags: NLM_F.MULTI, payload: Buffer.alloc(4) },
    ]);
    const data: number[] = [];
    const ends: (Error | undefined)[] = [];
    const engine = createReplyEngine({ request: REQUEST }, (m) => data.push(m.type), (e) => ends.push(e));
    expect(engine.feedDatagram({ data: datagram, truncated: false })).toBe(true);
    expect(data).toEqual([0x21, 0x23]);
    expect(ends).toEqual([undefined]);
  });
});

describe('warnings through request()', () => {
  it('reach onWarning and the socket\'s warning event', async () => {
    const client = user();
    const server = user();
    const seen: string[] = [];
    client.on('warning', (w) => seen.push(`event: ${w.message}`));
    const p = request(client, { type: 0x20 }, { peer: server.port, onWarning: (w) => seen.push(`callback: ${w.message}`) });
    const [req] = decodeMessages(server.receiveSync(1000)!.data);
    const body = Buffer.concat([Buffer.alloc(4), encodeMessage({ type: req!.type, flags: req!.flags, seq: req!.seq }).subarray(0, 16), msgTlv('deprecated option')]);
    server.send({ type: NLMSG.ERROR, flags: NLM_F.CAPPED | NLM_F.ACK_TLVS, seq: req!.seq, pid: client.port, payload: body }, { port: client.port });
    await expect(p).resolves.toEqual([]);
    expect(seen).toEqual(['callback: deprecated option', 'event: deprecated option']);
  });
});

describe('default timeouts', () => {
  it(`request() gives up after DEFAULT_TIMEOUT_MS (${DEFAULT_TIMEOUT_MS} ms) when no timeout is given`, async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const client = user();
    const server = user();
    const p = request(client, { type: 0x20 }, { peer: server.port });
    const outcome = p.then(() => 'resolved', (e: unknown) => e);
    await vi.advanceTimersByTimeAsync(DEFAULT_TIMEOUT_MS - 1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBeInstanceOf(NetlinkTimeoutError);
    expect(((await outcome) as Error).message).toBe(`no netlink reply within ${DEFAULT_TIMEOUT_MS} ms`);
  });

  it('timeout: Infinity waits for a late answer; an explicit timeout wins over the default', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const client = user();
    const server = user();
    const p = request(client, { type: 0x20 }, { peer: server.port, timeout: Infinity });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * DEFAULT_TIMEOUT_MS);
    const d = server.receiveSync(1000)!;
    const [req] = decodeMessages(d.data);
    server.send({ type: NLMSG.ERROR, seq: req!.seq, pid: client.port, payload: Buffer.concat([Buffer.alloc(4), d.data.subarray(0, 16)]) }, { port: client.port });
    await expect(p).resolves.toEqual([]);
    vi.useRealTimers();
    await expect(request(client, { type: 0x20 }, { peer: server.port, timeout: 30 })).rejects.toThrow('no netlink reply within 30 ms');
  });

  it('a bad timeout value is an InvalidArgumentError', async () => {
    await expect(request(user(), { type: 0x20 }, { timeout: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(dump(user(), { type: 0x20 }, { idleTimeout: Number.NaN }).next()).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('dump() fails after DEFAULT_TIMEOUT_MS without a message, but the caller\'s own time between messages does not count', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const client = user();
    const server = user();
    const start = (): { it: AsyncGenerator<NetlinkMessage>; first: Promise<IteratorResult<NetlinkMessage>>; send: (types: number[]) => void } => {
      const it = dump(client, { type: 0x20 }, { peer: server.port });
      const first = it.next();
      const [req] = decodeMessages(server.receiveSync(1000)!.data);
      const send = (types: number[]): void => {
        server.send(types.map((type) => ({ type, flags: NLM_F.MULTI, seq: req!.seq, pid: client.port, payload: Buffer.alloc(4) })), { port: client.port });
      };
      return { it, first, send };
    };
    const slowCaller = start();
    slowCaller.send([0x21, 0x22]);
    const types = [(await slowCaller.first).value?.type];
    // The caller is busy for twice the default: the dump is not waiting on the peer meanwhile.
    await vi.advanceTimersByTimeAsync(2 * DEFAULT_TIMEOUT_MS);
    types.push((await slowCaller.it.next()).value?.type);
    slowCaller.send([0x23, NLMSG.DONE]);
    for (let r = await slowCaller.it.next(); !r.done; r = await slowCaller.it.next()) types.push(r.value.type);
    expect(types).toEqual([0x21, 0x22, 0x23]);

    const silentPeer = start();
    const outcome = silentPeer.first.then(() => 'answered', (e: unknown) => e);
    await vi.advanceTimersByTimeAsync(DEFAULT_TIMEOUT_MS - 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBeInstanceOf(NetlinkTimeoutError);
  });
});
