// Lesson 7 checks: every refusal of nlab_kv explains itself in the extended ACK, and the
// client turns that into one line.
import {
  decodeAttributes,
  decodeMessages,
  encodeAttribute,
  encodeMessage,
  encodeMessages,
  errnoCode,
  NLM_F,
  NLMSG,
  NLMSGERR_ATTR,
  type ErrorReport,
} from 'netlink-lab/client';
import { type CheckContext, type ClientRun, ackForReport, decodeForReport, defineChecks, ensure, flagNames, loadModule, moduleLog, runNotes } from 'netlink-lab/grader';
import { ATTR, batch, F_EXCL as NLAB_F_EXCL, flags, key, type KvEvidence as Evidence, MSG, MSG_NAMES as NAMES, type Outcome, setGetDel, value } from 'netlink-lab/grader/nlab-kv';

const NLMSG_HDRLEN = 16;

const EINVAL = 22;
const ERANGE = 34;
const ENOENT = 2;
const EEXIST = 17;
const ENOSPC = 28;

interface Req {
  type: number;
  attrs: Buffer[];
  /** Leave NLM_F_ACK off: success is silent, only an error comes back. */
  quiet?: boolean;
}

/**
 * Sends `reqs` in one datagram from a socket with NETLINK_EXT_ACK (and NETLINK_CAP_ACK),
 * seq 1, 2, …, and groups what comes back by seq. `expect` is how many datagrams should
 * come back (every ACK and every reply is its own datagram). A long datagram (store-full) is
 * summarised by its check instead of shown.
 */
async function kv(t: CheckContext, reqs: Req[], expect: number, timeoutMs = 2000): Promise<{ outcomes: Outcome[]; evidence: Evidence }> {
  const messages = reqs.map((r) => ({ type: r.type, flags: NLM_F.REQUEST | (r.quiet ? 0 : NLM_F.ACK), payload: Buffer.concat(r.attrs) }));
  return batch(t, messages, { expect, timeoutMs, to: 'unit 31', extendedAck: true, capAck: true, fromKernel: true, names: NAMES, showSent: 16 });
}

const errName = (ack: ErrorReport | undefined): string => (ack === undefined ? 'no ACK' : ack.errno === 0 ? 'ACK (success)' : errnoCode(ack.errno));

interface Want {
  errno: number;
  /** The exact NLMSGERR_ATTR_MSG; `true`: any non-empty message; undefined: not checked. */
  message?: string | true;
  /** The exact NLMSGERR_ATTR_OFFS; `null`: there must be none. */
  offset?: number | null;
  /** The exact NLMSGERR_ATTR_MISS_TYPE. */
  missingType?: number;
}

/** Fails unless request `i`'s ACK carries `want`; `what` describes the request. */
function expectAck(outcomes: Outcome[], i: number, want: Want, what: string, evidence: Evidence): ErrorReport {
  const ack = outcomes[i]!.ack;
  const got = errName(ack);
  const expected = want.errno === 0 ? 'ACK (success)' : errnoCode(want.errno);
  ensure(ack && ack.errno === want.errno, `${what}: ${got}, not ${expected}`, { ...evidence, expected, actual: got });
  const x = ack.extack;
  const shown = { ...evidence, actual: ackForReport(ack, NAMES.attributes) };
  if (want.message === true) {
    ensure(x.message, `${what}: the error carries no message (NLMSGERR_ATTR_MSG)`, { ...shown, expected: 'a message from the policy code' });
  } else if (want.message !== undefined) {
    ensure(x.message === want.message, `${what}: the message is ${x.message === undefined ? 'missing' : JSON.stringify(x.message)}`, {
      ...shown,
      expected: `message ${JSON.stringify(want.message)}`,
    });
  }
  if (want.offset === null) {
    ensure(x.offset === undefined, `${what}: the error points at offset ${x.offset}, but no attribute is at fault`, { ...shown, expected: 'no NLMSGERR_ATTR_OFFS' });
  } else if (want.offset !== undefined) {
    ensure(x.offset === want.offset, `${what}: the error ${x.offset === undefined ? 'names no attribute' : `points at offset ${x.offset}`}`, {
      ...shown,
      expected: `NLMSGERR_ATTR_OFFS ${want.offset}`,
    });
  }
  if (want.missingType !== undefined) {
    const name = NAMES.attributes[want.missingType];
    ensure(x.missingType === want.missingType, `${what}: the error ${x.missingType === undefined ? 'names no missing attribute' : `names missing type ${x.missingType}`}`, {
      ...shown,
      expected: `NLMSGERR_ATTR_MISS_TYPE ${want.missingType} (${name})`,
    });
  }
  return ack;
}

