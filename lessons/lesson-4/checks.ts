// Lesson 4 checks: attacks on the module from the grader's own sockets (forged nlmsg_pid,
// bad lengths, text without a NUL, packed datagrams, a fuzz round), and a client that
// must not assume its process id is a free port.
import { decodeMessages, encodeMessage, encodeMessages, NLM_F, NLMSG } from 'netlink-lab/client';
import { type CheckSocket, defineChecks, ensure, loadModule, moduleLog, PRELOAD, type Random, type ReceivedDatagram, seeded } from 'netlink-lab/grader';

const UNIT = 31;
const NLAB_MSG_HELLO = 0x10;
const GREETING = `Hello from kernel\0`;
const EXPECTED_LINE = 'Received message payload: Hello from kernel';
const FUZZ_ROUNDS = 5000;

/** One received datagram for a report: where it came from, its messages (hex when they do not parse). */
function show(d: ReceivedDatagram): unknown {
  const { bytes, groups: _groups, ...r } = d;
  return { ...r, ...(r.decodeError ? { hex: bytes.toString('hex') } : {}) };
}

/** The HELLO answers in `ds`, as (seq, payload) pairs. */
function hellos(ds: ReceivedDatagram[]): { seq: number; payload: string; from: number }[] {
  const out: { seq: number; payload: string; from: number }[] = [];
  for (const d of ds) {
    let msgs;
    try {
      msgs = decodeMessages(d.bytes);
    } catch {
      continue;
    }
    for (const m of msgs) if (m.type === NLAB_MSG_HELLO) out.push({ seq: m.seq, payload: m.payload.toString('latin1'), from: d.from });
  }
  return out;
}

function hello(seq: number, pid: number): Buffer {
  return encodeMessage({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq, pid, payload: 'Hello' });
}

/** Sends one good hello from `sock` and says whether its answer came back. */
async function answersGoodHello(sock: CheckSocket, seq: number): Promise<{ ok: boolean; got: ReceivedDatagram[] }> {
  sock.send(hello(seq, sock.port));
  const got = await sock.collect(300);
  return { ok: hellos(got).some((h) => h.seq === seq && h.payload === GREETING && h.from === 0), got };
}

/** One fuzz datagram: random bytes, or well-formed messages with lies in them. */
function fuzzDatagram(r: Random): Buffer {
  const { int } = r;
  const rnd = r.next;
  const kind = int(4);
  if (kind === 0) return r.bytes(int(72));
  const texts = ['Hello', '', 'x'.repeat(int(200)), '\0\0\0', 'Hello\nworld %s %n'];
  const count = 1 + int(3);
  const pids = [0, 0, int(0x1_0000_0000), 1, 0xffffffff];
  const msgs = Array.from({ length: count }, () => ({
    type: rnd() < 0.7 ? NLAB_MSG_HELLO : int(0x20),
    flags: rnd() < 0.8 ? NLM_F.REQUEST | (rnd() < 0.3 ? NLM_F.ACK : 0) : int(0x10000),
    seq: int(0x1_0000_0000),
    pid: pids[int(pids.length)]!,
    payload: rnd() < 0.2 ? Buffer.from(texts[int(texts.length)]!, 'latin1') : texts[int(texts.length)],
  }));
  const b = encodeMessages(msgs);
  if (kind === 1) return b; // well-formed, but with nlmsg_pid 0 or someone else's port
  if (kind === 2) {
    // lie about a length: shorter than a header, longer than the datagram, or odd
    const lies = [0, 1, 15, 16, 17, b.length + 1 + int(64), 0xffffffff, int(b.length + 8)];
    b.writeUInt32LE(lies[int(lies.length)]!, 0); // the first message's nlmsg_len
    return rnd() < 0.5 ? b : b.subarray(0, int(b.length + 1));
  }
  // flip bytes, then maybe cut
  const m = Buffer.from(b);
  for (let i = 1 + int(4); i > 0; i--) m[int(m.length)] = int(256);
  return rnd() < 0.3 ? m.subarray(0, int(m.length + 1)) : m;
}

