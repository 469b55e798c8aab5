// The message viewer's dissection: bytes in, one table of rows per message out (offset, length,
// field, value, depth). Every value comes from the client library's own codecs (client/src);
// this file only walks them and words the result. Pure: the page draws the rows.
import { align, type AttributeSet, type AttributeSpec, CTRL_CMD, ctrlAttributes, decodeAttributes, decodeDoneMessage, decodeErrorMessage, decodeGenlHeader, decodeGenlMessage, decodeMessages, decodeScalar, defineAttributeSet, errnoCode, type ErrorReport, type ExtendedAck, flagNames, GENL_HDRLEN, GENL_ID_CTRL, MalformedMessageError, nameOffsets, type NetlinkMessage, NL_ATTR_TYPE_NAMES, NLA_HDRLEN, NLM_F, NLMSG, NLMSG_HDRLEN, NLMSGERR_ATTR, policyAttributes, type PolicyInfo, type ScalarKind, type ScalarValue } from '../../../../client/src/codecs.ts';

/** A lesson's family as the viewer gets it (docs/.vitepress/gen/lesson-families.ts). */
export interface ViewerFamily {
  /** 'raw': the payload is plain bytes (lessons 2–5); 'unit': attributes after nlmsghdr; 'genl': after genlmsghdr. */
  protocol: 'raw' | 'unit' | 'genl';
  familyName?: string;
  /** Message types (unit) or genl commands (genl): number → name. */
  names: Record<number, string>;
  attributes: Record<string, { type: number; kind: string }>;
}

/** One line of a message's table. Offsets count from the first byte pasted. */
export interface Row {
  offset: number;
  length: number;
  /** A C name (`nlmsg_flags`, `genlmsghdr.cmd`) or an attribute's name. */
  field: string;
  value: string;
  /** Nesting level: 0 for the message's own fields. */
  depth: number;
  /** What the bytes say besides the value, e.g. an attribute's `nla_len` and flags. */
  detail?: string;
  /** The bytes do not decode; `value` says why. */
  problem?: boolean;
  /** For a row whose content is shown by the rows after it (a nest, the request in an ACK): how many leading bytes are its own. */
  own?: number;
}

export interface ViewedMessage {
  offset: number;
  /** Bytes the message takes in the datagram, padding included. */
  length: number;
  /** What kind of message: NLMSG_ERROR, nlctrl, the lesson's SET, … */
  title: string;
  rows: Row[];
}

export interface View {
  messages: ViewedMessage[];
  /** Bytes after the last message that do not form one. */
  problem?: { offset: number; message: string };
}

/** The words the viewer puts into values; the page passes its language's. */
export interface ViewerWords {
  ack: string;
  requestHeader: string;
  requestPayload: string;
  capped: string;
  points: (path: string) => string;
  nest: string;
  entries: (n: number) => string;
  familyId: (name: string) => string;
  padding: string;
  bytes: (n: number) => string;
  /** Names of a policy's limits, for the one-line summary of NLMSGERR_ATTR_POLICY. */
  limits: { type: string; minLength: string; maxLength: string; min: string; max: string; mask: string };
}

export const ENGLISH: ViewerWords = {
  ack: 'ACK (success)',
  requestHeader: 'the request’s nlmsghdr',
  requestPayload: 'the request’s payload',
  capped: 'left out (NLM_F_CAPPED)',
  points: (path) => `points at ${path} in the request`,
  nest: 'nest',
  entries: (n) => `${n} entr${n === 1 ? 'y' : 'ies'}`,
  familyId: (name) => `the ${name} family`,
  padding: 'padding to a multiple of 4',
  bytes: (n) => `${n} bytes`,
  limits: { type: 'type', minLength: 'min length', maxLength: 'max length', min: 'min', max: 'max', mask: 'mask' },
};

/** How to read the payload of one message type. */
interface Layout {
  title: string;
  genl: boolean;
  raw?: boolean;
  commands?: Record<number, string>;
  set?: AttributeSet;
}

const reverse = (table: Record<string, number>, prefix: string): Record<number, string> =>
  Object.fromEntries(Object.entries(table).map(([n, v]) => [v, `${prefix}${n}`]));
