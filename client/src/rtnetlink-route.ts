/**
 * rtnetlink routes: `struct rtmsg`, the `RTA_*` attribute set, a decoder
 * and an `RTM_GETROUTE` dump.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { AF, RTA, RTM } from './constants.js';
import type { DumpOptions } from './dump.js';
import type { NetlinkMessage } from './header.js';
import { addressText, numberOf, rtnetlinkKind } from './rtnetlink-kind.js';
import { attributeSetOf, type AttributeSet, type AttributeValues } from './schema.js';
import type { NetlinkSocket } from './socket.js';
import { defineStruct, structMessage } from './struct.js';

/** Size of `struct rtmsg`. */
export const RTMSG_LEN = 12;

/** `struct rtmsg`. */
export interface RtMsg {
  family: number;
  dstLength: number;
  srcLength: number;
  tos: number;
  /** `RT_TABLE_*` (low 8 bits; the full id is in `RTA_TABLE`). */
  table: number;
  /** `RTPROT_*`. */
  protocol: number;
  /** `RT_SCOPE_*`. */
  scope: number;
  /** `RTN_*`. */
  type: number;
  /** `RTM_F_*`. */
  flags: number;
}

const rtmsg = defineStruct<RtMsg>('rtmsg', RTMSG_LEN, {
  family: [0, 'u8'], dstLength: [1, 'u8'], srcLength: [2, 'u8'], tos: [3, 'u8'], table: [4, 'u8'], protocol: [5, 'u8'], scope: [6, 'u8'], type: [7, 'u8'], flags: [8, 'u32'],
});

/** Encodes `struct rtmsg`; omitted fields are 0. */
export const encodeRtMsg: (h?: Partial<RtMsg>) => Buffer = rtmsg.encode;

/** Decodes `struct rtmsg` from the start of a payload. */
export const decodeRtMsg: (payload: Buffer) => RtMsg = rtmsg.decode;

/** `RTA_*` route attributes (ports and nests whose layout varies are kept as bytes). */
export const routeAttributes: AttributeSet = attributeSetOf('route', RTA, {
  binary: ['DST', 'SRC', 'GATEWAY', 'PREFSRC', 'METRICS', 'MULTIPATH', 'CACHEINFO', 'MFC_STATS', 'VIA', 'NEWDST', 'ENCAP', 'EXPIRES', 'PAD', 'SPORT', 'DPORT'],
  u32: ['IIF', 'OIF', 'PRIORITY', 'FLOW', 'TABLE', 'MARK', 'UID', 'NH_ID'],
  u16: ['ENCAP_TYPE'],
  u8: ['PREF', 'TTL_PROPAGATE', 'IP_PROTO'],
});

const routeMessage = structMessage(rtmsg, routeAttributes);

/** Layout of route requests (`rtmsg` then `RTA_*`), for naming extended-ACK offsets. */
export const routeLayout: RequestLayout = routeMessage.layout;

/** A decoded `RTM_NEWROUTE` message. */
export interface Route extends RtMsg {
  /** Destination prefix as text without its length (`dstLength`); undefined for a default route. */
  destination: string | undefined;
  source: string | undefined;
  gateway: string | undefined;
  preferredSource: string | undefined;
  /** Output interface index (`RTA_OIF`). */
  outputIndex: number | undefined;
  /** Metric (`RTA_PRIORITY`). */
  priority: number | undefined;
  /** IPv6 router preference (`RTA_PREF`: 0 medium, 1 high, 3 low). */
  preference: number | undefined;
  /** Full table id: `RTA_TABLE` when present, else `rtm_table`. */
  tableId: number;
  attributes: AttributeValues;
}

const routes = rtnetlinkKind<RtMsg, Route>({
  message: routeMessage,
  get: RTM.GETROUTE,
  reply: RTM.NEWROUTE,
  named: (a, h) => ({
    destination: addressText(a.DST),
    source: addressText(a.SRC),
    gateway: addressText(a.GATEWAY),
    preferredSource: addressText(a.PREFSRC),
    outputIndex: numberOf(a.OIF),
    priority: numberOf(a.PRIORITY),
    preference: numberOf(a.PREF),
    tableId: numberOf(a.TABLE) ?? h.table,
  }),
});

/** Decodes an `RTM_NEWROUTE` message. */
export const decodeRoute: (message: NetlinkMessage) => Route = routes.decode;

/** What {@link listRoutes} asks the kernel for. */
export interface RouteFilter {
  /** `AF.INET` or `AF.INET6`; default both. */
  family?: number;
  /** Only this table (`RT_TABLE.MAIN`, …); filtered by the kernel under strict checking, here too otherwise. */
  table?: number;
}

/** Lists routes with an `RTM_GETROUTE` dump on a `NETLINK.ROUTE` socket. */
export async function listRoutes(sock: NetlinkSocket, filter: RouteFilter = {}, options: DumpOptions = {}): Promise<Route[]> {
  const { table } = filter;
  // rtm_table holds 8 bits; a larger id goes in RTA_TABLE.
  const header = { family: filter.family ?? AF.UNSPEC, table: table !== undefined && table < 256 ? table : 0 };
  const attributes = { TABLE: table !== undefined && table >= 256 ? table : undefined };
  return routes.list(sock, header, attributes, options, (r) => table === undefined || r.tableId === table);
}
