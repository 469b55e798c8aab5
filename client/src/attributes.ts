/**
 * Netlink attribute (`struct nlattr`, TLV) codec and scalar value codecs.
 * Pure functions, no I/O. Schema-driven encoding of whole objects is in
 * `schema.ts`.
 * @module
 */
import { NLA_F } from './constants.js';
import { AttributeEncodeError, MalformedMessageError } from './errors.js';
import { align, asBuffer } from './header.js';

/** Size of `struct nlattr`. */
export const NLA_HDRLEN = 4;

/** One attribute as found on the wire. */
export interface RawAttribute {
  /** Attribute type with the flag bits removed. */
  type: number;
  /** `NLA_F_NESTED` was set. */
  nested: boolean;
  /** `NLA_F_NET_BYTEORDER` was set. */
  netByteOrder: boolean;
  /** Payload (without header or padding); a view, not a copy. */
  payload: Buffer;
  /** Offset of the attribute header, relative to `baseOffset` given to {@link decodeAttributes}. */
  offset: number;
}

/**
 * Splits a buffer into attributes. Strict: every attribute must have
 * `nla_len >= 4` and fit in the buffer, and no bytes may be left over
 * except alignment padding. Throws {@link MalformedMessageError}.
 * @param baseOffset - added to reported offsets (e.g. where `buf` sits in a message)
 */
export function decodeAttributes(data: Buffer, baseOffset = 0): RawAttribute[] {
  const buf = asBuffer(data, 'attributes');
  const out: RawAttribute[] = [];
  let off = 0;
  while (off < buf.length) {
    const left = buf.length - off;
    if (left < NLA_HDRLEN) throw new MalformedMessageError(`${left} trailing bytes, less than an attribute header`, baseOffset + off);
    const len = buf.readUInt16LE(off);
    const rawType = buf.readUInt16LE(off + 2);
    if (len < NLA_HDRLEN) throw new MalformedMessageError(`nla_len ${len} is shorter than the header`, baseOffset + off);
    if (len > left) throw new MalformedMessageError(`nla_len ${len} exceeds the ${left} bytes left`, baseOffset + off);
    out.push({
      type: rawType & NLA_F.TYPE_MASK,
      nested: (rawType & NLA_F.NESTED) !== 0,
      netByteOrder: (rawType & NLA_F.NET_BYTEORDER) !== 0,
      payload: buf.subarray(off + NLA_HDRLEN, off + len),
      offset: baseOffset + off,
    });
    off += Math.min(align(len), left);
  }
  return out;
}

/**
 * Encodes one attribute: header, payload and zero padding to 4 bytes.
 * Throws {@link AttributeEncodeError} naming the attribute by `path`
 * (default: its type number).
 * @param nested - sets `NLA_F_NESTED` (the kernel requires it on nests since 5.2)
 * @param path - attribute names leading here, for error messages
 */
export function encodeAttribute(type: number, payload: Uint8Array, nested = false, path: string[] = [String(type)]): Buffer {
  if (!(payload instanceof Uint8Array)) throw new AttributeEncodeError(`payload must be a Buffer or Uint8Array, got ${typeof payload}`, path);
  const len = NLA_HDRLEN + payload.length;
  if (len > 0xffff) throw new AttributeEncodeError(`payload of ${payload.length} bytes exceeds the 65535 bytes nla_len can describe`, path);
  if (!Number.isInteger(type) || type < 0 || type > NLA_F.TYPE_MASK) throw new AttributeEncodeError(`type ${type} out of range`, path);
  const buf = Buffer.alloc(align(len));
  buf.writeUInt16LE(len, 0);
  buf.writeUInt16LE(type | (nested ? NLA_F.NESTED : 0), 2);
  buf.set(payload, NLA_HDRLEN);
  return buf;
}

/** Kinds of scalar values an attribute can hold. */
export type ScalarKind =
  | 'u8' | 'u16' | 'u32' | 'u64'
  | 's8' | 's16' | 's32' | 's64'
  | 'uint' | 'sint'
  | 'be16' | 'be32'
  | 'bitfield32'
  | 'string' | 'binary' | 'flag';

/** `struct nla_bitfield32`: the bits to set, and which bits the request means to change. */
export interface Bitfield32 {
  value: number;
  selector: number;
}

/**
 * JavaScript type of a decoded scalar: 64-bit and variable-width integers are `bigint`,
 * `be16`/`be32` (network byte order on the wire) plain numbers.
 */
export type ScalarValue = number | bigint | string | Buffer | boolean | Bitfield32;

const intSpec: Record<string, { size: number; signed: boolean; bigEndian?: boolean }> = {
  u8: { size: 1, signed: false },
  u16: { size: 2, signed: false },
  u32: { size: 4, signed: false },
  u64: { size: 8, signed: false },
  s8: { size: 1, signed: true },
  s16: { size: 2, signed: true },
  s32: { size: 4, signed: true },
  s64: { size: 8, signed: true },
  be16: { size: 2, signed: false, bigEndian: true },
  be32: { size: 4, signed: false, bigEndian: true },
};

