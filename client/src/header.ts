/**
 * `struct nlmsghdr` codec. Pure functions, no I/O. Integers are in host
 * byte order (netlink never leaves the machine); on every platform Node runs
 * this library on that is little-endian.
 * @module
 */
import { NLM_F, NLMSG } from './constants.js';
import { InvalidArgumentError, MalformedMessageError } from './errors.js';

/** Size of `struct nlmsghdr`. */
export const NLMSG_HDRLEN = 16;
/** Netlink alignment unit. */
export const NLMSG_ALIGNTO = 4;

/** Rounds `n` up to the netlink alignment (`NLMSG_ALIGN`, also `NLA_ALIGN`). */
export function align(n: number): number {
  return (n + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
}

/** A decoded netlink message: header fields plus the payload after the header. */
export interface NetlinkMessage {
  /** `nlmsg_type`. */
  type: number;
  /** `nlmsg_flags` (`NLM_F.*`). */
  flags: number;
  /** `nlmsg_seq`. */
  seq: number;
  /** `nlmsg_pid`: the sender's port id (0 for the kernel). */
  pid: number;
  /** Bytes after the header, `nlmsg_len - 16` long. A view into the received datagram. */
  payload: Buffer;
}

/** What is needed to encode a message. Omitted numeric fields are 0. */
export interface MessageInit {
  type: number;
  flags?: number;
  seq?: number;
  pid?: number;
  /**
   * Payload bytes; several chunks are concatenated. A string is encoded as
   * UTF-8 followed by a NUL byte (what C's `strcpy` into a zeroed buffer gives).
   */
  payload?: Uint8Array | string | readonly Uint8Array[];
  /** Override `nlmsg_len` (for crafting malformed messages). Default: 16 + payload length. */
  length?: number;
}

const PAYLOAD_KINDS = 'a Buffer, Uint8Array, string or array of Uint8Array';

/** Normalises a {@link MessageInit} payload to bytes. Throws {@link InvalidArgumentError} for any other type. */
export function payloadBytes(payload: MessageInit['payload']): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string') return Buffer.concat([Buffer.from(payload, 'utf8'), Buffer.alloc(1)]);
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (!Array.isArray(payload) || !payload.every((p) => p instanceof Uint8Array)) throw new InvalidArgumentError('payload', PAYLOAD_KINDS, payload);
  return Buffer.concat(payload);
}

/** Views any `Uint8Array` as a Buffer without copying; throws {@link InvalidArgumentError} for anything else. */
export function asBuffer(data: unknown, argument: string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new InvalidArgumentError(argument, 'a Buffer or Uint8Array', data);
}

/** Writes a 16-byte `nlmsghdr` at `offset` of `buf`. */
export function writeHeader(
  buf: Buffer,
  offset: number,
  h: { length: number; type: number; flags: number; seq: number; pid: number },
): void {
  buf.writeUInt32LE(h.length >>> 0, offset);
  buf.writeUInt16LE(h.type & 0xffff, offset + 4);
  buf.writeUInt16LE(h.flags & 0xffff, offset + 6);
  buf.writeUInt32LE(h.seq >>> 0, offset + 8);
  buf.writeUInt32LE(h.pid >>> 0, offset + 12);
}

/**
 * Encodes one message. The result is padded to a multiple of 4 so messages
 * can be concatenated into one datagram; `nlmsg_len` excludes the padding.
 */
export function encodeMessage(msg: MessageInit): Buffer {
  if (typeof msg !== 'object' || msg === null) throw new InvalidArgumentError('message', 'an object with a numeric type', msg);
  const p = msg.payload;
  // Fast path for the common single-buffer payload: one allocation, one copy.
  const body = p instanceof Uint8Array ? p : payloadBytes(p);
  const length = NLMSG_HDRLEN + body.length;
  const size = align(length);
  const buf = Buffer.allocUnsafe(size);
  writeHeader(buf, 0, {
    length: msg.length ?? length,
    type: msg.type,
    flags: msg.flags ?? 0,
    seq: msg.seq ?? 0,
    pid: msg.pid ?? 0,
  });
  buf.set(body, NLMSG_HDRLEN);
  buf.fill(0, length, size);
  return buf;
}

/** Encodes several messages back to back into one datagram. */
export function encodeMessages(msgs: readonly MessageInit[]): Buffer {
  if (!Array.isArray(msgs)) throw new InvalidArgumentError('messages', 'an array of messages', msgs);
  return Buffer.concat(msgs.map(encodeMessage));
}

/**
 * Decodes every message of a datagram. Strict: a header that is too short,
 * claims more bytes than remain, or trailing bytes that cannot hold a
 * header throw {@link MalformedMessageError}; anything but bytes throws
 * {@link InvalidArgumentError}. Payloads are views, not copies.
 */
export function decodeMessages(data: Uint8Array): NetlinkMessage[] {
  const buf = asBuffer(data, 'datagram');
  const out: NetlinkMessage[] = [];
  let off = 0;
  while (off < buf.length) {
    const left = buf.length - off;
    if (left < NLMSG_HDRLEN) throw new MalformedMessageError(`${left} trailing bytes, less than a header`, off);
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN) throw new MalformedMessageError(`nlmsg_len ${len} is shorter than the header`, off);
    if (len > left) throw new MalformedMessageError(`nlmsg_len ${len} exceeds the ${left} bytes left`, off);
    out.push({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      pid: buf.readUInt32LE(off + 12),
      payload: buf.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += Math.min(align(len), left);
  }
  return out;
}

/** Bits whose meaning depends on the request kind (GET, NEW) or, for CAPPED and ACK_TLVS, on the message being an ACK. */
const MODIFIERS = /^(ROOT|MATCH|ATOMIC|REPLACE|EXCL|CREATE|APPEND|DUMP|CAPPED|ACK_TLVS|NONREC)$/;

/**
 * Header flags as names, e.g. "REQUEST|ACK". Bits that only mean something on an ACK
 * (CAPPED, ACK_TLVS) are named when `type` is NLMSG_ERROR; the GET and NEW modifiers,
 * which share bits, are shown as hex, as is any bit without a name.
 */
export function flagNames(flags: number, type?: number): string {
  const ack = type === NLMSG.ERROR;
  const named = (Object.entries(NLM_F) as [string, number][]).filter(
    ([name, bit]) => (flags & bit) === bit && (!MODIFIERS.test(name) || (ack && (name === 'CAPPED' || name === 'ACK_TLVS'))),
  );
  const rest = named.reduce((f, [, bit]) => f & ~bit, flags);
  const names = [...named.map(([name]) => name), ...(rest ? [`0x${rest.toString(16)}`] : [])];
  return names.length ? names.join('|') : '0';
}