const CONTROL = reverse({ NOOP: NLMSG.NOOP, ERROR: NLMSG.ERROR, DONE: NLMSG.DONE, OVERRUN: NLMSG.OVERRUN }, 'NLMSG_');
const CTRL_COMMANDS = reverse(CTRL_CMD, 'CTRL_CMD_');
const EXTACK_NAMES = reverse(NLMSGERR_ATTR, 'NLMSGERR_ATTR_');

const hex = (n: number, width: number): string => `0x${n.toString(16).padStart(width, '0')}`;
const isPrintable = (text: string): boolean => /^[\x20-\x7e]*\0?$/.test(text);
const bytesValue = (p: Uint8Array, words: ViewerWords): string => {
  const b = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  const text = b.toString('latin1');
  const shown = b.length > 64 ? `${b.subarray(0, 64).toString('hex')}…` : b.toString('hex');
  return `${words.bytes(b.length)}: ${shown}${b.length && isPrintable(text) ? ` ${quoted(text)}` : ''}`;
};

/** Text as C would write it: a NUL is \0. */
const quoted = (text: string): string => JSON.stringify(text).replace(/\\u0000/g, '\\0');

function scalarValue(v: ScalarValue, words: ViewerWords): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return v > 9 ? `${v} (${hex(v, 0)})` : String(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  // NLA_BITFIELD32: the bits to set, and the selector naming every bit the request changes.
  if (!(v instanceof Uint8Array)) return `value ${hex(v.value, 8)} selector ${hex(v.selector, 8)}`;
  return bytesValue(v, words);
}

/** A lesson family's attribute set, made with the client's defineAttributeSet(). */
export function familySet(family: ViewerFamily): AttributeSet {
  return defineAttributeSet(family.familyName ?? 'lesson', family.attributes as Record<string, AttributeSpec>);
}

/** An error's reason, without the client's "malformed netlink data at offset N: " (the row has the offset). */
const reason = (e: unknown): string => (e as Error).message.replace(/^malformed netlink data at offset \d+: /, '');

class Dissector {
  readonly rows: Row[] = [];
  constructor(private readonly words: ViewerWords) {}

  row(r: Row): void {
    this.rows.push(r);
  }

  problem(offset: number, e: unknown, depth: number): void {
    this.row({ offset, length: 0, field: '⚠', value: reason(e), depth, problem: true });
  }

  /** The zero bytes between `end` and the next multiple of 4 (never past `limit`). */
  padding(end: number, start: number, limit: number, depth: number): void {
    const pad = Math.min(start + align(end - start), limit) - end;
    if (pad > 0) this.row({ offset: end, length: pad, field: 'padding', value: this.words.padding, depth });
  }

  header(base: number, h: { len: number; type: number; flags: number; seq: number; pid: number }, title: string, depth: number): void {
    this.row({ offset: base, length: 4, field: 'nlmsg_len', value: String(h.len), depth });
    this.row({ offset: base + 4, length: 2, field: 'nlmsg_type', value: `${h.type} (${hex(h.type, 4)}) ${title}`, depth });
    this.row({ offset: base + 6, length: 2, field: 'nlmsg_flags', value: `${hex(h.flags, 4)} ${flagNames(h.flags, h.type)}`, depth });
    this.row({ offset: base + 8, length: 4, field: 'nlmsg_seq', value: String(h.seq), depth });
    this.row({ offset: base + 12, length: 4, field: 'nlmsg_pid', value: String(h.pid), depth });
  }

