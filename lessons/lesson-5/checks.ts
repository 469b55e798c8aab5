// Lesson 5 checks: ACKs after answers, error ACKs, two requests per datagram (module side);
// ACK flags, increasing seqs, error ACKs as errors, and answers matched by seq and sender
// (client side, with a preload that records or forges traffic inside the client process).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeErrorMessage, decodeMessages, encodeMessages, NLM_F, NLMSG } from 'netlink-lab/client';
import { type CheckContext, type CheckFn, type ClientRun, defineChecks, ensure, loadModule, moduleLog, PRELOAD, type ReceivedDatagram, runNotes } from 'netlink-lab/grader';

const NLAB_MSG_HELLO = 0x10;
const NLAB_MSG_ECHO = 0x11;
const EOPNOTSUPP = 95;
const GREETING = 'Hello from kernel';

/** One message as a report shows it, with its datagram's sender. */
interface Seen {
  from: number;
  type: string;
  seq: number;
  payload?: string;
  errno?: number;
  extack?: string;
}

function describe(ds: ReceivedDatagram[]): Seen[] {
  const out: Seen[] = [];
  for (const d of ds) {
    for (const m of decodeMessages(d.bytes)) {
      if (m.type === NLMSG.ERROR) {
        const r = decodeErrorMessage(m);
        out.push({ from: d.from, type: 'NLMSG_ERROR', seq: m.seq, errno: r.errno, ...(r.extack.message ? { extack: r.extack.message } : {}) });
      } else {
        out.push({ from: d.from, type: `0x${m.type.toString(16)}`, seq: m.seq, payload: m.payload.toString('latin1') });
      }
    }
  }
  return out;
}

/** Sends `msgs` in one datagram from a fresh socket and returns every message that came back. */
async function roundTrip(t: CheckContext, msgs: Parameters<typeof encodeMessages>[0]): Promise<{ port: number; seen: Seen[] }> {
  const sock = t.socket();
  try {
    const r = await sock.exchange(encodeMessages(msgs), { timeoutMs: 300, count: Infinity });
    return { port: sock.port, seen: describe(r.received) };
  } finally {
    sock.close();
  }
}

const ack = (seq: number): Seen => ({ from: 0, type: 'NLMSG_ERROR', seq, errno: 0 });
const answer = (type: number, seq: number, text: string): Seen => ({ from: 0, type: `0x${type.toString(16)}`, seq, payload: `${text}\0` });

/** Compares what came back with what should have, field by field, ignoring extack text. */
function same(seen: Seen[], want: Seen[]): boolean {
  if (seen.length !== want.length) return false;
  return want.every((w, i) => {
    const s = seen[i]!;
    return s.from === w.from && s.type === w.type && s.seq === w.seq && s.payload === w.payload && s.errno === w.errno;
  });
}

async function expectTraffic(t: CheckContext, what: string, msgs: Parameters<typeof encodeMessages>[0], want: Seen[], hint: string): Promise<void> {
  await loadModule(t);
  const { seen } = await roundTrip(t, msgs);
  ensure(same(seen, want), what, {
    expected: want,
    actual: seen.length ? seen : '(nothing came back)',
    messages: [{ sent: msgs.map((m) => ({ type: `0x${m.type.toString(16)}`, flags: m.flags, seq: m.seq, payload: m.payload })) }],
    notes: [hint, ...(await moduleLog(t))],
  });
  t.note(seen.map((s) => (s.type === 'NLMSG_ERROR' ? `ERROR ${s.errno} seq ${s.seq}` : `${s.type} seq ${s.seq}`)).join(' -> '));
}

/**
 * Runs the client under test with a preload (NODE_OPTIONS=--import) that wraps the client
 * library's NetlinkSocket inside the client's process: it records every send() to a file,
 * and with `forge` set, hands the first receive to a forged answer before the real ones
 * ('seq', 'port'), or slips a message of another type with the first request's seq in
 * right after that request's real answer, before its ACK ('type').
 */
async function runWithPreload(t: CheckContext, forge: 'none' | 'seq' | 'port' | 'type', args: string[] = []): Promise<{ run: ClientRun; sends: { flags: number; seq: number; type: number }[][] }> {
  const log = join(mkdtempSync(join(tmpdir(), 'nlab-l5-')), 'sends.json');
  const env = { LAB_FORGE: forge, LAB_FORGE_TYPE: String(NLAB_MSG_HELLO), LAB_FORGE_OTHER_TYPE: String(NLAB_MSG_ECHO), LAB_SENDS_LOG: log };
  const run = await t.runClient(undefined, { args, timeoutMs: 8000, env: { NODE_OPTIONS: `--import ${PRELOAD.forge}`, ...env } });
  let sends: { flags: number; seq: number; type: number }[][] = [];
  try {
    sends = JSON.parse(readFileSync(log, 'utf8'));
  } catch {
    // the client died before exit handlers ran; the run's output says why
  }
  return { run, sends };
}

