/**
 * Fixed C structs at the start of a payload (`ifinfomsg`, `ifaddrmsg`, `rtmsg`, `ndmsg`): one
 * table of fields gives the encoder and the decoder, in host (little-endian) byte order. A
 * message made of such a struct and then attributes, as rtnetlink's are, is a
 * {@link StructMessage}. Pure.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { MalformedMessageError } from './errors.js';
import { NLMSG_HDRLEN, type NetlinkMessage } from './header.js';
import { decodeAttributeSet, encodeAttributeSet, type AttributeSet, type AttributeValues } from './schema.js';

/** How a struct field is stored. */
export type StructFieldKind = 'u8' | 'u16' | 'u32' | 's32';

/** Each field of `T`: its byte offset and how it is stored. */
export type StructFields<T> = { readonly [K in keyof T]: readonly [offset: number, kind: StructFieldKind] };

/** The encoder and decoder {@link defineStruct} makes. */
export interface StructCodec<T> {
  readonly name: string;
  /** Size in bytes, padding included. */
  readonly size: number;
  /** Encodes the struct; omitted fields are 0. */
  encode(fields?: Partial<T>): Buffer;
  /** Decodes the struct from the start of a payload; throws {@link MalformedMessageError} if the payload is shorter. */
  decode(payload: Buffer): T;
}

const WRITE: Record<StructFieldKind, (b: Buffer, value: number, offset: number) => number> = {
  u8: (b, v, o) => b.writeUInt8(v, o),
  u16: (b, v, o) => b.writeUInt16LE(v, o),
  u32: (b, v, o) => b.writeUInt32LE(v, o),
  s32: (b, v, o) => b.writeInt32LE(v, o),
};
const READ: Record<StructFieldKind, (b: Buffer, offset: number) => number> = {
  u8: (b, o) => b.readUInt8(o),
  u16: (b, o) => b.readUInt16LE(o),
  u32: (b, o) => b.readUInt32LE(o),
  s32: (b, o) => b.readInt32LE(o),
};

/** A struct codec from its C name, its size and a table of its fields. */
export function defineStruct<T extends object>(name: string, size: number, fields: StructFields<T>): StructCodec<T> {
  const table = Object.entries(fields) as [string, readonly [number, StructFieldKind]][];
  return Object.freeze({
    name,
    size,
    encode(values: Partial<T> = {}): Buffer {
      const b = Buffer.alloc(size);
      for (const [key, [offset, kind]] of table) WRITE[kind](b, (values as Record<string, number | undefined>)[key] ?? 0, offset);
      return b;
    },
    decode(payload: Buffer): T {
      if (payload.length < size) throw new MalformedMessageError(`${name} of ${payload.length} bytes`, NLMSG_HDRLEN);
      return Object.fromEntries(table.map(([key, [offset, kind]]) => [key, READ[kind](payload, offset)])) as T;
    },
  });
}

/** A message kind made of a fixed struct and then attributes (rtnetlink's links, addresses, routes, neighbours). */
export interface StructMessage<T> {
  readonly struct: StructCodec<T>;
  readonly attributes: AttributeSet;
  /** Where the attributes of a request start, for naming extended-ACK offsets. */
  readonly layout: RequestLayout;
  /** A payload: the struct (omitted fields 0), then the attributes (undefined ones left out). */
  encode(header?: Partial<T>, attributes?: AttributeValues): Buffer;
  /** The struct's fields and the decoded attributes. */
  decode(message: NetlinkMessage): T & { attributes: AttributeValues };
}

/** A {@link StructMessage} from its struct and its attribute set. */
export function structMessage<T>(struct: StructCodec<T>, attributes: AttributeSet): StructMessage<T> {
  return Object.freeze({
    struct,
    attributes,
    layout: { headerSize: struct.size, attributes },
    encode: (header: Partial<T> = {}, values: AttributeValues = {}) => Buffer.concat([struct.encode(header), encodeAttributeSet(attributes, values)]),
    decode: (message: NetlinkMessage) => ({
      ...struct.decode(message.payload),
      attributes: decodeAttributeSet(attributes, message.payload.subarray(struct.size), NLMSG_HDRLEN + struct.size),
    }),
  });
}
