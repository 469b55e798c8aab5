// Structured mutations of valid requests: header fields, lengths, flags, types, attributes
// and nesting, then a few byte-level ones. Pure: the same random source gives the same
// datagrams, and each datagram says which mutations made it.

import { encodeDatagram } from './encode.js';
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLMSG_HDRLEN, type FuzzAttr, type FuzzMessage } from './model.js';
import { bytes, int, pick, type Rng } from './prng.js';

export interface FuzzDatagram {
  bytes: Buffer;
  /** The mutations applied, e.g. ["seed 2", "attr type", "nlmsg_len lie"]. */
  how: string[];
}

type Mutator = (m: FuzzMessage, rnd: Rng) => string;

const cloneAttr = (a: FuzzAttr): FuzzAttr => ({ ...a, value: Buffer.isBuffer(a.value) ? Buffer.from(a.value) : a.value.map(cloneAttr) });
const cloneMsg = (m: FuzzMessage): FuzzMessage => ({ ...m, fixed: Buffer.from(m.fixed), attrs: m.attrs.map(cloneAttr) });

/** Every attribute list in the tree (the top level and each nest), to pick one to mutate. */
function attrLists(list: FuzzAttr[], out: FuzzAttr[][] = []): FuzzAttr[][] {
  out.push(list);
  for (const a of list) if (!Buffer.isBuffer(a.value)) attrLists(a.value, out);
  return out;
}

function anyAttr(m: FuzzMessage, rnd: Rng): FuzzAttr | undefined {
  const all = attrLists(m.attrs).flat();
  return all.length ? pick(rnd, all) : undefined;
}

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

const mutators: Record<string, Mutator> = {
  'nlmsg_type': (m, rnd) => {
    m.type = pick(rnd, [0, 1, 2, 3, 4, 0xf, 0x10, 0x11, 0x12, 0x13, 0x14, m.type - 1, m.type + 1, 0xffff, int(rnd, 0x10000)]);
    return `type ${m.type & 0xffff}`;
  },
  'nlmsg_flags': (m, rnd) => {
    m.flags = pick(rnd, [0, m.flags & ~1, m.flags | 0x300, m.flags | 0x100, m.flags | 0x2, m.flags ^ 0x4, m.flags | 0x8, int(rnd, 0x10000), 0xffff]);
    return `flags 0x${(m.flags & 0xffff).toString(16)}`;
  },
  'seq/pid': (m, rnd) => {
    m.seq = pick(rnd, INTERESTING_U32);
    m.pid = pick(rnd, [0, 1, int(rnd, 0x1_0000_0000), 0xffffffff]);
    return `seq ${m.seq} pid ${m.pid}`;
  },
  'nlmsg_len lie': (m, rnd) => {
    const len = NLMSG_HDRLEN + m.fixed.length;
    m.lenLie = pick(rnd, [0, 1, 4, 15, 16, 17, 19, len - 1, len + 1, len + 4, len + 64 + int(rnd, 4096), 0xffff, 0xffffffff, int(rnd, len + 64)]);
    return `nlmsg_len ${m.lenLie}`;
  },
  'fixed header': (m, rnd) => {
    // genlmsghdr (cmd, version, reserved) or a raw payload: change, shorten or grow it.
    const k = int(rnd, 5);
    if (k === 0 && m.fixed.length) m.fixed[0] = int(rnd, 256);
    else if (k === 1 && m.fixed.length > 1) m.fixed[1] = pick(rnd, [0, 2, 0xff, int(rnd, 256)]);
    else if (k === 2 && m.fixed.length >= 4) m.fixed.writeUInt16LE(int(rnd, 0x10000), 2);
    else if (k === 3) m.fixed = m.fixed.subarray(0, int(rnd, m.fixed.length + 1));
    else m.fixed = Buffer.concat([m.fixed, bytes(rnd, 1 + int(rnd, 8))]);
    return `fixed header ${m.fixed.toString('hex')}`;
  },
  'attr type': (m, rnd) => {
    const a = anyAttr(m, rnd);
    if (!a) return 'attr type (none)';
    a.type = pick(rnd, [0, a.type + 1, a.type - 1, 0x3fff, int(rnd, 0x4000), a.type | NLA_F_NET_BYTEORDER, a.type ^ NLA_F_NESTED, int(rnd, 0x10000)]) & 0xffff;
    return `attr type 0x${a.type.toString(16)}`;
  },
  'nla_len lie': (m, rnd) => {
    const a = anyAttr(m, rnd);
    if (!a) return 'nla_len (none)';
    a.lenLie = pick(rnd, [0, 1, 3, 4, 5, 7, 8, 0xffff, int(rnd, 0x10000), int(rnd, 64)]);
    return `nla_len ${a.lenLie}`;
  },
  'attr value': (m, rnd) => {
    const a = anyAttr(m, rnd);
    if (!a || !Buffer.isBuffer(a.value)) return 'attr value (none)';
    const v = a.value;
    const k = int(rnd, 7);
    if (k === 0) a.value = Buffer.alloc(0);
    else if (k === 1) a.value = v.subarray(0, int(rnd, v.length + 1));
    else if (k === 2) a.value = Buffer.concat([v, bytes(rnd, 1 + int(rnd, 16))]);
    else if (k === 3) a.value = Buffer.alloc(pick(rnd, [63, 64, 65, 1023, 1024, 1025, 2000 + int(rnd, 2000)]), pick(rnd, [0, 0x41, 0xff]));
    else if (k === 4) a.value = v.length && v[v.length - 1] === 0 ? v.subarray(0, v.length - 1) : Buffer.concat([v, Buffer.from([0])]);
    else if (k === 5) a.value = bytes(rnd, int(rnd, 12));
    else (a.value = Buffer.alloc(4)).writeUInt32LE(pick(rnd, INTERESTING_U32));
    return `attr value ${a.value.length} bytes`;
  },
  'drop/dup attr': (m, rnd) => {
    const list = pick(rnd, attrLists(m.attrs));
    if (!list.length) return 'drop/dup (none)';
    const i = int(rnd, list.length);
    if (rnd() < 0.5) list.splice(i, 1);
    else list.splice(i, 0, cloneAttr(list[i]!));
    return 'drop/dup attr';
  },
  'unknown attr': (m, rnd) => {
    m.attrs.splice(int(rnd, m.attrs.length + 1), 0, { type: pick(rnd, [0, 5, 6, 7, 100, int(rnd, 0x4000)]), value: bytes(rnd, int(rnd, 12)) });
    return 'unknown attr';
  },
  'nesting': (m, rnd) => {
    const k = int(rnd, 3);
    if (k === 0 && m.attrs.length) {
      // wrap attributes in a nest, possibly several levels deep
      let inner: FuzzAttr[] = m.attrs.splice(int(rnd, m.attrs.length), 1 + int(rnd, 2));
      for (let d = 1 + int(rnd, 6); d > 0; d--) inner = [{ type: pick(rnd, [1, 2, 3, 4, int(rnd, 16)]) | (rnd() < 0.8 ? NLA_F_NESTED : 0), value: inner }];
      m.attrs.push(...inner);
      return 'wrapped in nests';
    }
    const a = anyAttr(m, rnd);
    if (!a) return 'nesting (none)';
    if (k === 1 && Buffer.isBuffer(a.value)) {
      a.type |= NLA_F_NESTED;
      a.value = [{ type: 1, value: a.value }];
      return 'value turned into a nest';
    }
    a.type ^= NLA_F_NESTED;
    return 'NLA_F_NESTED toggled';
  },
};