const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Encodes a scalar value as an attribute payload. Throws {@link AttributeEncodeError}. */
export function encodeScalar(kind: ScalarKind, value: unknown, path: string[] = []): Buffer {
  const fail = (why: string): never => {
    throw new AttributeEncodeError(why, path);
  };
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') fail(`expected a string, got ${typeof value}`);
      if ((value as string).includes('\0')) fail('string contains a NUL byte');
      return Buffer.concat([Buffer.from(value as string, 'utf8'), Buffer.alloc(1)]);
    case 'binary':
      if (!(value instanceof Uint8Array)) fail('expected a Buffer/Uint8Array');
      return Buffer.from(value as Uint8Array);
    case 'flag':
      if (value !== true) fail('a flag attribute is encoded only when true');
      return Buffer.alloc(0);
    case 'uint':
    case 'sint': {
      const v = toBigInt(value, fail);
      const signed = kind === 'sint';
      const fits32 = signed ? v >= -(1n << 31n) && v < 1n << 31n : v >= 0n && v < 1n << 32n;
      const fits64 = signed ? v >= -(1n << 63n) && v < 1n << 63n : v >= 0n && v < 1n << 64n;
      if (!fits64) fail(`${v} out of range for ${kind}`);
      // Variable-width integers use 4 bytes when the value fits, like nla_put_uint().
      const buf = Buffer.alloc(fits32 ? 4 : 8);
      if (fits32) signed ? buf.writeInt32LE(Number(v)) : buf.writeUInt32LE(Number(v));
      else signed ? buf.writeBigInt64LE(v) : buf.writeBigUInt64LE(v);
      return buf;
    }
    case 'bitfield32': {
      const b = value as Partial<Bitfield32> | null;
      if (typeof b !== 'object' || b === null || !isU32(b.value) || !isU32(b.selector)) fail('expected { value, selector }, two u32 numbers');
      const buf = Buffer.alloc(8);
      buf.writeUInt32LE(b!.value!, 0);
      buf.writeUInt32LE(b!.selector!, 4);
      return buf;
    }
    default: {
      const spec = intSpec[kind];
      if (!spec) return fail(`unknown kind ${kind}`);
      const buf = Buffer.alloc(spec.size);
      if (spec.size === 8) {
        const v = toBigInt(value, fail);
        const min = spec.signed ? -(1n << 63n) : 0n;
        const max = spec.signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
        if (v < min || v > max) fail(`${v} out of range for ${kind}`);
        spec.signed ? buf.writeBigInt64LE(v) : buf.writeBigUInt64LE(v);
        return buf;
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) fail(`expected an integer number, got ${String(value)}`);
      const v = value as number;
      const bits = spec.size * 8;
      const min = spec.signed ? -(2 ** (bits - 1)) : 0;
      const max = spec.signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
      if (v < min || v > max) fail(`${v} out of range for ${kind}`);
      if (spec.bigEndian) buf.writeUIntBE(v, 0, spec.size);
      else buf.writeUIntLE(v < 0 ? v + 2 ** bits : v, 0, spec.size);
      return buf;
    }
  }
}

function toBigInt(value: unknown, fail: (why: string) => never): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return fail(`expected an integer, got ${String(value)}`);
}

/**
 * Decodes an attribute payload as a scalar. Strict lengths: fixed-size
 * integers must be exactly their size, `uint`/`sint` 4 or 8 bytes, strings
 * must be NUL-terminated, flags empty. Throws {@link MalformedMessageError}.
 * @param offset - reported in errors
 */
export function decodeScalar(kind: ScalarKind, payload: Buffer, offset = 0): ScalarValue {
  const bad = (why: string): never => {
    throw new MalformedMessageError(why, offset);
  };
  switch (kind) {
    case 'string': {
      const nul = payload.indexOf(0);
      if (nul < 0) return bad('string attribute is not NUL-terminated');
      return payload.toString('utf8', 0, nul);
    }
    case 'binary':
      return payload;
    case 'flag':
      if (payload.length !== 0) bad(`flag attribute has ${payload.length} payload bytes`);
      return true;
    case 'uint':
    case 'sint':
      if (payload.length === 4) return BigInt(kind === 'uint' ? payload.readUInt32LE(0) : payload.readInt32LE(0));
      if (payload.length === 8) return kind === 'uint' ? payload.readBigUInt64LE(0) : payload.readBigInt64LE(0);
      return bad(`${kind} attribute has ${payload.length} bytes, expected 4 or 8`);
    case 'bitfield32':
      if (payload.length !== 8) bad(`bitfield32 attribute has ${payload.length} bytes, expected 8`);
      return { value: payload.readUInt32LE(0), selector: payload.readUInt32LE(4) };
    default: {
      const spec = intSpec[kind];
      if (!spec) return bad(`unknown kind ${kind}`);
      if (payload.length !== spec.size) bad(`${kind} attribute has ${payload.length} bytes, expected ${spec.size}`);
      if (spec.size === 8) return spec.signed ? payload.readBigInt64LE(0) : payload.readBigUInt64LE(0);
      if (spec.bigEndian) return payload.readUIntBE(0, spec.size);
      return spec.signed ? payload.readIntLE(0, spec.size) : payload.readUIntLE(0, spec.size);
    }
  }
}