  /** Attributes of `buf`, which starts at `base`; nests and arrays of nests recurse. */
  attributes(buf: Buffer, base: number, set: AttributeSet | undefined, depth: number, names: Record<number, string> = {}): void {
    let attrs;
    try {
      attrs = decodeAttributes(buf, base);
    } catch (e) {
      // Show what does parse, then where it stops.
      const at = e instanceof MalformedMessageError ? e.offset : base;
      if (at > base) this.attributes(buf.subarray(0, at - base), base, set, depth, names);
      this.problem(at, e, depth);
      return;
    }
    for (const a of attrs) {
      const entry = set?.byType.get(a.type);
      const spec = entry?.[1];
      const field = entry?.[0] ?? names[a.type] ?? `type ${a.type}`;
      const flags = `${a.nested ? ' | NLA_F_NESTED' : ''}${a.netByteOrder ? ' | NLA_F_NET_BYTEORDER' : ''}`;
      const row: Row = { offset: a.offset, length: NLA_HDRLEN + a.payload.length, field, value: '', depth, detail: `nla_len ${NLA_HDRLEN + a.payload.length}, nla_type ${a.type}${flags}` };
      this.row(row);
      const inner = a.offset + NLA_HDRLEN;
      if (spec?.kind === 'nested' || (!spec && a.nested) || spec?.kind === 'nested-array') row.own = NLA_HDRLEN;
      if (spec?.kind === 'nested' || (!spec && a.nested)) {
        row.value = this.words.nest;
        this.attributes(a.payload, inner, spec?.nested, depth + 1);
      } else if (spec?.kind === 'nested-array') {
        // Each entry is a nest typed by its index: its content is in the entry set.
        let entries;
        try {
          entries = decodeAttributes(a.payload, inner);
        } catch (e) {
          this.problem(e instanceof MalformedMessageError ? e.offset : inner, e, depth + 1);
          continue;
        }
        row.value = this.words.entries(entries.length);
        for (const e of entries) {
          this.row({ offset: e.offset, length: NLA_HDRLEN + e.payload.length, field: `[${e.type}]`, value: this.words.nest, depth: depth + 1, detail: `nla_len ${NLA_HDRLEN + e.payload.length}, nla_type ${e.type}`, own: NLA_HDRLEN });
          this.attributes(e.payload, e.offset + NLA_HDRLEN, spec.nested, depth + 2);
          this.padding(e.offset + NLA_HDRLEN + e.payload.length, e.offset, inner + a.payload.length, depth + 1);
        }
      } else if (spec) {
        try {
          row.value = scalarValue(decodeScalar(spec.kind as ScalarKind, a.payload, a.offset), this.words);
        } catch (e) {
          row.value = `${bytesValue(a.payload, this.words)} — ${reason(e)}`;
          row.problem = true;
        }
      } else row.value = bytesValue(a.payload, this.words);
      this.padding(inner + a.payload.length, a.offset, base + buf.length, depth);
    }
  }

  /** A message's payload after its nlmsghdr, read the way `layout` says. */
  payload(p: Buffer, base: number, layout: Layout, depth: number): void {
    if (layout.raw) return this.row({ offset: base, length: p.length, field: 'payload', value: bytesValue(p, this.words), depth });
    if (!layout.genl) return this.attributes(p, base, layout.set, depth);
    let cmd: number;
    try {
      cmd = decodeGenlHeader(p).cmd;
    } catch (e) {
      return this.problem(base, e, depth);
    }
    const name = layout.commands?.[cmd];
    this.row({ offset: base, length: 1, field: 'genlmsghdr.cmd', value: `${cmd}${name ? ` ${name}` : ''}`, depth });
    this.row({ offset: base + 1, length: 1, field: 'genlmsghdr.version', value: String(decodeGenlHeader(p).version), depth });
    this.row({ offset: base + 2, length: 2, field: 'genlmsghdr.reserved', value: String(p.readUInt16LE(2)), depth });
    this.attributes(p.subarray(GENL_HDRLEN), base + GENL_HDRLEN, layout.set, depth);
  }

