// Lesson 6 checks: nlab_kv's attributes — policy, strict parsing, padding, exact bytes — and the client.
import { decodeAttributes, encodeAttribute, encodeMessages, NLM_F, type NetlinkMessage } from 'netlink-lab/client';
import { type CheckContext, type ClientRun, decodeForReport, defineChecks, ensure, loadModule, moduleLog, runNotes } from 'netlink-lab/grader';
import { ATTR, batch, errName, expectAck, type KvEvidence as Evidence, F_EXCL as NLAB_F_EXCL, flags, key, MSG, MSG_NAMES as NAMES, type Outcome, setGetDel, value } from 'netlink-lab/grader/nlab-kv';

interface Req {
  type: number;
  attrs: Buffer[];
}

/**
 * Sends `reqs` in one datagram, each with NLM_F_REQUEST | NLM_F_ACK and seq 1, 2, …, and
 * groups what comes back by seq. `expect` is how many datagrams should come back (every
 * ACK and every reply is its own datagram).
 */
async function kv(t: CheckContext, reqs: Req[], expect: number): Promise<{ outcomes: Outcome[]; evidence: Evidence }> {
  const messages = reqs.map((r) => ({ type: r.type, flags: NLM_F.REQUEST | NLM_F.ACK, payload: Buffer.concat(r.attrs) }));
  return batch(t, messages, { expect, timeoutMs: 1500, to: 'unit 31', fromKernel: true, names: NAMES });
}

/** A request and the ACK it must get: errno (0: success), and what it means when it does not. */
type AckStep = [request: Req, errno: number, what: string];

/** Loads the module, sends the steps' requests in one datagram and checks every ACK in order. */
async function ackSteps(t: CheckContext, steps: AckStep[]): Promise<void> {
  await loadModule(t);
  const { outcomes, evidence } = await kv(t, steps.map(([r]) => r), steps.length);
  steps.forEach(([, errno, what], i) => expectAck(outcomes, i, errno, what, evidence));
}

const EINVAL = 22;
const ERANGE = 34;
const ENOENT = 2;
const EEXIST = 17;

/** The one data reply to a GET, checked to be NLAB_MSG_VALUE with the request's seq. */
function getReply(outcomes: Outcome[], i: number, evidence: Evidence): NetlinkMessage {
  const o = outcomes[i]!;
  ensure(o.replies.length === 1, `GET got ${o.replies.length} replies; one NLAB_MSG_VALUE was expected`, { ...evidence, actual: errName(o.errno) });
  const m = o.replies[0]!;
  ensure(m.type === MSG.VALUE, `the GET reply has type 0x${m.type.toString(16)}`, { ...evidence, expected: 'NLAB_MSG_VALUE (0x13)' });
  return m;
}

function attrsOf(m: NetlinkMessage, evidence: Evidence): Map<number, Buffer> {
  try {
    return new Map(decodeAttributes(m.payload).map((a) => [a.type, a.payload]));
  } catch (e) {
    ensure(false, `the GET reply's attributes do not parse: ${(e as Error).message}`, { ...evidence, actual: m.payload.toString('hex') });
    throw e;
  }
}

async function client(t: CheckContext, args: string[]): Promise<ClientRun> {
  return t.runClient(undefined, { args, timeoutMs: 8000 });
}

/** `node main.js --dry-run set hello world`: header (seq 1, REQUEST|ACK), KEY "hello\0" + 2 pad, VALUE "world" + 3 pad. */
const GOLDEN_SET =
  '28000000' + '1000' + '0500' + '01000000' + '00000000' + '0a000100' + '68656c6c6f00' + '0000' + '09000200' + '776f726c64' + '000000';
/** The reply to GET "hello" with seq 7 after SET "hello" = "world". */
const GOLDEN_VALUE =
  '28000000' + '1300' + '0000' + '07000000' + '00000000' + '0a000100' + '68656c6c6f00' + '0000' + '09000200' + '776f726c64' + '000000';

