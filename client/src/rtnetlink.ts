/**
 * A slice of rtnetlink: `struct ifinfomsg`, the `IFLA_*` attribute set and
 * a link listing. Enough for lessons and tests; not a full rtnetlink binding.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { RTM } from './constants.js';
import { dump, type DumpOptions } from './dump.js';
import { MalformedMessageError } from './errors.js';
import type { NetlinkMessage } from './header.js';
import { decodeAttributeSet, defineAttributeSet, encodeAttributeSet, type AttributeSet, type AttributeValues } from './schema.js';
import type { NetlinkSocket } from './socket.js';

/** Size of `struct ifinfomsg`. */
export const IFINFOMSG_LEN = 16;

/** `struct ifinfomsg`. */
export interface IfInfoMsg {
  family: number;
  /** `ARPHRD_*` device type. */
  type: number;
  index: number;
  /** `IFF_*` flags. */
  flags: number;
  change: number;
}

/** Encodes `struct ifinfomsg`; omitted fields are 0. */
export function encodeIfInfoMsg(h: Partial<IfInfoMsg> = {}): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LEN);
  b.writeUInt8(h.family ?? 0, 0);
  b.writeUInt16LE(h.type ?? 0, 2);
  b.writeInt32LE(h.index ?? 0, 4);
  b.writeUInt32LE(h.flags ?? 0, 8);
  b.writeUInt32LE(h.change ?? 0, 12);
  return b;
}

/** Decodes `struct ifinfomsg` from the start of a payload. */
export function decodeIfInfoMsg(payload: Buffer): IfInfoMsg {
  if (payload.length < IFINFOMSG_LEN) throw new MalformedMessageError(`ifinfomsg of ${payload.length} bytes`, 16);
  return {
    family: payload.readUInt8(0),
    type: payload.readUInt16LE(2),
    index: payload.readInt32LE(4),
    flags: payload.readUInt32LE(8),
    change: payload.readUInt32LE(12),
  };
}

/** `IFLA_INFO_*` (inside `IFLA_LINKINFO`). */
export const linkInfoAttributes: AttributeSet = defineAttributeSet('linkinfo', {
  KIND: { type: 1, kind: 'string' },
  DATA: { type: 2, kind: 'binary' },
  XSTATS: { type: 3, kind: 'binary' },
  SLAVE_KIND: { type: 4, kind: 'string' },
  SLAVE_DATA: { type: 5, kind: 'binary' },
});

/** Common `IFLA_*` link attributes. */
export const linkAttributes: AttributeSet = defineAttributeSet('link', {
  ADDRESS: { type: 1, kind: 'binary' },
  BROADCAST: { type: 2, kind: 'binary' },
  IFNAME: { type: 3, kind: 'string' },
  MTU: { type: 4, kind: 'u32' },
  LINK: { type: 5, kind: 'u32' },
  QDISC: { type: 6, kind: 'string' },
  STATS: { type: 7, kind: 'binary' },
  MASTER: { type: 10, kind: 'u32' },
  TXQLEN: { type: 13, kind: 'u32' },
  OPERSTATE: { type: 16, kind: 'u8' },
  LINKMODE: { type: 17, kind: 'u8' },
  LINKINFO: { type: 18, kind: 'nested', nested: linkInfoAttributes },
  NET_NS_PID: { type: 19, kind: 'u32' },
  IFALIAS: { type: 20, kind: 'string' },
  NUM_VF: { type: 21, kind: 'u32' },
  STATS64: { type: 23, kind: 'binary' },
  GROUP: { type: 27, kind: 'u32' },
  PROMISCUITY: { type: 30, kind: 'u32' },
  NUM_TX_QUEUES: { type: 31, kind: 'u32' },
  NUM_RX_QUEUES: { type: 32, kind: 'u32' },
  CARRIER: { type: 33, kind: 'u8' },
  CARRIER_CHANGES: { type: 35, kind: 'u32' },
  EXT_MASK: { type: 29, kind: 'u32' },
  MIN_MTU: { type: 50, kind: 'u32' },
  MAX_MTU: { type: 51, kind: 'u32' },
  ALT_IFNAME: { type: 53, kind: 'string' },
});

/** Layout of link requests (`ifinfomsg` then `IFLA_*`), for naming extended-ACK offsets. */
export const linkLayout: RequestLayout = { headerSize: IFINFOMSG_LEN, attributes: linkAttributes };

/** Payload of a link message: `ifinfomsg` followed by encoded attributes. */
export function encodeLinkPayload(header: Partial<IfInfoMsg>, attributes: AttributeValues = {}): Buffer {
  return Buffer.concat([encodeIfInfoMsg(header), encodeAttributeSet(linkAttributes, attributes)]);
}

/** A decoded `RTM_NEWLINK` message. */
export interface Link extends IfInfoMsg {
  name: string | undefined;
  mtu: number | undefined;
  attributes: AttributeValues;
}

/** Decodes an `RTM_NEWLINK` message. */
export function decodeLink(message: NetlinkMessage): Link {
  const h = decodeIfInfoMsg(message.payload);
  const attributes = decodeAttributeSet(linkAttributes, message.payload.subarray(IFINFOMSG_LEN), 16 + IFINFOMSG_LEN);
  return {
    ...h,
    name: typeof attributes.IFNAME === 'string' ? attributes.IFNAME : undefined,
    mtu: typeof attributes.MTU === 'number' ? attributes.MTU : undefined,
    attributes,
  };
}

/** Lists network interfaces with an `RTM_GETLINK` dump on a `NETLINK.ROUTE` socket. */
export async function listLinks(sock: NetlinkSocket, options: DumpOptions = {}): Promise<Link[]> {
  const out: Link[] = [];
  for await (const m of dump(sock, { type: RTM.GETLINK, payload: encodeIfInfoMsg() }, { layout: linkLayout, ...options }))
    if (m.type === RTM.NEWLINK) out.push(decodeLink(m));
  return out;
}
