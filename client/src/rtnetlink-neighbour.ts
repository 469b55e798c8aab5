/**
 * rtnetlink neighbours (ARP / NDP entries): `struct ndmsg`, the `NDA_*`
 * attribute set, a decoder and an `RTM_GETNEIGH` dump.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { AF, NDA, RTM } from './constants.js';
import { dumpDecoded, type DumpOptions } from './dump.js';
import type { NetlinkMessage } from './header.js';
import { formatAddress, formatLinkAddress } from './inet.js';
import { attributeSetOf, encodeAttributeSet, type AttributeSet, type AttributeValues } from './schema.js';
import type { NetlinkSocket } from './socket.js';
import { defineStruct, structMessage } from './struct.js';

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

const ndmsg = defineStruct<NdMsg>('ndmsg', NDMSG_LEN, { family: [0, 'u8'], index: [4, 's32'], state: [8, 'u16'], flags: [10, 'u8'], type: [11, 'u8'] });

/** Encodes `struct ndmsg`; omitted fields are 0. */
export const encodeNdMsg: (h?: Partial<NdMsg>) => Buffer = ndmsg.encode;

/** Decodes `struct ndmsg` from the start of a payload. */
export const decodeNdMsg: (payload: Buffer) => NdMsg = ndmsg.decode;

/** `NDA_*` neighbour attributes. */
export const neighbourAttributes: AttributeSet = attributeSetOf('neighbour', NDA, {
  binary: ['DST', 'LLADDR', 'CACHEINFO', 'PORT', 'FDB_EXT_ATTRS'],
  u32: ['PROBES', 'VNI', 'IFINDEX', 'MASTER', 'SRC_VNI', 'NH_ID', 'FLAGS_EXT'],
  u16: ['VLAN'],
  s32: ['LINK_NETNSID'],
  u8: ['PROTOCOL'],
});

const neighbourMessage = structMessage(ndmsg, neighbourAttributes);

/** Layout of neighbour requests (`ndmsg` then `NDA_*`), for naming extended-ACK offsets. */
export const neighbourLayout: RequestLayout = neighbourMessage.layout;

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
  const { attributes, ...h } = neighbourMessage.decode(message);
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
  const payload = Buffer.concat([
    encodeNdMsg({ family: filter.family ?? AF.UNSPEC }),
    filter.index === undefined ? Buffer.alloc(0) : encodeAttributeSet(neighbourAttributes, { IFINDEX: filter.index }),
  ]);
  const request = { type: RTM.GETNEIGH, payload };
  return dumpDecoded(sock, request, { layout: neighbourLayout, ...options }, RTM.NEWNEIGH, decodeNeighbour, (n) => filter.index === undefined || n.index === filter.index);
}