function lines(run: ClientRun): string[] {
  return run.stdout.split('\n').map((l) => l.replace(/\r$/, '')).filter(Boolean);
}

const GOOD_LINES = [`Received message payload: ${GREETING}`, 'Echo: ping'];
/** `client-truncated`'s text: its echo (header, text, NUL) is bigger than two pages. */
const TRUNCATION_TEXT = 9000;

/**
 * A check that the client ignores a forged message the preload slips in (`forge`): it must not
 * print it as an answer (`taken`: what that means; `how`: what the grader did) and must still
 * print both real answers and exit 0.
 */
function strayCheck(forge: 'seq' | 'port' | 'type', taken: string, how: string): CheckFn {
  return async (t) => {
    await loadModule(t);
    const { run } = await runWithPreload(t, forge);
    ensure(!run.stdout.includes('Forged answer'), taken, { expected: GOOD_LINES, actual: lines(run), notes: [how, ...runNotes(run, { stderrLines: 8 })] });
    ensure(lines(run).join('\n') === GOOD_LINES.join('\n') && run.code === 0, 'after skipping the stray, the client did not print both real answers', { expected: GOOD_LINES, actual: lines(run), notes: runNotes(run, { stderrLines: 8 }) });
  };
}

export default defineChecks({
  'ack-follows-answer': (t) =>
    expectTraffic(
      t,
      'the answer was not followed by an ACK with the request\'s seq',
      [{ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 501, payload: 'Hello' }],
      [answer(NLAB_MSG_HELLO, 501, GREETING), ack(501)],
      'NLM_F_ACK asks for NLMSG_ERROR with error 0 after the answer; netlink_rcv_skb() sends it when the callback returns 0',
    ),

  'no-ack-unasked': (t) =>
    expectTraffic(
      t,
      'without NLM_F_ACK, the answer should come alone',
      [{ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq: 502, payload: 'Hello' }],
      [answer(NLAB_MSG_HELLO, 502, GREETING)],
      'a successful request is acknowledged only when it asks for it',
    ),

  'unknown-type': (t) =>
    expectTraffic(
      t,
      'an unknown type did not get exactly one error ACK with -EOPNOTSUPP',
      [{ type: 0x1f, flags: NLM_F.REQUEST, seq: 503 }],
      [{ from: 0, type: 'NLMSG_ERROR', seq: 503, errno: EOPNOTSUPP }],
      'return -EOPNOTSUPP from the callback for a type you do not handle: netlink_rcv_skb() turns it into an error ACK, with or without NLM_F_ACK',
    ),

  echo: (t) =>
    expectTraffic(
      t,
      'NLAB_MSG_ECHO "ping" was not answered with "ping"',
      [{ type: NLAB_MSG_ECHO, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 504, payload: 'ping' }],
      [answer(NLAB_MSG_ECHO, 504, 'ping'), ack(504)],
      'answer NLAB_MSG_ECHO with the same type, the request\'s seq and its text with the NUL',
    ),

  'two-in-one': (t) =>
    expectTraffic(
      t,
      'two requests in one datagram did not get answer, ACK, answer, ACK',
      [
        { type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 601, payload: 'Hello' },
        { type: NLAB_MSG_ECHO, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 602, payload: 'pong' },
      ],
      [answer(NLAB_MSG_HELLO, 601, GREETING), ack(601), answer(NLAB_MSG_ECHO, 602, 'pong'), ack(602)],
      'netlink_rcv_skb() handles the messages in order, acknowledging each before the next',
    ),

  async 'round-trip'(t) {
    await loadModule(t);
    const run = await t.runClient(undefined, { timeoutMs: 8000 });
    ensure(lines(run).join('\n') === GOOD_LINES.join('\n') && run.code === 0, 'the client did not print both answers, in order, and exit 0', {
      expected: GOOD_LINES,
      actual: lines(run),
      notes: [`client: ${t.client?.origin}, module: ${t.module.origin}`, ...runNotes(run, { stderrLines: 8 }), ...(await moduleLog(t))],
    });
  },

  async 'client-requests'(t) {
    await loadModule(t);
    const { run, sends } = await runWithPreload(t, 'none');
    const evidence = { actual: sends, notes: runNotes(run, { stderrLines: 8 }) };
    ensure(sends.length === 1, `the client called send() ${sends.length} time(s)`, { ...evidence, expected: 'one send() of two messages: one sendmsg(), one datagram' });
    const msgs = sends[0]!;
    ensure(msgs.length === 2, `the client's send() held ${msgs.length} message(s)`, { ...evidence, expected: 'HELLO and ECHO in one send()' });
    ensure(msgs.every((m) => (m.flags & (NLM_F.REQUEST | NLM_F.ACK)) === (NLM_F.REQUEST | NLM_F.ACK)), 'a request lacks NLM_F_REQUEST or NLM_F_ACK', { ...evidence, expected: `flags ${NLM_F.REQUEST | NLM_F.ACK} (REQUEST|ACK) on both` });
    ensure(msgs[0]!.seq > 0 && msgs[1]!.seq > msgs[0]!.seq, `the sequence numbers are ${msgs.map((m) => m.seq).join(', ')}`, { ...evidence, expected: 'non-zero and increasing (socket.nextSeq())' });
    t.note(`one send(): ${msgs.map((m) => `type 0x${m.type.toString(16)} seq ${m.seq}`).join(', ')}`);
  },

  async 'client-error-ack'(t) {
    await loadModule(t);
    const run = await t.runClient(undefined, { args: ['--type', '31'], timeoutMs: 8000 });
    ensure(run.code !== 0 && /EOPNOTSUPP/.test(run.stderr) && /\b95\b/.test(run.stderr), 'the client did not report the error ACK as EOPNOTSUPP (errno 95)', {
      expected: 'a non-zero exit and stderr naming EOPNOTSUPP and errno 95, e.g. "Error: EOPNOTSUPP (errno 95): unknown message type"',
      notes: runNotes(run, { stderrLines: 8 }),
    });
    ensure(!lines(run).some((l) => /payload|Answer/.test(l)), 'the client printed an answer for a request that failed', { actual: lines(run) });
    t.note(run.stderr.trim().split('\n')[0] ?? '');
  },

  'client-wrong-seq': strayCheck('seq', 'the client printed an answer whose seq matches none of its requests', 'the grader handed the client a HELLO from port 0 with seq = first seq + 1000 before the real answers'),

  'client-wrong-type': strayCheck('type', "the client took a message of another type as its answer because it carried the request's seq", "the grader slipped an NLAB_MSG_ECHO from port 0 with the HELLO's seq in between the HELLO's real answer and its ACK"),

  async 'client-truncated'(t) {
    await loadModule(t);
    // The reference module echoes whatever text it gets, so a long text is a long answer:
    // bigger than a fixed receive buffer of a page or two.
    const text = 'x'.repeat(TRUNCATION_TEXT);
    const run = await t.runClient(undefined, { args: [text], timeoutMs: 8000 });
    const out = lines(run);
    const cap = (n: string): string => (n.length > 300 ? `${n.slice(0, 300)}… (${n.length} characters)` : n);
    const notes = [
      `main.js was given a ${TRUNCATION_TEXT}-character text; the reference module echoes it in a ${16 + TRUNCATION_TEXT + 1}-byte message`,
      ...runNotes(run, { stderrLines: 8, args: [text], maxArgLength: 16 }).map(cap),
    ];
    const shown = out.map((l) => (l.length > 80 ? `${l.slice(0, 80)}… (${l.length} characters)` : l));
    ensure(out[0] === GOOD_LINES[0], 'the client did not print the HELLO answer before the long echo', { expected: GOOD_LINES[0], actual: shown, notes });
    const echo = out.find((l) => l.startsWith('Echo:'));
    if (echo === `Echo: ${text}`) {
      // A buffer big enough for the whole answer is correct too: nothing was cut.
      t.note(`the whole ${TRUNCATION_TEXT}-character echo fit the client's buffer`);
      return;
    }
    ensure(echo === undefined, 'the client printed part of an answer that did not fit its receive buffer', {
      expected: `the whole echo, or an error that says the answer was truncated (MSG_TRUNC)`,
      actual: shown,
      notes,
    });
    ensure(run.code !== 0 && /MSG_TRUNC|truncat/i.test(run.stderr), 'the client did not say that the answer was truncated (MSG_TRUNC)', {
      expected: 'a non-zero exit and stderr naming MSG_TRUNC or truncation',
      actual: run.stderr.trim().split('\n').slice(0, 4).join('\n') || '(no stderr)',
      notes,
    });
    t.note(run.stderr.trim().split('\n')[0] ?? '');
  },

  'client-wrong-sender': strayCheck('port', 'the client printed an answer that came from port 4242, not from the kernel', 'the grader handed the client a HELLO from port 4242 with the right seq before the real answers'),
});
