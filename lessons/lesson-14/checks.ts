// Lesson 14 checks: SET's new properties are validated by the core from the policy (a range, a
// minimum in network byte order, a bitfield32's valid bits), with the core's own extended ACK;
// MARKS change only where the selector says; GET counts in a u64; and nlctrl's view of the
// policies (CTRL_CMD_GETPOLICY), as the grader reads it and as the client prints it, is what
// this file declares.
//
// Raw requests (neither side under test) are built here from the lesson's numbers, so the
// kernel-side checks do not depend on the student's spec.
import { encodeAttribute, type NetlinkMessage, type PolicyInfo } from 'netlink-lab/client';
import { clientJson, comparePolicies, type DeclaredAttr, type DeclaredPolicy, defineChecks, ensure, loadFamily } from 'netlink-lab/grader';
import { errName, genlAttrs, key, kv, type Outcome, type Req, value } from 'netlink-lab/grader/nlab-kv';

const CMD = { SET: 1, GET: 2, DEL: 3, LIST: 4 } as const;
const A = { KEY: 1, VALUE: 2, FLAGS: 3, PREFIX: 4, META: 5, PRIORITY: 6, PORT: 7, MARKS: 8, HITS: 9 } as const;
const META = { OWNER: 1, VERSION: 2, TAGS: 3 } as const;
const names = (o: Record<string, number>): ReadonlyMap<number, string> => new Map(Object.entries(o).map(([n, v]) => [v, n]));
const A_NAME = names(A);
const META_NAME = names(META);
const MARK = { STARRED: 1, ARCHIVED: 2 } as const;
const MARKS_ALL = MARK.STARRED | MARK.ARCHIVED;
const NLMSG_HDRLEN = 16;
const GENL_HDRLEN = 4;

// ---- what the lesson declares: SET's policy and the others, as nlctrl reports them -----------

const U64_MAX = (1n << 64n) - 1n;
const KEY_POLICY: DeclaredAttr = { type: 'nul-string', maxLength: 63 };
const NAME_POLICY: DeclaredAttr = { type: 'nul-string', maxLength: 31 };
/**
 * PORT is missing on purpose: nlctrl cannot describe an NLA_BE16 (or NLA_BE32) and leaves it out
 * of the dump, as it does an attribute the policy rejects.
 */
const DECLARED: Record<'set' | 'get' | 'del' | 'list', DeclaredPolicy> = {
  set: {
    cmd: CMD.SET,
    mode: 'do',
    attrs: new Map<number, DeclaredAttr>([
      [A.KEY, KEY_POLICY],
      [A.VALUE, { type: 'binary', maxLength: 1024 }],
      [A.FLAGS, { type: 'u32', mask: 1n }],
      [
        A.META,
        {
          type: 'nested',
          nested: {
            names: META_NAME,
            attrs: new Map<number, DeclaredAttr>([
              [META.OWNER, NAME_POLICY],
              [META.VERSION, { type: 'u64', minValue: 0n, maxValue: U64_MAX }],
              [META.TAGS, NAME_POLICY],
            ]),
          },
        },
      ],
      [A.PRIORITY, { type: 'u8', minValue: 1n, maxValue: 7n }],
      [A.MARKS, { type: 'bitfield32', bitfield32Mask: MARKS_ALL }],
    ]),
  },
  get: { cmd: CMD.GET, mode: 'do', attrs: new Map([[A.KEY, KEY_POLICY]]) },
  del: { cmd: CMD.DEL, mode: 'do', attrs: new Map([[A.KEY, KEY_POLICY]]) },
  list: { cmd: CMD.LIST, mode: 'dump', attrs: new Map([[A.PREFIX, KEY_POLICY]]) },
};

// ---- raw requests -----------------------------------------------------------------------------