const NAMES = Object.keys(mutators);

/** Byte-level damage after encoding: flips and cuts. */
function damage(b: Buffer, rnd: Rng, how: string[]): Buffer {
  const k = int(rnd, 8);
  if (k === 0 && b.length) {
    const m = Buffer.from(b);
    for (let i = 1 + int(rnd, 4); i > 0; i--) m[int(rnd, m.length)] = int(rnd, 256);
    how.push('bytes flipped');
    return m;
  }
  if (k === 1) {
    how.push('cut');
    return Buffer.from(b.subarray(0, int(rnd, b.length + 1)));
  }
  return b;
}

/** What the lesson says its module trusts: the sender's port, pinned into the first header. */
export interface GenerateOptions {
  pinPid?: number;
}

/** The next fuzz datagram: 1–3 messages from the seeds, most of them mutated. */
export function nextDatagram(rnd: Rng, seeds: readonly FuzzMessage[], seq: number, opts: GenerateOptions = {}): FuzzDatagram {
  const d = generate(rnd, seeds, seq);
  if (opts.pinPid !== undefined && d.bytes.length >= 16) d.bytes.writeUInt32LE(opts.pinPid >>> 0, 12);
  return d;
}

function generate(rnd: Rng, seeds: readonly FuzzMessage[], seq: number): FuzzDatagram {
  const how: string[] = [];
  if (rnd() < 0.03) {
    how.push('random bytes');
    return { bytes: bytes(rnd, int(rnd, 96)), how };
  }
  const count = rnd() < 0.8 ? 1 : 2 + int(rnd, 2);
  const msgs: FuzzMessage[] = [];
  for (let i = 0; i < count; i++) {
    const s = int(rnd, seeds.length);
    const m = cloneMsg(seeds[s]!);
    m.seq = seq + i;
    how.push(`seed ${s}`);
    // a few stay valid, so the module's real paths (state, answers) are exercised too
    const mutations = rnd() < 0.1 ? 0 : 1 + int(rnd, 3);
    for (let j = 0; j < mutations; j++) how.push(mutators[pick(rnd, NAMES)]!(m, rnd));
    msgs.push(m);
  }
  return { bytes: damage(encodeDatagram(msgs), rnd, how), how };
}

/** Replays a run: the datagrams a run with `seed` sent, from index `from` up to (not including) `to`. */
export function replay(rnd: Rng, seeds: readonly FuzzMessage[], from: number, to: number, opts: GenerateOptions = {}): FuzzDatagram[] {
  const out: FuzzDatagram[] = [];
  for (let i = 0; i < to; i++) {
    const d = nextDatagram(rnd, seeds, i * 4, opts);
    if (i >= from) out.push(d);
  }
  return out;
}
