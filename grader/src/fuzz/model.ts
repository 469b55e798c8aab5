// The fuzzer's view of a netlink message: a header, a fixed payload (genlmsghdr or a raw
// lesson's text) and an attribute tree, plus the lies the encoder is told to write. Pure.

import { FUZZ_FLAGS, type FuzzAttribute, type FuzzSeed } from '../lesson/schema.js';

export const NLMSG_HDRLEN = 16;
export const NLA_HDRLEN = 4;
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;

export interface FuzzAttr {
  /** nla_type, flag bits included. */
  type: number;
  value: Buffer | FuzzAttr[];
  /** Written instead of the true nla_len. */
  lenLie?: number;
}

export interface FuzzMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Bytes between the header and the attributes (genlmsghdr, or a raw lesson's payload). */
  fixed: Buffer;
  attrs: FuzzAttr[];
  /** Written instead of the true nlmsg_len. */
  lenLie?: number;
}

/** Where the lesson's messages go: a classic unit, or a generic netlink family resolved in the guest. */
export type FuzzTarget = { unit: number } | { family: string; id: number; version: number };

export class FuzzSeedError extends Error {
  override name = 'FuzzSeedError';
}

function attrFrom(a: FuzzAttribute): FuzzAttr {
  if (a.nested) return { type: a.type | NLA_F_NESTED, value: a.nested.map(attrFrom) };
  let value: Buffer;
  if (a.hex !== undefined) value = Buffer.from(a.hex, 'hex');
  else if (a.string !== undefined) value = Buffer.from(`${a.string}\0`, 'utf8');
  else if (a.u8 !== undefined) value = Buffer.from([a.u8]);
  else if (a.u16 !== undefined) (value = Buffer.alloc(2)).writeUInt16LE(a.u16);
  else if (a.u32 !== undefined) (value = Buffer.alloc(4)).writeUInt32LE(a.u32);
  else if (a.flag) value = Buffer.alloc(0);
  else throw new FuzzSeedError(`attribute ${a.type} has no value`);
  return { type: a.type, value };
}

/** The message a lesson's seed describes, for `target`. */
export function seedMessage(seed: FuzzSeed, target: FuzzTarget): FuzzMessage {
  const flags = (seed.flags ?? ['REQUEST', 'ACK']).reduce((f, name) => f | FUZZ_FLAGS[name], 0);
  const body = seed.hex !== undefined ? Buffer.from(seed.hex, 'hex') : seed.text !== undefined ? Buffer.from(`${seed.text}\0`, 'utf8') : Buffer.alloc(0);
  if ('unit' in target) {
    if (seed.type === undefined) throw new FuzzSeedError('a unit lesson\'s seed needs "type"');
    return { type: seed.type, flags, seq: 1, pid: 0, fixed: body, attrs: (seed.attributes ?? []).map(attrFrom) };
  }
  if (seed.cmd === undefined) throw new FuzzSeedError('a family lesson\'s seed needs "cmd"');
  const genl = Buffer.from([seed.cmd, seed.version ?? target.version, 0, 0]);
  return { type: target.id, flags, seq: 1, pid: 0, fixed: Buffer.concat([genl, body]), attrs: (seed.attributes ?? []).map(attrFrom) };
}
