// Lesson 3 checks: the module answers "Hello from kernel", the client prints it and closes its socket.
import { decodeMessages, encodeMessage, NLM_F } from 'netlink-lab/client';
import { type CheckContext, decodeForReport, defineChecks, ensure, loadModule, moduleLog, type RawExchange } from 'netlink-lab/grader';

const UNIT = 31;
const NLAB_MSG_HELLO = 0x10;
const NLMSG_MIN_TYPE = 0x10;
const GREETING = 'Hello from kernel';
const EXPECTED_LINE = `Received message payload: ${GREETING}`;

/**
 * Sends "Hello" the way the reference client does, from a socket bound to a port the
 * request names in nlmsg_pid (never 0: lesson 3's module answers to nlmsg_pid, and 0 is
 * its own kernel socket), and waits up to 1 s for the answer.
 */
async function hello(t: CheckContext): Promise<{ request: Buffer; seq: number; port: number; r: RawExchange }> {
  const port = 0x4c00_0000 + Math.floor(Math.random() * 0x10_0000);
  const seq = 1 + Math.floor(Math.random() * 0xffff);
  const request = encodeMessage({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq, pid: port, payload: 'Hello' });
  const r = await t.exchange(request, { bindPort: port, timeoutMs: 1000 });
  ensure(!r.sendError, `sending to unit ${UNIT} failed with ${r.sendError}`, { messages: decodeForReport(request).messages, notes: await moduleLog(t) });
  return { request, seq, port, r };
}

function traffic(request: Buffer, r: RawExchange): unknown[] {
  return [
    { sent: decodeForReport(request).messages },
    ...r.received.map((d) => ({ received: d.decodeError ? `undecodable (${d.decodeError}): ${d.bytes.toString('hex')}` : d.messages, from: d.from })),
  ];
}

export default defineChecks({
  async 'answer-arrives'(t) {
    await loadModule(t);
    const started = performance.now();
    const { request, r } = await hello(t);
    ensure(r.received.length > 0, 'no answer within 1 s', {
      expected: 'one datagram from the kernel (port 0)',
      actual: '(nothing arrived)',
      messages: traffic(request, r),
      notes: ['did nlab_answer() call nlmsg_unicast()? Its result is in the log if it failed:', ...(await moduleLog(t))],
    });
    const d = r.received[0]!;
    ensure(d.from === 0, `the answer came from port ${d.from}, not from the kernel`, { expected: 'port 0', actual: d.from, messages: traffic(request, r) });
    t.note(`answer after ${Math.round(performance.now() - started)} ms`);
  },

  async 'answer-header'(t) {
    await loadModule(t);
    const { request, seq, r } = await hello(t);
    const evidence = { messages: traffic(request, r) };
    ensure(r.received.length > 0, 'no answer within 1 s', { ...evidence, notes: await moduleLog(t) });
    const d = r.received[0]!;
    ensure(!d.decodeError, `the answer does not parse as netlink messages: ${d.decodeError}`, evidence);
    ensure(!d.truncated, 'the answer was truncated', evidence);
    const msgs = decodeMessages(d.bytes);
    ensure(msgs.length === 1, `the answer holds ${msgs.length} messages; one was expected`, evidence);
    const m = msgs[0]!;
    ensure(m.type >= NLMSG_MIN_TYPE, `the answer's type is 0x${m.type.toString(16)}, a netlink control type`, {
      ...evidence,
      expected: `NLAB_MSG_HELLO (0x${NLAB_MSG_HELLO.toString(16)})`,
      notes: ['types below NLMSG_MIN_TYPE (0x10) are control messages; 3 is NLMSG_DONE, which ends a dump'],
    });
    ensure(m.type === NLAB_MSG_HELLO, `the answer's type is 0x${m.type.toString(16)}`, { ...evidence, expected: `NLAB_MSG_HELLO (0x${NLAB_MSG_HELLO.toString(16)})` });
    ensure(m.seq === seq, `the answer's nlmsg_seq is ${m.seq}, not the request's ${seq}`, { ...evidence, notes: ['pass the request\'s nlmsg_seq to nlmsg_put(), so the sender can match the answer'] });
    // nlmsg_put(skb, 0, …) writes 0; the kernel's own helpers (netlink_ack(),
    // genlmsg_put_reply()) write the requester's port. Both are correct.
    ensure(m.pid === 0 || m.pid === r.port, `the answer's nlmsg_pid is ${m.pid}`, {
      ...evidence,
      expected: `0 (the kernel's port) or ${r.port} (the requester's, as netlink_ack() writes it)`,
    });
    const len = d.bytes.readUInt32LE(0);
    const want = 16 + GREETING.length + 1;
    ensure(m.payload.length > 0 && m.payload[m.payload.length - 1] === 0, 'the answer\'s payload does not end with a NUL', {
      ...evidence,
      expected: `"${GREETING}\\0": copy sizeof(NLAB_GREETING) bytes`,
      actual: JSON.stringify(m.payload.toString('latin1')),
    });
    ensure(m.payload.toString('latin1') === `${GREETING}\0`, 'the answer\'s payload is not the greeting', {
      ...evidence,
      expected: JSON.stringify(`${GREETING}\0`),
      actual: JSON.stringify(m.payload.toString('latin1')),
    });
    ensure(len === want, `nlmsg_len is ${len}; header and greeting make ${want}`, evidence);
    t.note(`answer: len ${len}, type 0x${m.type.toString(16)}, seq ${m.seq}, payload ${JSON.stringify(m.payload.toString('latin1'))}`);
  },

  async 'output-line'(t) {
    await loadModule(t);
    const run = await t.runClient(undefined, { timeoutMs: 8000 });
    const lines = run.stdout.split('\n').map((l) => l.replace(/\r$/, ''));
    const got = lines.find((l) => l.startsWith('Received message payload:'));
    ensure(got === EXPECTED_LINE, got === undefined ? 'the client printed no "Received message payload:" line' : 'the client printed the wrong line', {
      expected: EXPECTED_LINE,
      actual: got === undefined ? run.stdout.trim() || '(no output)' : JSON.stringify(got),
      notes: [
        `client (${t.client?.origin}) exited ${run.timedOut ? 'by the timeout' : (run.code ?? run.signal)} after ${Math.round(run.durationMs)} ms`,
        run.stderr.trim() || '(no stderr)',
        `module (${t.module.origin}) log:`,
        ...(await moduleLog(t)),
      ],
    });
    ensure(run.code === 0, `the client printed the line but exited ${run.code ?? run.signal}`, { expected: 'exit status 0', notes: [run.stderr.trim()] });
  },

  async 'client-closes'(t) {
    await loadModule(t);
    const run = await t.runClient(undefined, { timeoutMs: 8000 });
    ensure(run.trace, 'the grader got no socket trace from the client library (LAB_NETLINK_TRACE), so it cannot tell', {
      notes: ['this is a grader/library problem, not yours; tell the instructor'],
    });
    ensure(run.trace.opened > 0, 'the client opened no netlink socket', { actual: run.trace, notes: [run.stdout.trim(), run.stderr.trim()] });
    ensure(run.trace.closed === run.trace.opened, `the client opened ${run.trace.opened} socket(s) and closed ${run.trace.closed}`, {
      expected: 'every socket closed (socket.close() in a finally block)',
      actual: run.trace,
    });
    t.note(`sockets opened ${run.trace.opened}, closed ${run.trace.closed}`);
  },
});
