/**
 * Generic netlink codecs: `genlmsghdr`, nlctrl's attribute set and whole genl messages.
 * Pure functions, no I/O (the requests that use them are in `genl.ts`).
 * @module
 */
import { CTRL_ATTR } from './constants.js';
import { MalformedMessageError } from './errors.js';
import type { NetlinkMessage } from './header.js';
import { attributeSetOf, decodeAttributeSet, defineAttributeSet, type AttributeSet, type AttributeValues } from './schema.js';

/** Size of `struct genlmsghdr`. */
export const GENL_HDRLEN = 4;

/** `struct genlmsghdr`. */
export interface GenlHeader {
  cmd: number;
  version: number;
}

/** Encodes `genlmsghdr` (reserved field zero, as 6.1+ kernels check). */
export function encodeGenlHeader(cmd: number, version = 1): Buffer {
  const b = Buffer.alloc(GENL_HDRLEN);
  b.writeUInt8(cmd, 0);
  b.writeUInt8(version, 1);
  return b;
}

/** Decodes `genlmsghdr` from the start of a message payload. Throws {@link MalformedMessageError}. */
export function decodeGenlHeader(payload: Buffer): GenlHeader {
  if (payload.length < GENL_HDRLEN) throw new MalformedMessageError(`genl payload of ${payload.length} bytes`, 16);
  return { cmd: payload.readUInt8(0), version: payload.readUInt8(1) };
}

/** nlctrl's attribute set (`CTRL_ATTR_*`). */
export const ctrlAttributes: AttributeSet = attributeSetOf(
  'ctrl',
  CTRL_ATTR,
  { u16: ['FAMILY_ID'], string: ['FAMILY_NAME'], u32: ['VERSION', 'HDRSIZE', 'MAXATTR', 'OP'], binary: ['POLICY', 'OP_POLICY'] },
  {
    OPS: { type: CTRL_ATTR.OPS, kind: 'nested-array', nested: defineAttributeSet('ctrl-op', { ID: { type: 1, kind: 'u32' }, FLAGS: { type: 2, kind: 'u32' } }) },
    MCAST_GROUPS: { type: CTRL_ATTR.MCAST_GROUPS, kind: 'nested-array', nested: defineAttributeSet('ctrl-mcast-group', { NAME: { type: 1, kind: 'string' }, ID: { type: 2, kind: 'u32' } }) },
  },
);

/** A decoded generic netlink message. */
export interface GenlMessage extends GenlHeader {
  /** Attributes decoded with the request's attribute set (unknown ones keyed by number). */
  attributes: AttributeValues;
  /** The underlying netlink message. */
  message: NetlinkMessage;
}

/** Decodes a generic netlink message with `set`, skipping `hdrsize` bytes of family header. */
export function decodeGenlMessage(message: NetlinkMessage, set: AttributeSet, hdrsize = 0): GenlMessage {
  const h = decodeGenlHeader(message.payload);
  const start = GENL_HDRLEN + hdrsize;
  if (message.payload.length < start) throw new MalformedMessageError('genl family header truncated', 16 + GENL_HDRLEN);
  const attributes = decodeAttributeSet(set, message.payload.subarray(start), 16 + start);
  return { ...h, attributes, message };
}