  /** Extended-ACK TLVs starting at `base`, their values as the client's decoder reads them. */
  extack(tlvs: Buffer, base: number, ext: ExtendedAck, depth: number, points?: string): void {
    let attrs;
    try {
      attrs = decodeAttributes(tlvs, base);
    } catch (e) {
      return this.problem(e instanceof MalformedMessageError ? e.offset : base, e, depth);
    }
    for (const a of attrs) {
      const field = EXTACK_NAMES[a.type] ?? `type ${a.type}`;
      const row: Row = { offset: a.offset, length: NLA_HDRLEN + a.payload.length, field, value: bytesValue(a.payload, this.words), depth, detail: `nla_len ${NLA_HDRLEN + a.payload.length}, nla_type ${a.type}` };
      this.row(row);
      const end = a.offset + NLA_HDRLEN + a.payload.length;
      switch (a.type) {
        case NLMSGERR_ATTR.MSG:
          if (ext.message !== undefined) row.value = JSON.stringify(ext.message);
          break;
        case NLMSGERR_ATTR.OFFS:
          if (ext.offset !== undefined) row.value = `${ext.offset}${points ? ` (${points})` : ''}`;
          break;
        case NLMSGERR_ATTR.MISS_TYPE:
          if (ext.missingType !== undefined) row.value = `${ext.missingType}${ext.missingName ? ` ${ext.missingName}` : ''}`;
          break;
        case NLMSGERR_ATTR.MISS_NEST:
          if (ext.missingNest !== undefined) row.value = String(ext.missingNest);
          break;
        case NLMSGERR_ATTR.POLICY:
          row.value = policyText(ext.policy ?? {}, this.words.limits);
          row.own = NLA_HDRLEN;
          this.attributes(a.payload, a.offset + NLA_HDRLEN, policyAttributes, depth + 1);
          // NL_POLICY_TYPE_ATTR_TYPE by name, as the policy summary has it.
          for (const r of this.rows.filter((x) => x.depth === depth + 1 && x.offset > a.offset && x.field === 'TYPE')) {
            const n = Number(r.value.split(' ')[0]);
            if (NL_ATTR_TYPE_NAMES[n]) r.value = `${n} ${NL_ATTR_TYPE_NAMES[n]}`;
          }
          break;
      }
      this.padding(end, a.offset, base + tlvs.length, depth);
    }
  }
}

/** A policy in one line: "type string, max length 64". */
function policyText(p: PolicyInfo, w: ViewerWords['limits']): string {
  const parts = [
    p.type && `${w.type} ${p.type}`,
    p.minLength !== undefined && `${w.minLength} ${p.minLength}`,
    p.maxLength !== undefined && `${w.maxLength} ${p.maxLength}`,
    p.minValue !== undefined && `${w.min} ${p.minValue}`,
    p.maxValue !== undefined && `${w.max} ${p.maxValue}`,
    p.mask !== undefined && `${w.mask} 0x${p.mask.toString(16)}`,
    p.bitfield32Mask !== undefined && `${w.mask} ${hex(p.bitfield32Mask, 0)}`,
  ];
  return parts.filter(Boolean).join(', ');
}

/** Finds the lesson's genl family id in an nlctrl reply among the messages, if one names it. */
function learnFamilyId(messages: NetlinkMessage[], family: ViewerFamily | undefined): number | undefined {
  if (family?.protocol !== 'genl' || !family.familyName) return undefined;
  for (const m of messages.filter((x) => x.type === GENL_ID_CTRL)) {
    try {
      const v = decodeGenlMessage(m, ctrlAttributes).attributes;
      if (v.FAMILY_NAME === family.familyName && typeof v.FAMILY_ID === 'number') return v.FAMILY_ID;
    } catch {
      // not a family description
    }
  }
  return undefined;
}

function layoutFor(type: number, family: ViewerFamily | undefined, set: AttributeSet | undefined, familyId: number | undefined, words: ViewerWords): Layout {
  if (family?.protocol === 'raw') return { title: family.names[type] ?? '', genl: false, raw: true };
  if (family?.protocol === 'unit') return { title: family.names[type] ?? '', genl: false, ...(set ? { set } : {}) };
  if (type === GENL_ID_CTRL) return { title: 'GENL_ID_CTRL (nlctrl)', genl: true, commands: CTRL_COMMANDS, set: ctrlAttributes };
  if (family?.protocol === 'genl' && (familyId === undefined || type === familyId))
    return { title: words.familyId(family.familyName ?? ''), genl: true, commands: family.names, ...(set ? { set } : {}) };
  return { title: '', genl: false };
}

/**
 * Dissects a datagram (one or more messages back to back). With a lesson's family, its
 * message types or commands and attributes are named; without, type 0x10 is read as nlctrl.
 */
