/**
 * A slice of rtnetlink: `struct ifinfomsg`, the `IFLA_*` attribute set and
 * a link listing. Enough for lessons and tests; not a full rtnetlink binding.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { IFLA, IFLA_INFO, RTM } from './constants.js';
import { dumpDecoded, type DumpOptions } from './dump.js';
import type { NetlinkMessage } from './header.js';
import { attributeSetOf, encodeAttributeSet, type AttributeSet, type AttributeValues } from './schema.js';
import type { NetlinkSocket } from './socket.js';
import { defineStruct, structMessage } from './struct.js';

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

const ifinfomsg = defineStruct<IfInfoMsg>('ifinfomsg', IFINFOMSG_LEN, { family: [0, 'u8'], type: [2, 'u16'], index: [4, 's32'], flags: [8, 'u32'], change: [12, 'u32'] });

/** Encodes `struct ifinfomsg`; omitted fields are 0. */
export const encodeIfInfoMsg: (h?: Partial<IfInfoMsg>) => Buffer = ifinfomsg.encode;

/** Decodes `struct ifinfomsg` from the start of a payload. */
export const decodeIfInfoMsg: (payload: Buffer) => IfInfoMsg = ifinfomsg.decode;

/** `IFLA_INFO_*` (inside `IFLA_LINKINFO`). */
export const linkInfoAttributes: AttributeSet = attributeSetOf('linkinfo', IFLA_INFO, { string: ['KIND', 'SLAVE_KIND'], binary: ['DATA', 'XSTATS', 'SLAVE_DATA'] });

/** Common `IFLA_*` link attributes. */
export const linkAttributes: AttributeSet = attributeSetOf(
  'link',
  IFLA,
  {
    binary: ['ADDRESS', 'BROADCAST', 'STATS', 'STATS64'],
    string: ['IFNAME', 'QDISC', 'IFALIAS', 'ALT_IFNAME'],
    u32: ['MTU', 'LINK', 'MASTER', 'TXQLEN', 'NET_NS_PID', 'NUM_VF', 'GROUP', 'PROMISCUITY', 'NUM_TX_QUEUES', 'NUM_RX_QUEUES', 'CARRIER_CHANGES', 'EXT_MASK', 'MIN_MTU', 'MAX_MTU'],
    u8: ['OPERSTATE', 'LINKMODE', 'CARRIER'],
  },
  { LINKINFO: { type: IFLA.LINKINFO, kind: 'nested', nested: linkInfoAttributes } },
);

const linkMessage = structMessage(ifinfomsg, linkAttributes);

/** Layout of link requests (`ifinfomsg` then `IFLA_*`), for naming extended-ACK offsets. */
export const linkLayout: RequestLayout = linkMessage.layout;

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
  const { attributes, ...h } = linkMessage.decode(message);
  return {
    ...h,
    name: typeof attributes.IFNAME === 'string' ? attributes.IFNAME : undefined,
    mtu: typeof attributes.MTU === 'number' ? attributes.MTU : undefined,
    attributes,
  };
}

/** Lists network interfaces with an `RTM_GETLINK` dump on a `NETLINK.ROUTE` socket. */
export async function listLinks(sock: NetlinkSocket, options: DumpOptions = {}): Promise<Link[]> {
  return dumpDecoded(sock, { type: RTM.GETLINK, payload: encodeIfInfoMsg() }, { layout: linkLayout, ...options }, RTM.NEWLINK, decodeLink);
}