/** The one data reply to a GET, checked to be NLAB_MSG_VALUE, and its VALUE. */
function getValue(outcomes: Outcome[], i: number, evidence: Evidence): Buffer | undefined {
  const o = outcomes[i]!;
  ensure(o.replies.length === 1 && o.replies[0]!.type === MSG.VALUE, `GET got ${o.replies.length} replies; one NLAB_MSG_VALUE was expected`, { ...evidence, actual: errName(o.ack) });
  return decodeAttributes(o.replies[0]!.payload).find((a) => a.type === ATTR.VALUE)?.payload;
}

async function client(t: CheckContext, args: string[]): Promise<ClientRun> {
  return t.runClient(undefined, { args, timeoutMs: 8000 });
}

const words = (h: string): string => h.replace(/(.{8})/g, '$1 ').trim();

/** A datagram as hex with its nlmsg_pid zeroed (it is the receiving socket's port, different every run). */
function zeroPid(b: Buffer): string {
  const c = Buffer.from(b);
  if (c.length >= 16) c.writeUInt32LE(0, 12);
  return c.toString('hex');
}

export default defineChecks({
  async 'set-get-del'(t) {
    await loadModule(t);
    const script = setGetDel('color', ['blue']);
    const { outcomes, evidence } = await kv(t, script.map((s) => ({ type: MSG[s.op], attrs: s.attrs })), 5);
    expectAck(outcomes, 0, { errno: 0 }, 'SET color=blue', evidence);
    expectAck(outcomes, 1, { errno: 0 }, 'GET color', evidence);
    const v = getValue(outcomes, 1, evidence);
    ensure(v?.toString('latin1') === 'blue', 'GET color does not return "blue"', { ...evidence, actual: v?.toString('latin1') ?? '(no VALUE)' });
    expectAck(outcomes, 2, { errno: 0 }, 'DEL color', evidence);
    expectAck(outcomes, 3, { errno: ENOENT }, 'GET color after DEL', evidence);
  },

  async 'policy-errors'(t) {
    await loadModule(t);
    // Offsets count from the request's nlmsghdr (16 bytes); each attribute here is padded to 8 or 12.
    // The texts are the kernel's own (lib/nlattr.c); 6.1 and 6.12 send the same ones.
    const POLICY = 'Attribute failed policy validation';
    const cases: { attrs: Buffer[]; what: string; errno: number; message: string; offset: number }[] = [
      { attrs: [key('k'.repeat(64)), value('x')], what: 'SET with a 64-character KEY (at offset 16)', errno: EINVAL, message: POLICY, offset: 16 },
      { attrs: [key('big'), value(Buffer.alloc(1025, 0xa5))], what: 'SET with a 1025-byte VALUE (at offset 24)', errno: ERANGE, message: POLICY, offset: 24 },
      { attrs: [value('v'), key('abcd', false)], what: 'SET with VALUE first and a KEY without its NUL (at offset 24)', errno: EINVAL, message: POLICY, offset: 24 },
      { attrs: [key('f'), value('x'), flags(2)], what: 'SET with FLAGS = 2, outside the mask (at offset 32)', errno: EINVAL, message: 'reserved bit set', offset: 32 },
      { attrs: [key('u'), value('x'), encodeAttribute(4, Buffer.from('?'))], what: 'SET with an attribute of type 4 (at offset 32)', errno: EINVAL, message: 'Unknown attribute type', offset: 32 },
    ];
    const { outcomes, evidence } = await kv(
      t,
      [{ type: MSG.SET, attrs: [key('ok'), value('1')] }, ...cases.map((c) => ({ type: MSG.SET, attrs: c.attrs }))],
      cases.length + 1,
    );
    expectAck(outcomes, 0, { errno: 0 }, 'a well-formed SET (so the next results mean something)', evidence);
    cases.forEach((c, i) => {
      const ack = expectAck(outcomes, i + 1, { errno: c.errno, message: c.message, offset: c.offset }, c.what, evidence);
      t.note(`${c.what}: ${errnoCode(ack.errno)}, message ${JSON.stringify(ack.extack.message)}, offset ${ack.extack.offset}${ack.extack.policy ? `, policy ${JSON.stringify(ackForReport(ack).policy)}` : ''}`);
    });
  },

  async 'missing-attribute'(t) {
    await loadModule(t);
    const { outcomes, evidence } = await kv(
      t,
      [
        { type: MSG.SET, attrs: [key('ok'), value('1')] },
        { type: MSG.SET, attrs: [value('x')] },
        { type: MSG.SET, attrs: [key('k')] },
        { type: MSG.GET, attrs: [] },
        { type: MSG.DEL, attrs: [flags(0)] },
        { type: MSG.GET, attrs: [key('k')] },
      ],
      6,
    );
    expectAck(outcomes, 0, { errno: 0 }, 'a well-formed SET (so the next results mean something)', evidence);
    expectAck(outcomes, 1, { errno: EINVAL, missingType: ATTR.KEY, offset: null }, 'SET with VALUE but no KEY', evidence);
    expectAck(outcomes, 2, { errno: EINVAL, missingType: ATTR.VALUE, offset: null }, 'SET with KEY but no VALUE', evidence);
    t.note(`error ACK to the SET without VALUE (seq 3, NETLINK_CAP_ACK, nlmsg_pid zeroed): ${zeroPid(outcomes[2]!.ackBytes!)}`);
    expectAck(outcomes, 3, { errno: EINVAL, missingType: ATTR.KEY, offset: null }, 'GET without attributes', evidence);
    expectAck(outcomes, 4, { errno: EINVAL, missingType: ATTR.KEY, offset: null }, 'DEL with only FLAGS', evidence);
    expectAck(outcomes, 5, { errno: ENOENT }, 'GET k after the SET without VALUE (nothing may have been stored)', evidence);
  },

  async 'no-such-key'(t) {
    await loadModule(t);
    const { outcomes, evidence } = await kv(
      t,
      [
        { type: MSG.SET, attrs: [key('here'), value('1')] },
        { type: MSG.GET, attrs: [key('nope')] },
        { type: MSG.DEL, attrs: [flags(0), key('gone')] },
        { type: MSG.GET, attrs: [key('here')] },
      ],
      5,
    );
    expectAck(outcomes, 0, { errno: 0 }, 'a well-formed SET (so the next results mean something)', evidence);
    expectAck(outcomes, 1, { errno: ENOENT, message: 'no such key', offset: 16 }, 'GET of a key that was never set (KEY at offset 16)', evidence);
    expectAck(outcomes, 2, { errno: ENOENT, message: 'no such key', offset: 24 }, 'DEL of a missing key, with FLAGS first (KEY at offset 24)', evidence);
    expectAck(outcomes, 3, { errno: 0 }, 'GET of a key that exists', evidence);
  },

  async 'key-exists'(t) {
    await loadModule(t);
    const { outcomes, evidence } = await kv(
      t,
      [
        { type: MSG.SET, attrs: [key('a'), value('1')] },
        { type: MSG.SET, attrs: [flags(NLAB_F_EXCL), key('a'), value('2')] },
        { type: MSG.GET, attrs: [key('a')] },
        { type: MSG.SET, attrs: [key('b'), value('2'), flags(NLAB_F_EXCL)] },
      ],
      5,
    );
    expectAck(outcomes, 0, { errno: 0 }, 'SET a=1', evidence);
    expectAck(outcomes, 1, { errno: EEXIST, message: 'key exists', offset: 24 }, 'SET a=2 with FLAGS = NLAB_F_EXCL first (KEY at offset 24)', evidence);
    const v = getValue(outcomes, 2, evidence);
    ensure(v?.toString('latin1') === '1', 'the refused SET changed the value of a', { ...evidence, expected: '"1"', actual: v?.toString('latin1') ?? '(no VALUE)' });
    expectAck(outcomes, 3, { errno: 0 }, 'SET b=2 with NLAB_F_EXCL (b is new, so it must succeed)', evidence);
  },

  async 'store-full'(t) {
    await loadModule(t);
    // 1024 SETs without NLM_F_ACK (silent on success), then the interesting requests with it.
    const fill: Req[] = Array.from({ length: 1024 }, (_, i) => ({ type: MSG.SET, attrs: [key(`k${i}`), value('x')], quiet: true }));
    const tail: Req[] = [
      { type: MSG.SET, attrs: [key('k1024'), value('x')] },
      { type: MSG.SET, attrs: [key('k5'), value('new')] },
      { type: MSG.DEL, attrs: [key('k0')] },
      { type: MSG.SET, attrs: [key('k1024'), value('x')] },
      { type: MSG.GET, attrs: [key('k5')] },
    ];
    const { outcomes, evidence } = await kv(t, [...fill, ...tail], 6, 5000);
    const failed = outcomes.slice(0, 1024).filter((o) => o.ack).length;
    const tailSent = encodeMessages(tail.map((r, i) => ({ type: r.type, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 1025 + i, pid: 0, payload: Buffer.concat(r.attrs) })));
    const ev = { ...evidence, messages: [{ sent: '1024 SETs k0...k1023 without NLM_F_ACK, then:' }, { sent: decodeForReport(tailSent, NAMES).messages }, evidence.messages[1]] };
    ensure(failed === 0, `${failed} of the first 1024 SETs failed; the store must hold 1024 keys`, ev);
    const base = 1024;
    expectAck(outcomes, base, { errno: ENOSPC, message: 'store is full' }, 'SET of a 1025th key', ev);
    expectAck(outcomes, base + 1, { errno: 0 }, 'SET that replaces k5 while the store is full', ev);
    expectAck(outcomes, base + 2, { errno: 0 }, 'DEL k0', ev);
    expectAck(outcomes, base + 3, { errno: 0 }, 'SET of the 1025th key again, after DEL made room', ev);
    const v = getValue(outcomes, base + 4, ev);
    ensure(v?.toString('latin1') === 'new', 'GET k5 does not return the replaced value "new"', { ...ev, actual: v?.toString('latin1') ?? '(no VALUE)' });
  },

  async 'capped-ack'(t) {
    await loadModule(t);
    // GET "nope" with seq 9: 16 bytes of header, KEY "nope\0" (9 bytes, padded to 12).
    const sent = encodeMessage({ type: MSG.GET, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 9, pid: 0, payload: key('nope') });
    const msgTlv = encodeAttribute(NLMSGERR_ATTR.MSG, Buffer.from('no such key\0'));
    const offs = Buffer.alloc(4);
    offs.writeUInt32LE(NLMSG_HDRLEN);
    const offsTlv = encodeAttribute(NLMSGERR_ATTR.OFFS, offs);
    const errno = Buffer.alloc(4);
    errno.writeInt32LE(-ENOENT);
    const expected = (capped: boolean, port: number): Buffer => {
      const payload = Buffer.concat([errno, capped ? sent.subarray(0, NLMSG_HDRLEN) : sent, msgTlv, offsTlv]);
      return encodeMessage({ type: NLMSG.ERROR, flags: (capped ? NLM_F.CAPPED : 0) | NLM_F.ACK_TLVS, seq: 9, pid: port, payload });
    };
    for (const capped of [true, false]) {
      const r = await t.exchange(sent, { count: 1, timeoutMs: 1500, extendedAck: true, capAck: capped });
      const mode = capped ? 'with NETLINK_CAP_ACK' : 'without NETLINK_CAP_ACK';
      const messages = [{ sent: decodeForReport(sent, NAMES).messages }, { received: r.received.map((d) => (d.decodeError ? d.bytes.toString('hex') : decodeForReport(d.bytes, NAMES).messages)) }];
      ensure(!r.sendError && r.received.length === 1, `GET "nope" ${mode}: ${r.sendError ?? `${r.received.length} datagrams came back, not one error ACK`}`, { messages, notes: await moduleLog(t) });
      const got = r.received[0]!.bytes;
      const want = expected(capped, r.port);
      t.note(`error ACK ${mode} (nlmsg_pid zeroed): ${zeroPid(got)}`);
      const m = decodeMessages(got)[0]!;
      ensure(m.type === NLMSG.ERROR, `GET "nope" ${mode} got a message of type ${m.type}, not NLMSG_ERROR`, { messages });
      ensure(!!(m.flags & NLM_F.CAPPED) === capped, capped ? 'the error ACK is not flagged NLM_F_CAPPED although the socket set NETLINK_CAP_ACK' : 'the error ACK is flagged NLM_F_CAPPED although the socket did not ask for it', { messages, actual: flagNames(m.flags, m.type) });
      ensure(got.equals(want), `the error ACK ${mode} differs from the expected bytes`, {
        expected: words(zeroPid(want)),
        actual: words(zeroPid(got)),
        messages,
        notes: [
          `layout: nlmsghdr (NLMSG_ERROR, flags ${capped ? 'CAPPED|' : ''}ACK_TLVS, seq 9, pid = your port) | error -2 | ${capped ? 'the request\'s 16-byte header only' : 'the whole 28-byte request'} | NLMSGERR_ATTR_MSG "no such key\\0" | NLMSGERR_ATTR_OFFS 16`,
          'nlmsg_pid is shown as 0 here; the real one is the receiving socket\'s port',
        ],
      });
    }
  },

  async 'client-error-line'(t) {
    await loadModule(t);
    // What the module under test says about a 64-character key: the policy's wording.
    const long = 'k'.repeat(64);
    const { outcomes, evidence } = await kv(t, [{ type: MSG.SET, attrs: [key(long), value('v')] }], 1);
    const policy = expectAck(outcomes, 0, { errno: EINVAL, message: true, offset: 16 }, `the module (${t.module.origin}) answering SET with a 64-character key`, evidence);
    const cases: { args: string[]; line: string }[] = [
      { args: ['get', 'nope'], line: 'GET failed: ENOENT: no such key (attribute KEY)' },
      { args: ['set', long, 'v'], line: `SET failed: EINVAL: ${policy.extack.message} (attribute KEY)` },
      { args: ['set', 'lonely'], line: 'SET failed: EINVAL (missing attribute VALUE)' },
    ];
    const notes: string[] = [];
    for (const c of cases) {
      const run = await client(t, c.args);
      notes.push(...runNotes(run, { args: c.args, maxArgLength: 20 }));
      const lines = run.stderr.split('\n').filter((l) => l.trim());
      const ev = { notes: [...notes, `module (${t.module.origin}) log:`, ...(await moduleLog(t))] };
      const cmd = `\`${c.args[0]} ${c.args[1]!.length > 20 ? `${c.args[1]!.slice(0, 4)}...` : c.args[1]}${c.args[2] ? ` ${c.args[2]}` : ''}\``;
      ensure(lines.length === 1 && lines[0] === c.line, `${cmd} did not print the expected line`, { ...ev, expected: c.line, actual: run.stderr.trim() || '(no stderr)' });
      ensure(run.code !== 0 && run.code !== null, `${cmd} exited ${run.code ?? run.signal} after an error ACK`, { ...ev, expected: 'a non-zero exit status' });
      ensure(run.stdout.trim() === '', `${cmd} printed to stdout as well`, { ...ev, expected: 'nothing on stdout', actual: run.stdout.trim() });
      // The same line could come from a socket without the options; the library's trace tells.
      const asked = run.trace?.options ?? [];
      ensure(asked.includes('EXT_ACK') && asked.includes('CAP_ACK'), `${cmd} ran on a socket without NETLINK_EXT_ACK and NETLINK_CAP_ACK`, {
        ...ev,
        expected: 'both options set (LAB_NETLINK_TRACE lists them)',
        actual: asked.length ? asked.join(', ') : 'none',
      });
    }
  },
});
