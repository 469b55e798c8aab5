/**
 * rtnetlink neighbours (ARP / NDP entries): `struct ndmsg`, the `NDA_*`
 * attribute set, a decoder and an `RTM_GETNEIGH` dump.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { AF, NDA, RTM } from './constants.js';
import { dump, type DumpOptions } from './dump.js';
import { MalformedMessageError } from './errors.js';
import type { NetlinkMessage } from './header.js';
import { formatAddress, formatLinkAddress } from './inet.js';
import { decodeAttributeSet, defineAttributeSet, encodeAttributeSet, type AttributeSet, type AttributeValues } from './schema.js';
import type { NetlinkSocket } from './socket.js';

/** Size of `struct ndmsg`. */
export const NDMSG_LEN = 12;

/** `struct ndmsg`. */
export interface NdMsg {
  family: number;
  /** Interface index. */
  index: number;
  /** `NUD_*` state bits. */
  state: number;
  /** `NTF_*` flags. */
  flags: number;
  /** `RTN_*` type. */
  type: number;
}

/** Encodes `struct ndmsg`; omitted fields are 0. */
export function encodeNdMsg(h: Partial<NdMsg> = {}): Buffer {
  const b = Buffer.alloc(NDMSG_LEN);
  b.writeUInt8(h.family ?? 0, 0);
  b.writeInt32LE(h.index ?? 0, 4);
  b.writeUInt16LE(h.state ?? 0, 8);
  b.writeUInt8(h.flags ?? 0, 10);
  b.writeUInt8(h.type ?? 0, 11);
  return b;
}

/** Decodes `struct ndmsg` from the start of a payload. */
export function decodeNdMsg(payload: Buffer): NdMsg {
  if (payload.length < NDMSG_LEN) throw new MalformedMessageError(`ndmsg of ${payload.length} bytes`, 16);
  return { family: payload.readUInt8(0), index: payload.readInt32LE(4), state: payload.readUInt16LE(8), flags: payload.readUInt8(10), type: payload.readUInt8(11) };
}

/** `NDA_*` neighbour attributes. */
export const neighbourAttributes: AttributeSet = defineAttributeSet('neighbour', {
  DST: { type: NDA.DST, kind: 'binary' },
  LLADDR: { type: NDA.LLADDR, kind: 'binary' },
  CACHEINFO: { type: NDA.CACHEINFO, kind: 'binary' },
  PROBES: { type: NDA.PROBES, kind: 'u32' },
  VLAN: { type: NDA.VLAN, kind: 'u16' },
  PORT: { type: NDA.PORT, kind: 'binary' },
  VNI: { type: NDA.VNI, kind: 'u32' },
  IFINDEX: { type: NDA.IFINDEX, kind: 'u32' },
  MASTER: { type: NDA.MASTER, kind: 'u32' },
  LINK_NETNSID: { type: NDA.LINK_NETNSID, kind: 's32' },
  SRC_VNI: { type: NDA.SRC_VNI, kind: 'u32' },
  PROTOCOL: { type: NDA.PROTOCOL, kind: 'u8' },
  NH_ID: { type: NDA.NH_ID, kind: 'u32' },
  FDB_EXT_ATTRS: { type: NDA.FDB_EXT_ATTRS, kind: 'binary' },
  FLAGS_EXT: { type: NDA.FLAGS_EXT, kind: 'u32' },
});

/** Layout of neighbour requests (`ndmsg` then `NDA_*`), for naming extended-ACK offsets. */
export const neighbourLayout: RequestLayout = { headerSize: NDMSG_LEN, attributes: neighbourAttributes };

/** A decoded `RTM_NEWNEIGH` message. */
export interface Neighbour extends NdMsg {
  /** The neighbour's IP address as text. */
  destination: string | undefined;
  /** Its link-layer address as text (`02:00:00:00:00:01`). */
  linkAddress: string | undefined;
  attributes: AttributeValues;
}

/** Decodes an `RTM_NEWNEIGH` message. */
export function decodeNeighbour(message: NetlinkMessage): Neighbour {
  const h = decodeNdMsg(message.payload);
  const attributes = decodeAttributeSet(neighbourAttributes, message.payload.subarray(NDMSG_LEN), 16 + NDMSG_LEN);
  return {
    ...h,
    destination: Buffer.isBuffer(attributes.DST) ? formatAddress(attributes.DST) : undefined,
    linkAddress: Buffer.isBuffer(attributes.LLADDR) ? formatLinkAddress(attributes.LLADDR) : undefined,
    attributes,
  };
}

/** What {@link listNeighbours} asks the kernel for. */
export interface NeighbourFilter {
  /** `AF.INET` or `AF.INET6`; default both. */
  family?: number;
  /** Only this interface (`NDA_IFINDEX`; filtered by the kernel under strict checking, here too otherwise). */
  index?: number;
}

/** Lists neighbour entries with an `RTM_GETNEIGH` dump on a `NETLINK.ROUTE` socket. */
export async function listNeighbours(sock: NetlinkSocket, filter: NeighbourFilter = {}, options: DumpOptions = {}): Promise<Neighbour[]> {
  const out: Neighbour[] = [];
  const payload = Buffer.concat([
    encodeNdMsg({ family: filter.family ?? AF.UNSPEC }),
    filter.index === undefined ? Buffer.alloc(0) : encodeAttributeSet(neighbourAttributes, { IFINDEX: filter.index }),
  ]);
  for await (const m of dump(sock, { type: RTM.GETNEIGH, payload }, { layout: neighbourLayout, ...options })) {
    if (m.type !== RTM.NEWNEIGH) continue;
    const n = decodeNeighbour(m);
    if (filter.index === undefined || n.index === filter.index) out.push(n);
  }
  return out;
}