const u8 = (type: number, n: number): Buffer => encodeAttribute(type, Buffer.from([n]));
const be16 = (type: number, n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return encodeAttribute(type, b);
};
const bitfield = (v: number, selector: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(v, 0);
  b.writeUInt32LE(selector, 4);
  return encodeAttribute(A.MARKS, b);
};

/** A SET of `k` (value "v") with `extra` after KEY and VALUE. */
const set = (k: string, ...extra: Buffer[]): Req => ({ cmd: CMD.SET, attrs: [key(k), value('v'), ...extra] });
const get = (k: string): Req => ({ cmd: CMD.GET, attrs: [key(k)] });
/** Where the first of `extra` starts in {@link set}'s request, from its nlmsghdr. */
const extraOffset = (k: string): number => NLMSG_HDRLEN + GENL_HDRLEN + key(k).length + value('v').length;
/** The datagrams a batch answers with: one per ACK, one more per GET's reply. */
const datagrams = (reqs: Req[]): number => reqs.length + reqs.filter((r) => r.cmd === CMD.GET).length;

/** How an outcome reads in evidence. */
function showOutcome(o: Outcome): string {
  const x = o.extack;
  const parts = [errName(o.errno)];
  if (x.message) parts.push(`"${x.message}"`);
  if (x.offset !== undefined) parts.push(`offset ${x.offset}`);
  if (x.policy) parts.push(`policy ${x.policy.type ?? '?'} ${x.policy.minValue ?? '?'}..${x.policy.maxValue ?? '?'}`);
  return parts.join(', ');
}

/** A GET reply's attribute `type`, or undefined. */
function replyAttr(o: Outcome, type: number): Buffer | undefined {
  const m: NetlinkMessage | undefined = o.replies[0];
  return m ? genlAttrs(m).get(type) : undefined;
}

/** MARKS of a GET reply as `value/selector`, or `none`. */
function showMarks(b: Buffer | undefined): string {
  return b?.length === 8 ? `0x${b.readUInt32LE(0).toString(16)}/0x${b.readUInt32LE(4).toString(16)}` : b ? `${b.length} bytes` : 'none';
}

/** An integer in the client's JSON, where bigints come as numbers or, past 2^53, as strings. */
function bigOf(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  return undefined;
}

/** Differences between a policy the client printed and the declared one, by lower-case names. */
function jsonDiff(got: unknown, want: Map<number, DeclaredAttr>, nameOf: ReadonlyMap<number, string>, at: string): string[] {
  if (typeof got !== 'object' || got === null) return [`${at.slice(0, -1)} is ${JSON.stringify(got) ?? 'undefined'}, not an object of attributes`];
  const printed = got as Record<string, Record<string, unknown>>;
  const out: string[] = [];
  const expectedNames = new Set<string>();
  for (const [type, d] of want) {
    const name = (nameOf.get(type) ?? String(type)).toLowerCase();
    expectedNames.add(name);
    const p = printed[name];
    if (typeof p !== 'object' || p === null) {
      out.push(`${at}${name} is missing`);
      continue;
    }
    if (p.type !== d.type) out.push(`${at}${name}: type ${JSON.stringify(p.type)}, not "${d.type}"`);
    for (const f of ['minValue', 'maxValue', 'minLength', 'maxLength', 'mask', 'bitfield32Mask'] as const) {
      const w = d[f];
      const g = p[f];
      if (w === undefined ? g !== undefined : bigOf(g) !== BigInt(w)) out.push(`${at}${name}: ${f} ${JSON.stringify(g) ?? 'missing'}, not ${w ?? 'absent'}`);
    }
    if (d.nested) out.push(...jsonDiff(p.policy, d.nested.attrs, d.nested.names, `${at}${name}.policy.`));
  }
  for (const name of Object.keys(printed)) if (!expectedNames.has(name)) out.push(`${at}${name} is printed, but the policy has no such attribute`);
  return out;
}

