/**
 * rtnetlink neighbours (ARP / NDP entries): `struct ndmsg`, the `NDA_*`
 * attribute set, a decoder and an `RTM_GETNEIGH` dump.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { AF, NDA, RTM } from './constants.js';
import type { DumpOptions } from './dump.js';
import type { NetlinkMessage } from './header.js';
import { addressText, linkAddressText, rtnetlinkKind } from './rtnetlink-kind.js';
import { attributeSetOf, type AttributeSet, type AttributeValues } from './schema.js';
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

const neighbours = rtnetlinkKind<NdMsg, Neighbour>({
  message: neighbourMessage,
  get: RTM.GETNEIGH,
  reply: RTM.NEWNEIGH,
  named: (a) => ({ destination: addressText(a.DST), linkAddress: linkAddressText(a.LLADDR) }),
});

/** Decodes an `RTM_NEWNEIGH` message. */
export const decodeNeighbour: (message: NetlinkMessage) => Neighbour = neighbours.decode;

/** What {@link listNeighbours} asks the kernel for. */
export interface NeighbourFilter {
  /** `AF.INET` or `AF.INET6`; default both. */
  family?: number;
  /** Only this interface (`NDA_IFINDEX`; filtered by the kernel under strict checking, here too otherwise). */
  index?: number;
}

/** Lists neighbour entries with an `RTM_GETNEIGH` dump on a `NETLINK.ROUTE` socket. */
export async function listNeighbours(sock: NetlinkSocket, filter: NeighbourFilter = {}, options: DumpOptions = {}): Promise<Neighbour[]> {
  const keep = (n: Neighbour): boolean => filter.index === undefined || n.index === filter.index;
  return neighbours.list(sock, { family: filter.family ?? AF.UNSPEC }, { IFINDEX: filter.index }, options, keep);
}
