// Encodes fuzz messages to bytes, writing whatever lengths the model says (true or not). Pure.

import { NLA_HDRLEN, NLMSG_HDRLEN, type FuzzAttr, type FuzzMessage } from './model.js';

const align = (n: number): number => (n + 3) & ~3;

export function encodeAttr(a: FuzzAttr): Buffer {
  const value = Buffer.isBuffer(a.value) ? a.value : Buffer.concat(a.value.map(encodeAttr));
  const len = NLA_HDRLEN + value.length;
  const out = Buffer.alloc(align(len));
  out.writeUInt16LE((a.lenLie ?? len) & 0xffff, 0);
  out.writeUInt16LE(a.type & 0xffff, 2);
  value.copy(out, NLA_HDRLEN);
  return out;
}

export function encodeMessage(m: FuzzMessage): Buffer {
  const body = Buffer.concat([m.fixed, ...m.attrs.map(encodeAttr)]);
  const len = NLMSG_HDRLEN + body.length;
  const out = Buffer.alloc(align(len));
  out.writeUInt32LE((m.lenLie ?? len) >>> 0, 0);
  out.writeUInt16LE(m.type & 0xffff, 4);
  out.writeUInt16LE(m.flags & 0xffff, 6);
  out.writeUInt32LE(m.seq >>> 0, 8);
  out.writeUInt32LE(m.pid >>> 0, 12);
  body.copy(out, NLMSG_HDRLEN);
  return out;
}

/** Several messages in one datagram, as netlink packs them. */
export function encodeDatagram(msgs: readonly FuzzMessage[]): Buffer {
  return Buffer.concat(msgs.map(encodeMessage));
}