export function viewMessages(data: Uint8Array, family?: ViewerFamily, words: ViewerWords = ENGLISH): View {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let messages: NetlinkMessage[];
  let problem: View['problem'];
  try {
    messages = decodeMessages(bytes);
  } catch (e) {
    const offset = e instanceof MalformedMessageError ? e.offset : 0;
    messages = offset > 0 ? decodeMessages(bytes.subarray(0, offset)) : [];
    problem = { offset, message: reason(e) };
  }
  const set = family ? familySet(family) : undefined;
  const familyId = learnFamilyId(messages, family);
  const layout = (type: number): Layout => layoutFor(type, family, set, familyId, words);
  const view: View = { messages: messages.map((m) => viewMessage(bytes, m, layout, words)) };
  if (problem) view.problem = problem;
  return view;
}

function viewMessage(bytes: Buffer, m: NetlinkMessage, layout: (type: number) => Layout, words: ViewerWords): ViewedMessage {
  const base = m.payload.byteOffset - bytes.byteOffset - NLMSG_HDRLEN;
  const len = NLMSG_HDRLEN + m.payload.length;
  const d = new Dissector(words);
  const control = CONTROL[m.type];
  const l = control ? undefined : layout(m.type);
  const title = control ?? l!.title;
  d.header(base, { len, ...m }, title, 0);
  const at = base + NLMSG_HDRLEN;
  if (m.type === NLMSG.ERROR) errorRows(d, m, at, layout, words);
  else if (m.type === NLMSG.DONE) {
    if (m.payload.length >= 4) {
      const done = decodeDoneMessage(m);
      d.row({ offset: at, length: 4, field: 'error', value: done.errno ? `-${done.errno} ${errnoCode(done.errno)}` : '0', depth: 0 });
      if (m.flags & NLM_F.ACK_TLVS) d.extack(m.payload.subarray(4), at + 4, done.extack, 0);
    }
  } else if (l && m.payload.length) d.payload(m.payload, at, l, 0);
  d.padding(base + len, base, bytes.length, 0);
  const command = l?.genl && m.payload.length >= GENL_HDRLEN ? l.commands?.[m.payload[0]!] : undefined;
  return { offset: base, length: Math.min(align(len), bytes.length - base), title: [title, command].filter(Boolean).join(' · ') || `type ${m.type}`, rows: d.rows };
}

/** `struct nlmsgerr`: the error, the request's header (and payload unless capped), the extended ACK. */
function errorRows(d: Dissector, m: NetlinkMessage, at: number, layout: (type: number) => Layout, words: ViewerWords): void {
  let r: ErrorReport;
  try {
    r = decodeErrorMessage(m);
  } catch (e) {
    return d.problem(at, e, 0);
  }
  const p = m.payload;
  d.row({ offset: at, length: 4, field: 'error', value: r.errno ? `-${r.errno} ${errnoCode(r.errno)}` : `0 ${words.ack}`, depth: 0 });
  const origLen = p.readUInt32LE(4);
  const req = layout(r.request.type);
  d.row({ offset: at + 4, length: NLMSG_HDRLEN, field: 'msg', value: words.requestHeader, depth: 0, own: 0 });
  d.header(at + 4, { len: origLen, ...r.request }, CONTROL[r.request.type] ?? req.title, 1);
  let points: string | undefined;
  if (r.requestPayload) {
    const start = at + 4 + NLMSG_HDRLEN;
    d.row({ offset: start, length: r.requestPayload.length, field: 'payload', value: words.requestPayload, depth: 0, own: 0 });
    d.payload(r.requestPayload, start, req, 1);
    d.padding(at + 4 + origLen, at + 4, at + p.length, 0);
    // The extended ACK's offset counts from the request's nlmsghdr, which the ACK carries.
    const named = nameOffsets(r.extack, p.subarray(4, 4 + origLen), { headerSize: req.genl ? GENL_HDRLEN : 0, ...(req.set ? { attributes: req.set } : {}) });
    r.extack = named;
    if (named.path) points = words.points(named.path.join('.'));
  } else if (origLen > NLMSG_HDRLEN) d.row({ offset: at + 4 + NLMSG_HDRLEN, length: 0, field: 'payload', value: words.capped, depth: 0 });
  if (m.flags & NLM_F.ACK_TLVS) {
    const tlvStart = r.requestPayload ? Math.min(4 + align(origLen), p.length) : 4 + NLMSG_HDRLEN;
    d.extack(p.subarray(tlvStart), at + tlvStart, r.extack, 0, points);
  }
}