export default defineChecks({
  async 'priority-range'(t) {
    const family = await loadFamily(t);
    const reqs = [set('p0', u8(A.PRIORITY, 0)), set('p8', u8(A.PRIORITY, 8)), set('p1', u8(A.PRIORITY, 1)), set('p7', u8(A.PRIORITY, 7))];
    const { outcomes, evidence } = await kv(t, family, reqs, datagrams(reqs));
    for (const [i, n] of [0, 8].entries()) {
      const o = outcomes[i]!;
      const at = extraOffset(`p${n}`);
      const p = o.extack.policy;
      ensure(o.errno !== undefined && o.errno !== 0 && o.extack.offset === at && !!o.extack.message, `a SET with PRIORITY ${n} was not refused with an extended ACK that points at PRIORITY and says why`, {
        ...evidence,
        expected: `an error, a message, offset ${at} (PRIORITY)`,
        actual: showOutcome(o),
        notes: [...evidence.notes, 'NLA_POLICY_RANGE() makes the core refuse the value itself, with "integer out of range" and the range'],
      });
      ensure(p?.type === 'u8' && p.minValue === 1n && p.maxValue === 7n, `the ACK refusing PRIORITY ${n} does not describe the range 1..7 (NLMSGERR_ATTR_POLICY)`, {
        ...evidence,
        expected: 'policy u8, min 1, max 7',
        actual: showOutcome(o),
      });
    }
    for (const [i, n] of [1, 7].entries()) {
      const o = outcomes[i + 2]!;
      ensure(o.errno === 0, `a SET with PRIORITY ${n} was refused`, { ...evidence, expected: errName(0), actual: showOutcome(o) });
    }
  },

  async 'port-order'(t) {
    const family = await loadFamily(t);
    const reqs = [set('p80', be16(A.PORT, 80)), set('p1025', be16(A.PORT, 1025)), set('p8080', be16(A.PORT, 8080)), get('p8080')];
    const { outcomes, evidence } = await kv(t, family, reqs, datagrams(reqs));
    const low = outcomes[0]!;
    ensure(low.errno !== undefined && low.errno !== 0 && low.extack.offset === extraOffset('p80'), 'a SET with PORT 80 (bytes 00 50) was not refused with an ACK that points at PORT', {
      ...evidence,
      expected: `an error, offset ${extraOffset('p80')} (PORT)`,
      actual: showOutcome(low),
      notes: [...evidence.notes, 'PORT is in network byte order; NLA_BE16 makes the core compare it in host order with the minimum'],
    });
    ensure(outcomes[1]!.errno === 0, 'a SET with PORT 1025 (bytes 04 01) was refused', {
      ...evidence,
      expected: errName(0),
      actual: showOutcome(outcomes[1]!),
      notes: [...evidence.notes, 'read as a little-endian u16, bytes 04 01 are 260: is PORT an NLA_U16 instead of an NLA_BE16?'],
    });
    ensure(outcomes[2]!.errno === 0, 'a SET with PORT 8080 was refused', { ...evidence, actual: showOutcome(outcomes[2]!) });
    const port = replyAttr(outcomes[3]!, A.PORT);
    ensure(port?.equals(Buffer.from([0x1f, 0x90])), 'GET does not answer PORT 8080 with the bytes the SET carried (1f 90)', {
      ...evidence,
      expected: 'PORT: 1f 90',
      actual: `PORT: ${port ? port.toString('hex').replace(/(..)(?=.)/g, '$1 ') : 'none'}`,
      notes: [...evidence.notes, 'keep the __be16 as it came (nla_get_be16) and send it back with nla_put_be16()'],
    });
  },

  async marks(t) {
    const family = await loadFamily(t);
    // Each step: the SET's MARKS (value, selector) or none, and what GET must find after it.
    const steps: { marks?: [number, number]; want: number; why: string }[] = [
      { marks: [MARK.STARRED, MARK.STARRED], want: MARK.STARRED, why: 'set STARRED' },
      { marks: [MARK.ARCHIVED, MARK.ARCHIVED], want: MARKS_ALL, why: 'set ARCHIVED; STARRED is not selected and stays' },
      { marks: [0, MARK.STARRED], want: MARK.ARCHIVED, why: 'clear STARRED; ARCHIVED stays' },
      { want: MARK.ARCHIVED, why: 'a SET without MARKS keeps them' },
    ];
    const reqs = steps.flatMap((s) => [s.marks ? set('m', bitfield(...s.marks)) : set('m'), get('m')]);
    // What the core refuses for a bitfield32: a bit no mark has, and a value bit not selected.
    const refused: { marks: [number, number]; why: string }[] = [
      { marks: [4, 4], why: 'bit 0x4, which no mark has' },
      { marks: [MARK.STARRED, 0], why: 'a value bit its selector does not name' },
    ];
    reqs.push(...refused.map((r) => set('bad', bitfield(...r.marks))));
    const { outcomes, evidence } = await kv(t, family, reqs, datagrams(reqs));
    for (const [i, s] of steps.entries()) {
      const setOk = outcomes[2 * i]!;
      ensure(setOk.errno === 0, `SET m with MARKS ${s.marks ? `value 0x${s.marks[0].toString(16)} selector 0x${s.marks[1].toString(16)}` : '(none)'} was refused`, {
        ...evidence,
        actual: showOutcome(setOk),
      });
      const got = replyAttr(outcomes[2 * i + 1]!, A.MARKS);
      const v = got?.length === 8 ? got.readUInt32LE(0) : undefined;
      const sel = got?.length === 8 ? got.readUInt32LE(4) : 0;
      ensure(v === s.want && (sel & MARKS_ALL) === MARKS_ALL, `after step ${i + 1} (${s.why}), GET's MARKS are not 0x${s.want.toString(16)}`, {
        ...evidence,
        expected: `MARKS value 0x${s.want.toString(16)}, selector 0x${MARKS_ALL.toString(16)} (every mark there is)`,
        actual: `MARKS ${showMarks(got)}`,
        notes: [...evidence.notes, 'new = (old & ~selector) | (value & selector), with nla_get_bitfield32()'],
      });
    }
    for (const [i, r] of refused.entries()) {
      const bad = outcomes[2 * steps.length + i]!;
      ensure(bad.errno !== undefined && bad.errno !== 0 && bad.extack.offset === extraOffset('bad'), `a SET with MARKS ${r.why} was not refused at MARKS`, {
        ...evidence,
        expected: `an error, offset ${extraOffset('bad')} (MARKS)`,
        actual: showOutcome(bad),
        notes: [...evidence.notes, 'NLA_POLICY_BITFIELD32() with the valid bits: the core refuses any other, and a value bit outside the selector'],
      });
    }
  },

  async hits(t) {
    const family = await loadFamily(t);
    const reqs = [set('h'), get('h'), get('h'), get('h')];
    const { outcomes, evidence } = await kv(t, family, reqs, datagrams(reqs));
    for (const n of [1, 2, 3]) {
      const b = replyAttr(outcomes[n]!, A.HITS);
      // nla_put_u64_64bit() always writes 8 bytes; NLA_UINT's nla_put_uint() 4 when the count fits.
      const hits = b?.length === 8 ? b.readBigUInt64LE(0) : b?.length === 4 ? BigInt(b.readUInt32LE(0)) : undefined;
      ensure(hits === BigInt(n), `GET number ${n} does not answer HITS ${n}`, {
        ...evidence,
        expected: `HITS ${n}: a u64 (8 bytes), or a uint of 4 or 8`,
        actual: b ? `${b.length} bytes: ${b.toString('hex')}` : 'no HITS',
      });
    }
  },

  async introspect(t) {
    await loadFamily(t);
    const got = await comparePolicies('nlab_kv', DECLARED, A_NAME);
    const notes = got.map((g) => g.line);
    for (const g of got)
      ensure(g.diff.length === 0, `CTRL_CMD_GETPOLICY: ${g.name}'s policy differs from the lesson's: ${g.diff.join('; ')}`, {
        expected: g.expected,
        notes: [...notes, 'PORT is absent from what nlctrl reports: it cannot describe an NLA_BE16'],
      });
    t.note(notes.join('; '));
  },

  async 'client-set'(t) {
    const family = await loadFamily(t);
    const before = await kv(t, family, [set('c', bitfield(MARKS_ALL, MARKS_ALL))], 1);
    ensure(before.outcomes[0]!.errno === 0, 'the reference module refused a SET with both marks', { ...before.evidence, actual: showOutcome(before.outcomes[0]!) });
    const args = ['set', 'c', 'w', '--priority', '5', '--port', '8080', '--unmark', 'starred'];
    const r = await t.runClient(undefined, { args, timeoutMs: 20000 });
    ensure(r.code === 0, `\`${args.join(' ')}\` did not exit 0`, { actual: `exit ${r.code}: ${r.stderr.trim() || '(no stderr)'}` });
    const { outcomes, evidence } = await kv(t, family, [get('c')], 2);
    const o = outcomes[0]!;
    const priority = replyAttr(o, A.PRIORITY);
    const port = replyAttr(o, A.PORT);
    const marks = replyAttr(o, A.MARKS);
    const shown = `PRIORITY ${priority?.[0] ?? 'none'}, PORT bytes ${port?.toString('hex') ?? 'none'}, MARKS ${showMarks(marks)}`;
    ensure(priority?.length === 1 && priority[0] === 5, 'after the client\'s set, the entry has no PRIORITY 5', { ...evidence, expected: 'PRIORITY 5', actual: shown });
    ensure(port?.equals(Buffer.from([0x1f, 0x90])), "after the client's set with --port 8080, the entry's PORT is not 8080 in network byte order", {
      ...evidence,
      expected: 'PORT bytes 1f 90',
      actual: shown,
      notes: [...evidence.notes, 'a u16 without byte-order: big-endian goes out little-endian, 90 1f'],
    });
    ensure(marks?.length === 8 && marks.readUInt32LE(0) === MARK.ARCHIVED, "after the client's set with --unmark starred, the entry's marks are not ARCHIVED alone", {
      ...evidence,
      expected: `MARKS 0x${MARK.ARCHIVED.toString(16)}: STARRED cleared, ARCHIVED kept (it was set before, and the request did not select it)`,
      actual: shown,
      notes: [...evidence.notes, 'MARKS is a bitfield32: value 0, selector STARRED'],
    });
  },

  async 'client-policy'(t) {
    await loadFamily(t);
    const { value: printed, notes } = await clientJson(t, ['policy']);
    const ops = printed as Record<string, Record<string, unknown> | undefined>;
    const diff: string[] = [];
    for (const [name, d] of Object.entries(DECLARED)) diff.push(...jsonDiff(ops?.[name]?.[d.mode], d.attrs, A_NAME, `${name}.${d.mode}.`));
    ensure(diff.length === 0, `\`policy\` does not print what nlctrl reports: ${diff.slice(0, 4).join('; ')}${diff.length > 4 ? `; and ${diff.length - 4} more` : ''}`, {
      expected: Object.entries(DECLARED).map(([name, d]) => `${name} ${d.mode}: ${[...d.attrs].map(([type, a]) => `${A_NAME.get(type)?.toLowerCase()} ${showDeclared(a)}`).join(', ')}`),
      notes,
    });
  },
});

/** A declared attribute as the client would print its fields. */
function showDeclared(a: DeclaredAttr): string {
  const fields = (Object.entries(a) as [keyof PolicyInfo | 'nested', unknown][]).filter(([f]) => f !== 'nested').map(([f, v]) => `${f} ${String(v)}`);
  return `{${fields.join(', ')}${a.nested ? ', policy {…}' : ''}}`;
}
