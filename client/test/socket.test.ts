/**
 * Socket behaviour on NETLINK_USERSOCK, where two of our own sockets can talk
 * to each other: raw send/receive (async and blocking), routing by seq and
 * port, timeouts, ENOBUFS, close and unref.
 */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeMessages,
  dump,
  DumpInterruptedError,
  encodeMessage,
  NETLINK,
  NetlinkError,
  NetlinkSocket,
  NetlinkTimeoutError,
  NLM_F,
  NLMSG,
  openSocket,
  request,
  SocketClosedError,
  isSystemError,
} from '../src/index.js';

const open: NetlinkSocket[] = [];
const user = (opts = {}): NetlinkSocket => {
  const s = openSocket(NETLINK.USERSOCK, opts);
  open.push(s);
  return s;
};
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe('raw unit API', () => {
  it('sends a message and receives it synchronously with the sender port', () => {
    const a = user();
    const b = user();
    expect(a.port).not.toBe(b.port);
    a.send({ type: NLMSG.MIN_TYPE, flags: NLM_F.REQUEST, seq: 7, pid: a.port, payload: 'Hello' }, { port: b.port });
    const d = b.receiveSync(1000);
    expect(d).not.toBeNull();
    expect(d!.port).toBe(a.port);
    expect(d!.truncated).toBe(false);
    const [m] = decodeMessages(d!.data);
    expect(m).toMatchObject({ type: 16, flags: 1, seq: 7, pid: a.port });
    expect(m!.payload.toString()).toBe('Hello\0');
  });

  it('receiveSync returns null on timeout', () => {
    const t = Date.now();
    expect(user().receiveSync(50)).toBeNull();
    expect(Date.now() - t).toBeGreaterThanOrEqual(40);
  });

  it('binds an explicit port and reports EADDRINUSE as a system error', () => {
    const port = 0x7f000000 + (process.pid & 0xffff);
    const a = user({ port });
    expect(a.port).toBe(port);
    let err: unknown;
    try {
      user({ port });
    } catch (e) {
      err = e;
    }
    expect(isSystemError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind', errno: 98 });
  });

  it('receives large and crafted datagrams without truncation, async', async () => {
    const a = user({ sendBufferSize: 1 << 20 });
    const b = user({ receiveBufferSize: 1 << 20 });
    const big = Buffer.alloc(100_000, 0xab);
    const pending = b.receive({ timeout: 2000 });
    a.sendBytes([Buffer.from('not netlink'), big], { port: b.port });
    const d = await pending;
    expect(d.data.length).toBe(11 + big.length);
    expect(d.truncated).toBe(false);
    expect(d.data.subarray(0, 11).toString()).toBe('not netlink');
  });

  it('receiveSync with bufferSize: the kernel cuts a bigger datagram and says MSG_TRUNC; a smaller one arrives whole', () => {
    const a = user();
    const b = user();
    a.sendBytes(Buffer.alloc(5000, 0xcd), { port: b.port });
    a.sendBytes(Buffer.alloc(100, 0xef), { port: b.port });
    const cut = b.receiveSync(1000, { bufferSize: 4096 });
    expect(cut).toMatchObject({ port: a.port, truncated: true });
    expect(cut!.data.length).toBe(4096);
    expect(cut!.data.every((x) => x === 0xcd)).toBe(true);
    // The rest of the cut datagram is gone: the next read is the next datagram.
    const whole = b.receiveSync(1000, { bufferSize: 4096 });
    expect(whole).toMatchObject({ truncated: false });
    expect(whole!.data).toEqual(Buffer.alloc(100, 0xef));
    expect(() => b.receiveSync(0, { bufferSize: 0 })).toThrow(/bufferSize/);
  });

  it('receive() times out and can be aborted', async () => {
    const s = user();
    await expect(s.receive({ timeout: 30 })).rejects.toBeInstanceOf(NetlinkTimeoutError);
    const ac = new AbortController();
    const p = s.receive({ signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});

describe('requests to a user-space peer', () => {
  it('matches the reply by seq and sender port; others become strays', async () => {
    const client = user();
    const server = user();
    const impostor = user();
    const strays: number[] = [];
    client.on('message', (m) => strays.push(m.seq));
    const p = request(client, { type: 0x20, payload: 'ping' }, { peer: server.port, timeout: 2000 });
    const d = server.receiveSync(1000)!;
    const [req] = decodeMessages(d.data);
    expect(req!.flags & NLM_F.ACK).toBeTruthy();
    const answer = (from: NetlinkSocket, type: number, payload: Buffer): void => {
      from.send({ type, seq: req!.seq, pid: client.port, payload }, { port: client.port });
    };
    // Same seq from the wrong port, then an unrelated seq, then the real answer and ACK.
    answer(impostor, 0x21, Buffer.from('fake'));
    server.send({ type: 0x21, seq: req!.seq + 1, pid: client.port }, { port: client.port });
    answer(server, 0x21, Buffer.from('pong'));
    const ack = Buffer.alloc(4 + 16);
    d.data.copy(ack, 4, 0, 16);
    answer(server, NLMSG.ERROR, ack);
    const replies = await p;
    expect(replies.map((r) => r.payload.toString())).toEqual(['pong']);
    await new Promise((r) => setImmediate(r));
    expect(strays).toEqual([req!.seq, req!.seq + 1]);
  });

  it('a dump flagged NLM_F_DUMP_INTR yields everything, then throws DumpInterruptedError', async () => {
    const client = user();
    const server = user();
    const run = async (allowInterrupted: boolean): Promise<{ seen: string[]; error?: unknown }> => {
      const seen: string[] = [];
      const it = dump(client, { type: 0x20 }, { peer: server.port, timeout: 2000, allowInterrupted });
      const first = it.next(); // sends the request
      const [req] = decodeMessages(server.receiveSync(1000)!.data);
      expect(req!.flags & NLM_F.DUMP).toBe(NLM_F.DUMP);
      server.send(
        [
          { type: 0x21, flags: NLM_F.MULTI, seq: req!.seq, pid: client.port, payload: 'a' },
          { type: 0x21, flags: NLM_F.MULTI | NLM_F.DUMP_INTR, seq: req!.seq, pid: client.port, payload: 'b' },
          { type: NLMSG.DONE, flags: NLM_F.MULTI, seq: req!.seq, pid: client.port, payload: Buffer.alloc(4) },
        ],
        { port: client.port },
      );
      try {
        for (let r = await first; !r.done; r = await it.next()) seen.push(r.value.payload.toString('latin1', 0, 1));
      } catch (error) {
        return { seen, error };
      }
      return { seen };
    };
    const strict = await run(false);
    expect(strict.seen).toEqual(['a', 'b']);
    expect(strict.error).toBeInstanceOf(DumpInterruptedError);
    const lenient = await run(true);
    expect(lenient).toEqual({ seen: ['a', 'b'] });
  });

  it('an error answer becomes a NetlinkError', async () => {
    const client = user();
    const server = user();
    const p = request(client, { type: 0x20 }, { peer: server.port, timeout: 2000 });
    const [req] = decodeMessages(server.receiveSync(1000)!.data);
    const err = Buffer.alloc(20);
    err.writeInt32LE(-13, 0);
    server.sendBytes(encodeMessage({ type: NLMSG.ERROR, seq: req!.seq, flags: NLM_F.CAPPED, payload: err }), { port: client.port });
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect((e as NetlinkError).code).toBe('EACCES');
  });

  it('times out when the peer never answers', async () => {
    const client = user();
    const server = user();
    await expect(request(client, { type: 0x20 }, { peer: server.port, timeout: 50 })).rejects.toBeInstanceOf(NetlinkTimeoutError);
  });
});

describe('overflow, close and unref', () => {
  function flood(from: NetlinkSocket, group: number, n: number): void {
    for (let i = 0; i < n; i++) {
      try {
        // Unicast part goes back to the sender; only the multicast copy matters.
        from.send({ type: 0x10, payload: Buffer.alloc(512) }, { port: from.port, groups: 1 << (group - 1) });
      } catch {
        // EAGAIN on the sender's own queue is fine
      }
    }
  }

  it('surfaces ENOBUFS on receive() and then keeps working', async () => {
    const a = user();
    const b = user({ receiveBufferSize: 1024 });
    b.joinGroup(1);
    flood(a, 1, 50);
    const err = await b.receive({ timeout: 1000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENOBUFS', syscall: 'recvmsg' });
    const d = await b.receive({ timeout: 1000 });
    expect(d.groups).toBe(1);
  });

  it('emits ENOBUFS as an error event for notification listeners', async () => {
    const a = user();
    const b = user({ receiveBufferSize: 1024 });
    b.joinGroup(1);
    const errors: string[] = [];
    let messages = 0;
    b.on('error', (e) => errors.push((e as NodeJS.ErrnoException).code ?? '?'));
    b.on('message', () => messages++);
    flood(a, 1, 50);
    for (let i = 0; i < 50 && (errors.length === 0 || messages === 0); i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors).toContain('ENOBUFS');
    expect(messages).toBeGreaterThan(0);
  });

  it('close() twice is fine and fails pending operations', async () => {
    const s = user();
    const p = s.receive();
    s.close();
    s.close();
    expect(s.fd).toBe(-1);
    await expect(p).rejects.toBeInstanceOf(SocketClosedError);
    expect(() => s.send({ type: 16 })).toThrow(expect.objectContaining({ code: 'EBADF' }) as Error);
  });
});

describe('event loop', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  beforeAll(async () => {
    // Other folders' type errors must not stop this check; tsc still emits client/.
    await execa('npx', ['tsc', '-b'], { cwd: root, reject: false });
  });
  const script = (unref: boolean): string => `
    import { openSocket, NETLINK } from './dist/client/src/index.js';
    const s = openSocket(NETLINK.USERSOCK);
    s.on('message', () => {});
    ${unref ? 's.unref();' : ''}
    console.log('listening');`;

  // Timed from the moment each child is listening, so a slow start on a loaded machine counts for neither.
  it('a listening socket keeps the process alive; unref lets it exit', async () => {
    const run = (unref: boolean) => execa('node', ['--input-type=module', '-e', script(unref)], { cwd: root, timeout: 30_000, reject: false });
    const listening = (child: ReturnType<typeof run>): Promise<void> =>
      new Promise((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve()));
    const held = run(false);
    const released = run(true);
    await listening(held);
    const releasedDone = await released;
    expect(releasedDone.timedOut).toBe(false);
    expect(releasedDone.exitCode).toBe(0);
    expect(releasedDone.stdout).toBe('listening');
    await new Promise((r) => setTimeout(r, 1000));
    expect(held.exitCode).toBeNull();
    held.kill();
    expect((await held).isTerminated).toBe(true);
  }, 40_000);
});
