/**
 * A slice of rtnetlink: `struct ifinfomsg`, the `IFLA_*` attribute set and
 * a link listing. Enough for lessons and tests; not a full rtnetlink binding.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { IFLA, IFLA_INFO, RTM } from './constants.js';
import type { DumpOptions } from './dump.js';
import type { NetlinkMessage } from './header.js';
import { numberOf, rtnetlinkKind, stringOf } from './rtnetlink-kind.js';
import { attributeSetOf, type AttributeSet, type AttributeValues } from './schema.js';
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
  return linkMessage.encode(header, attributes);
}

/** A decoded `RTM_NEWLINK` message. */
export interface Link extends IfInfoMsg {
  name: string | undefined;
  mtu: number | undefined;
  attributes: AttributeValues;
}

const links = rtnetlinkKind<IfInfoMsg, Link>({
  message: linkMessage,
  get: RTM.GETLINK,
  reply: RTM.NEWLINK,
  named: (a) => ({ name: stringOf(a.IFNAME), mtu: numberOf(a.MTU) }),
});

/** Decodes an `RTM_NEWLINK` message. */
export const decodeLink: (message: NetlinkMessage) => Link = links.decode;

/** Lists network interfaces with an `RTM_GETLINK` dump on a `NETLINK.ROUTE` socket. */
export async function listLinks(sock: NetlinkSocket, options: DumpOptions = {}): Promise<Link[]> {
  return links.list(sock, {}, {}, options);
}