export default defineChecks({
  async 'sender-port-zero'(t) {
    await loadModule(t);
    const seq = 0x4c34;
    const request = hello(seq, 0);
    const r = await t.exchange(request, { timeoutMs: 1000, count: Infinity });
    ensure(!r.sendError, `sending to unit ${UNIT} failed with ${r.sendError}`, { notes: await moduleLog(t) });
    const answers = r.received.flatMap((d) => d.messages.filter((m) => m.type === NLAB_MSG_HELLO).map((m) => ({ ...m, from: d.from })));
    ensure(answers.length === 1 && answers[0]!.seq === seq && answers[0]!.from === 0, 'the sender did not get exactly one answer to its request', {
      expected: `one NLAB_MSG_HELLO from port 0 with seq ${seq}, delivered to the sender (port ${r.port}), though its nlmsg_pid was 0`,
      actual: r.received.length ? r.received : '(nothing arrived)',
      messages: [{ sent: decodeMessages(request).map((m) => ({ type: m.type, seq: m.seq, pid: m.pid })) }],
      notes: ['the answer must go to NETLINK_CB(skb).portid; port 0 is the module\'s own kernel socket', ...(await moduleLog(t))],
    });
    t.note(`sender port ${r.port}, nlmsg_pid 0: answered once, seq ${seq}`);
  },

  async 'spoofed-port'(t) {
    await loadModule(t);
    const victim = t.socket();
    const attacker = t.socket();
    try {
      const seq = 0x5b00 + (attacker.port & 0xff);
      attacker.send(hello(seq, victim.port));
      const [mine, theirs] = [await attacker.collect(300), await victim.collect(100)];
      ensure(hellos(theirs).length === 0, `the answer went to port ${victim.port}, the port the sender wrote in nlmsg_pid`, {
        expected: `nothing at the victim's port ${victim.port}; the answer at the sender's port ${attacker.port}`,
        actual: theirs.map(show),
        notes: ['nlmsg_pid is what the sender claims; NETLINK_CB(skb).portid is where it really is', ...(await moduleLog(t))],
      });
      ensure(hellos(mine).some((h) => h.seq === seq && h.from === 0), `the sender (port ${attacker.port}) got no answer`, {
        expected: `NLAB_MSG_HELLO with seq ${seq}`,
        actual: mine.length ? mine.map(show) : '(nothing arrived)',
        notes: await moduleLog(t),
      });
      t.note(`sender ${attacker.port} wrote nlmsg_pid ${victim.port}: the sender got the answer, the victim nothing`);
    } finally {
      victim.close();
      attacker.close();
    }
  },

  async malformed(t) {
    await loadModule(t);
    const sock = t.socket();
    try {
      const pid = sock.port; // the sender's real port: lesson 3's module must survive this one
      const good = (seq: number) => encodeMessage({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq, pid, payload: 'Hello' });
      const cases: { name: string; bytes: Buffer; seq: number; refused: boolean }[] = [
        { name: 'truncated header (8 bytes)', bytes: good(101).subarray(0, 8), seq: 101, refused: true },
        { name: 'nlmsg_len larger than the datagram', bytes: encodeMessage({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq: 102, pid, payload: 'Hello', length: 4096 }), seq: 102, refused: true },
        { name: 'nlmsg_len shorter than a header', bytes: encodeMessage({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq: 103, pid, payload: 'Hello', length: 8 }), seq: 103, refused: true },
        { name: 'text without a NUL', bytes: encodeMessage({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq: 104, pid, payload: Buffer.from('HelloHelloHello!', 'latin1') }), seq: 104, refused: true },
        { name: 'nlmsg_len cuts the text before its NUL', bytes: encodeMessage({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq: 105, pid, payload: 'Hello', length: 16 + 5 }), seq: 105, refused: true },
        { name: 'zero-length payload', bytes: encodeMessage({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq: 106, pid }), seq: 106, refused: true },
        { name: 'control type NLMSG_NOOP', bytes: encodeMessage({ type: NLMSG.NOOP, flags: NLM_F.REQUEST, seq: 107, pid, payload: 'Hello' }), seq: 107, refused: true },
      ];
      const wrong: unknown[] = [];
      for (const c of cases) {
        sock.send(c.bytes);
        const got = await sock.collect(100);
        const answered = hellos(got).some((h) => h.seq === c.seq);
        if (answered === c.refused) wrong.push({ case: c.name, sent: c.bytes.toString('hex'), got: got.map(show) });
      }
      ensure(wrong.length === 0, `${wrong.length} malformed message(s) got a greeting`, {
        expected: 'no NLAB_MSG_HELLO answer to any of them (an NLMSG_ERROR is fine)',
        actual: wrong,
        notes: await moduleLog(t),
      });
      const after = await answersGoodHello(sock, 108);
      ensure(after.ok, 'after the malformed messages, a good one got no answer', { actual: after.got.map(show), notes: await moduleLog(t) });
      t.note(`${cases.length} malformed messages refused: ${cases.map((c) => c.name).join('; ')}; the next good one answered`);
    } finally {
      sock.close();
    }
  },

  async batched(t) {
    await loadModule(t);
    const sock = t.socket();
    try {
      const seqs = [201, 202, 203];
      sock.send(encodeMessages(seqs.map((seq) => ({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq, pid: sock.port, payload: `Hello ${seq}` }))));
      const got = await sock.collect(300);
      const answered = hellos(got).map((h) => h.seq);
      ensure(answered.join(',') === seqs.join(','), `${answered.length} answer(s) to 3 packed messages`, {
        expected: `three NLAB_MSG_HELLO answers, seq ${seqs.join(', ')} in that order`,
        actual: got.length ? got.map(show) : '(nothing arrived)',
        notes: ['one datagram may hold several messages; netlink_rcv_skb() walks them all', ...(await moduleLog(t))],
      });
      t.note(`answers in order: seq ${answered.join(', ')}`);
    } finally {
      sock.close();
    }
  },

  async fuzz(t) {
    await loadModule(t);
    const seed = 0x4e4c4142;
    const random = seeded(seed);
    const sock = t.socket();
    try {
      const started = performance.now();
      let sendErrors = 0;
      let received = 0;
      for (let i = 0; i < FUZZ_ROUNDS; i++) {
        if (sock.send(fuzzDatagram(random))) sendErrors++;
        try {
          received += sock.discard();
        } catch {
          // ENOBUFS and the like: the queue overflowed; keep going.
        }
      }
      const ms = Math.round(performance.now() - started);
      const after = await answersGoodHello(sock, 0x7fff);
      ensure(after.ok, `after ${FUZZ_ROUNDS} fuzz datagrams, a good hello got no answer`, { actual: after.got.map(show), notes: await moduleLog(t) });
      t.note(`${FUZZ_ROUNDS} datagrams (seed 0x${seed.toString(16)}) in ${ms} ms; ${received} datagrams back, ${sendErrors} sends refused; the module still answers`);
    } finally {
      sock.close();
    }
  },

  async 'client-answer'(t) {
    await loadModule(t);
    const run = await t.runClient(undefined, { timeoutMs: 8000 });
    const got = run.stdout.split('\n').map((l) => l.replace(/\r$/, '')).find((l) => l.startsWith('Received message payload:'));
    ensure(got === EXPECTED_LINE && run.code === 0, 'the client did not print the answer and exit 0', {
      expected: EXPECTED_LINE,
      actual: got === undefined ? run.stdout.trim() || '(no output)' : JSON.stringify(got),
      notes: [`exit ${run.timedOut ? 'by the timeout' : (run.code ?? run.signal)}`, run.stderr.trim() || '(no stderr)', ...(await moduleLog(t))],
    });
  },

  async 'client-error-ack'(t) {
    await loadModule(t);
    // A preload that drops the NUL from the payload of whatever the client sends, so the
    // reference module refuses the request: netlink_rcv_skb() answers with an error ACK.
    const run = await t.runClient(undefined, { timeoutMs: 8000, env: { NODE_OPTIONS: `--import ${PRELOAD.noNul}` } });
    const evidence = {
      expected: 'a non-zero exit and stderr naming EINVAL and errno 22, e.g. "Error: EINVAL (errno 22): the text must end with a NUL"',
      notes: [
        "the grader's preload sent the client's \"Hello\" without its NUL; the reference module answers that with an error ACK, -EINVAL",
        `exit ${run.timedOut ? 'by the timeout' : (run.code ?? run.signal)}`,
        run.stderr.trim().split('\n').slice(0, 8).join('\n') || '(no stderr)',
      ],
    };
    ensure(!run.stdout.includes('Received message payload'), 'the client printed an answer for a request the module refused', { ...evidence, actual: run.stdout.trim() });
    ensure(run.code !== 0 && /EINVAL/.test(run.stderr) && /\b22\b/.test(run.stderr), 'the client did not report the error ACK as EINVAL (errno 22)', { ...evidence, actual: run.stderr.trim() || '(no stderr)' });
    t.note(run.stderr.trim().split('\n')[0] ?? '');
  },

  async 'client-port-taken'(t) {
    await loadModule(t);
    // A preload that binds a socket on the unit to the client's own process id, as a
    // library would that opened its socket first, before main.ts runs.
    const run = await t.runClient(undefined, { timeoutMs: 8000, env: { NODE_OPTIONS: `--import ${PRELOAD.holdPid}`, LAB_HOLD_UNIT: String(UNIT) } });
    const got = run.stdout.split('\n').map((l) => l.replace(/\r$/, '')).find((l) => l.startsWith('Received message payload:'));
    ensure(got === EXPECTED_LINE && run.code === 0, 'with port <pid> already taken on the unit, the client failed', {
      expected: `${EXPECTED_LINE} (the socket autobinds to a free port)`,
      actual: got === undefined ? run.stdout.trim() || '(no output)' : JSON.stringify(got),
      notes: [
        `exit ${run.timedOut ? 'by the timeout' : (run.code ?? run.signal)}`,
        run.stderr.trim().split('\n').slice(0, 8).join('\n') || '(no stderr)',
        'EADDRINUSE means the client binds to process.pid; open the socket without a port',
      ],
    });
    const port = /from port (\d+)/.exec(run.stdout)?.[1];
    t.note(`a socket held port = the client's pid; the client ran on ${port ? `port ${port}` : 'a kernel-chosen port'}`);
  },
});