export default defineChecks({
  async 'set-get-del'(t) {
    await loadModule(t);
    const script = setGetDel('color', ['blue', 'green']);
    const { outcomes, evidence } = await kv(t, script.map((s) => ({ type: MSG[s.op], attrs: s.attrs })), 8);
    expectAck(outcomes, 0, 0, 'SET color=blue was not acknowledged', evidence);
    expectAck(outcomes, 1, 0, 'GET color was not acknowledged', evidence);
    let v = attrsOf(getReply(outcomes, 1, evidence), evidence);
    ensure(v.get(ATTR.KEY)?.toString('latin1') === 'color\0', 'the GET reply\'s NLAB_A_KEY is not "color" with its NUL', { ...evidence, actual: v.get(ATTR.KEY)?.toString('hex') ?? '(missing)' });
    ensure(v.get(ATTR.VALUE)?.toString('latin1') === 'blue', 'the GET reply\'s NLAB_A_VALUE is not "blue"', { ...evidence, actual: v.get(ATTR.VALUE)?.toString('hex') ?? '(missing)' });
    expectAck(outcomes, 2, 0, 'SET color=green (replacing blue) was not acknowledged', evidence);
    v = attrsOf(getReply(outcomes, 3, evidence), evidence);
    ensure(v.get(ATTR.VALUE)?.toString('latin1') === 'green', 'after the second SET, GET does not return "green"', { ...evidence, actual: v.get(ATTR.VALUE)?.toString('latin1') ?? '(missing)' });
    expectAck(outcomes, 4, 0, 'DEL color was not acknowledged', evidence);
    expectAck(outcomes, 5, ENOENT, 'GET after DEL should fail with ENOENT', evidence);
    ensure(outcomes[5]!.replies.length === 0, 'GET of a deleted key still got a reply', evidence);
  },

  async 'max-size'(t) {
    await loadModule(t);
    const k63 = 'k'.repeat(63);
    const v1024 = Buffer.alloc(1024, 0xa5);
    const { outcomes, evidence } = await kv(
      t,
      [
        { type: MSG.SET, attrs: [key(k63), value(v1024)] },
        { type: MSG.GET, attrs: [key(k63)] },
      ],
      3,
    );
    expectAck(outcomes, 0, 0, 'SET with a 63-character key (64 bytes with its NUL) and a 1024-byte value was refused', evidence);
    const v = attrsOf(getReply(outcomes, 1, evidence), evidence);
    ensure(v.get(ATTR.VALUE)?.equals(v1024), 'GET does not return the 1024-byte value intact', { ...evidence, actual: `${v.get(ATTR.VALUE)?.length ?? 0} bytes` });
    ensure(v.get(ATTR.KEY)?.toString('latin1') === `${k63}\0`, 'GET does not return the 63-character key', evidence);
  },

  async 'over-max'(t) {
    await ackSteps(t, [
      [{ type: MSG.SET, attrs: [key('k'.repeat(63)), value('ok')] }, 0, 'SET with a 63-character key was refused, so the next results mean nothing'],
      [{ type: MSG.SET, attrs: [key('k'.repeat(64)), value('x')] }, EINVAL, 'SET with a 64-character key (65 bytes with its NUL) should fail with EINVAL'],
      [{ type: MSG.SET, attrs: [key('big'), value(Buffer.alloc(1025, 0xa5))] }, ERANGE, 'SET with a 1025-byte value should fail with ERANGE'],
      [{ type: MSG.GET, attrs: [key('big')] }, ENOENT, 'the refused 1025-byte value must not be stored: GET should fail with ENOENT'],
    ]);
  },

  async 'unknown-attribute'(t) {
    await ackSteps(t, [
      [{ type: MSG.SET, attrs: [key('a'), value('1')] }, 0, 'a well-formed SET was refused, so the next results mean nothing'],
      [{ type: MSG.SET, attrs: [key('b'), value('2'), encodeAttribute(4, Buffer.from('?'))] }, EINVAL, 'SET with an attribute of type 4 (above NLAB_A_MAX) should fail with EINVAL'],
      [{ type: MSG.SET, attrs: [encodeAttribute(0, Buffer.alloc(4)), key('c'), value('3')] }, EINVAL, 'SET with an attribute of type 0 (NLAB_A_UNSPEC) should fail with EINVAL'],
      [{ type: MSG.GET, attrs: [key('b')] }, ENOENT, 'the rejected SET must not store anything: GET b should fail with ENOENT'],
    ]);
  },

  async 'string-without-nul'(t) {
    await ackSteps(t, [
      [{ type: MSG.SET, attrs: [key('abc'), value('1')] }, 0, 'a well-formed SET was refused, so the next results mean nothing'],
      [{ type: MSG.SET, attrs: [key('abcd', false), value('2')] }, EINVAL, 'SET with a 4-byte key "abcd" and no NUL should fail with EINVAL'],
      [{ type: MSG.GET, attrs: [key('abc', false)] }, EINVAL, 'GET with a 3-byte key "abc" and no NUL should fail with EINVAL'],
    ]);
  },

  async padding(t) {
    await loadModule(t);
    const five = Buffer.from([0x01, 0x02, 0x03, 0x04, 0x05]);
    // KEY "abcd\0" (5 bytes) and VALUE (5 bytes) each need 3 bytes of padding; FLAGS comes after them.
    const set = { type: MSG.SET, attrs: [key('abcd'), value(five), flags(NLAB_F_EXCL)] };
    const { outcomes, evidence } = await kv(t, [set, { type: MSG.GET, attrs: [key('abcd')] }, set], 4);
    expectAck(outcomes, 0, 0, 'SET with a 5-byte key, a 5-byte value and FLAGS after them was refused', evidence);
    const m = getReply(outcomes, 1, evidence);
    const p = m.payload;
    const hex = { ...evidence, actual: p.toString('hex') };
    ensure(p.length % 4 === 0, `the reply's payload is ${p.length} bytes, not padded to a multiple of 4`, hex);
    ensure(p.length === 24, `the reply's payload is ${p.length} bytes; KEY (4 + 5 + 3 padding) and VALUE (4 + 5 + 3 padding) make 24`, hex);
    ensure(p.readUInt16LE(0) === 9 && p.readUInt16LE(2) === ATTR.KEY, 'the first attribute is not NLAB_A_KEY with nla_len 9', hex);
    ensure(p.subarray(9, 12).equals(Buffer.alloc(3)), 'the 3 padding bytes after the key are not zero', hex);
    ensure(p.readUInt16LE(12) === 9 && p.readUInt16LE(14) === ATTR.VALUE, 'the attribute at offset 12 (after the padded key) is not NLAB_A_VALUE with nla_len 9', {
      ...hex,
      notes: ['nla_len counts the header and payload, not the padding; the next attribute starts at NLA_ALIGN(nla_len)', ...evidence.notes],
    });
    ensure(p.subarray(16, 21).equals(five), 'the 5-byte value did not come back intact', hex);
    ensure(p.subarray(21, 24).equals(Buffer.alloc(3)), 'the 3 padding bytes after the value are not zero', hex);
    expectAck(outcomes, 2, EEXIST, 'the same SET again, with FLAGS = NLAB_F_EXCL after the padded value, should fail with EEXIST', evidence);
  },

  async 'golden-reply'(t) {
    await loadModule(t);
    const sent = encodeMessages([
      { type: MSG.SET, flags: NLM_F.REQUEST, seq: 6, pid: 0, payload: Buffer.concat([key('hello'), value('world')]) },
      { type: MSG.GET, flags: NLM_F.REQUEST, seq: 7, pid: 0, payload: key('hello') },
    ]);
    const r = await t.exchange(sent, { count: 1, timeoutMs: 1500 });
    const messages = [{ sent: decodeForReport(sent, NAMES).messages }, { received: r.received.map((d) => (d.decodeError ? d.bytes.toString('hex') : decodeForReport(d.bytes, NAMES).messages)) }];
    ensure(r.received.length === 1, `${r.received.length} datagrams came back; without NLM_F_ACK only the GET reply should`, { messages, notes: await moduleLog(t) });
    // nlmsg_pid may be 0 or the requester's port (as netlink_ack() writes it): compare it as 0.
    const reply = Buffer.from(r.received[0]!.bytes);
    if (reply.length >= 16 && reply.readUInt32LE(12) === r.port) reply.writeUInt32LE(0, 12);
    const got = reply.toString('hex');
    const words = (h: string): string => h.replace(/(.{8})/g, '$1 ').trim();
    ensure(got === GOLDEN_VALUE, 'the GET reply differs from the expected bytes', {
      expected: words(GOLDEN_VALUE),
      actual: words(got),
      messages,
      notes: [
        'layout: nlmsghdr (len 40, type 0x13, flags 0, seq 7, pid 0) | KEY: len 10, type 1, "hello\\0", 2 pad | VALUE: len 9, type 2, "world", 3 pad',
        `nlmsg_pid may also be the requester's port (${r.port}); it is shown as 0 here`,
      ],
    });
  },

  async 'client-round-trip'(t) {
    await loadModule(t);
    const steps: { args: string[]; code: number; stdout?: string; stderr?: RegExp }[] = [
      { args: ['set', 'color', 'blue'], code: 0 },
      { args: ['get', 'color'], code: 0, stdout: 'blue' },
      { args: ['set', 'color', 'green!'], code: 0 },
      { args: ['get', 'color'], code: 0, stdout: 'green!' },
      { args: ['del', 'color'], code: 0 },
      { args: ['get', 'color'], code: 1, stderr: /^ENOENT\b/ },
    ];
    const notes: string[] = [];
    for (const s of steps) {
      const run = await client(t, s.args);
      notes.push(...runNotes(run, { args: s.args }));
      const evidence = { notes: [...notes, `module (${t.module.origin}) log:`, ...(await moduleLog(t))] };
      if (s.stdout !== undefined) {
        const out = run.stdout.trim();
        ensure(out === s.stdout, `\`${s.args.join(' ')}\` printed the wrong value`, { ...evidence, expected: s.stdout, actual: out || '(nothing)' });
      }
      if (s.stderr) {
        const line = run.stderr.trim().split('\n')[0] ?? '';
        ensure(s.stderr.test(line), `\`${s.args.join(' ')}\` did not report ENOENT`, { ...evidence, expected: 'a line starting with ENOENT', actual: line || '(nothing)' });
      }
      ensure(run.code === s.code, `\`${s.args.join(' ')}\` exited ${run.code ?? run.signal}`, { ...evidence, expected: `exit status ${s.code}` });
    }
  },

  async 'client-errors'(t) {
    await loadModule(t);
    const cases: { args: string[]; code: string }[] = [
      { args: ['get', 'missing'], code: 'ENOENT' },
      { args: ['set', 'k'.repeat(64), 'v'], code: 'EINVAL' },
    ];
    for (const c of cases) {
      const run = await client(t, c.args);
      const lines = run.stderr.trim().split('\n').filter(Boolean);
      const evidence = { notes: runNotes(run, { args: c.args }) };
      ensure(lines.length === 1 && lines[0]!.startsWith(c.code), `\`${c.args[0]} ${c.args[1]!.slice(0, 12)}…\` should print one line starting with ${c.code}`, {
        ...evidence,
        expected: `${c.code} …`,
        actual: run.stderr.trim() || '(no stderr)',
      });
      ensure(run.code !== 0 && run.code !== null, `the client exited ${run.code ?? run.signal} after an error ACK`, { ...evidence, expected: 'a non-zero exit status' });
    }
  },

  async 'client-golden'(t) {
    const args = ['--dry-run', 'set', 'hello', 'world'];
    const run = await client(t, args);
    const got = run.stdout.trim();
    const words = (h: string): string => h.replace(/(.{8})/g, '$1 ').trim();
    ensure(got === GOLDEN_SET, 'the encoded SET request differs from the expected bytes', {
      expected: words(GOLDEN_SET),
      actual: words(got) || '(nothing)',
      notes: ['layout: nlmsghdr (len 40, type 0x10, flags REQUEST|ACK, seq 1, pid 0) | KEY: len 10, type 1, "hello\\0", 2 pad | VALUE: len 9, type 2, "world", 3 pad', ...runNotes(run, { args })],
    });
  },
});
