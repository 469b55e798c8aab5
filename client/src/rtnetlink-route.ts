/**
 * rtnetlink routes: `struct rtmsg`, the `RTA_*` attribute set, a decoder
 * and an `RTM_GETROUTE` dump.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { AF, RTA, RTM } from './constants.js';
import { dump, type DumpOptions } from './dump.js';
import { MalformedMessageError } from './errors.js';
import type { NetlinkMessage } from './header.js';
import { formatAddress } from './inet.js';
import { decodeAttributeSet, defineAttributeSet, encodeAttributeSet, type AttributeSet, type AttributeValues } from './schema.js';
import type { NetlinkSocket } from './socket.js';

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

/** Encodes `struct rtmsg`; omitted fields are 0. */
export function encodeRtMsg(h: Partial<RtMsg> = {}): Buffer {
  const b = Buffer.alloc(RTMSG_LEN);
  [h.family, h.dstLength, h.srcLength, h.tos, h.table, h.protocol, h.scope, h.type].forEach((v, i) => b.writeUInt8(v ?? 0, i));
  b.writeUInt32LE(h.flags ?? 0, 8);
  return b;
}

/** Decodes `struct rtmsg` from the start of a payload. */
export function decodeRtMsg(payload: Buffer): RtMsg {
  if (payload.length < RTMSG_LEN) throw new MalformedMessageError(`rtmsg of ${payload.length} bytes`, 16);
  const u8 = (i: number): number => payload.readUInt8(i);
  return { family: u8(0), dstLength: u8(1), srcLength: u8(2), tos: u8(3), table: u8(4), protocol: u8(5), scope: u8(6), type: u8(7), flags: payload.readUInt32LE(8) };
}

/** `RTA_*` route attributes (ports and nests whose layout varies are kept as bytes). */
export const routeAttributes: AttributeSet = defineAttributeSet('route', {
  DST: { type: RTA.DST, kind: 'binary' },
  SRC: { type: RTA.SRC, kind: 'binary' },
  IIF: { type: RTA.IIF, kind: 'u32' },
  OIF: { type: RTA.OIF, kind: 'u32' },
  GATEWAY: { type: RTA.GATEWAY, kind: 'binary' },
  PRIORITY: { type: RTA.PRIORITY, kind: 'u32' },
  PREFSRC: { type: RTA.PREFSRC, kind: 'binary' },
  METRICS: { type: RTA.METRICS, kind: 'binary' },
  MULTIPATH: { type: RTA.MULTIPATH, kind: 'binary' },
  FLOW: { type: RTA.FLOW, kind: 'u32' },
  CACHEINFO: { type: RTA.CACHEINFO, kind: 'binary' },
  TABLE: { type: RTA.TABLE, kind: 'u32' },
  MARK: { type: RTA.MARK, kind: 'u32' },
  MFC_STATS: { type: RTA.MFC_STATS, kind: 'binary' },
  VIA: { type: RTA.VIA, kind: 'binary' },
  NEWDST: { type: RTA.NEWDST, kind: 'binary' },
  PREF: { type: RTA.PREF, kind: 'u8' },
  ENCAP_TYPE: { type: RTA.ENCAP_TYPE, kind: 'u16' },
  ENCAP: { type: RTA.ENCAP, kind: 'binary' },
  EXPIRES: { type: RTA.EXPIRES, kind: 'binary' },
  PAD: { type: RTA.PAD, kind: 'binary' },
  UID: { type: RTA.UID, kind: 'u32' },
  TTL_PROPAGATE: { type: RTA.TTL_PROPAGATE, kind: 'u8' },
  IP_PROTO: { type: RTA.IP_PROTO, kind: 'u8' },
  SPORT: { type: RTA.SPORT, kind: 'binary' },
  DPORT: { type: RTA.DPORT, kind: 'binary' },
  NH_ID: { type: RTA.NH_ID, kind: 'u32' },
});

/** Layout of route requests (`rtmsg` then `RTA_*`), for naming extended-ACK offsets. */
export const routeLayout: RequestLayout = { headerSize: RTMSG_LEN, attributes: routeAttributes };

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

const text = (v: unknown): string | undefined => (Buffer.isBuffer(v) ? formatAddress(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** Decodes an `RTM_NEWROUTE` message. */
export function decodeRoute(message: NetlinkMessage): Route {
  const h = decodeRtMsg(message.payload);
  const attributes = decodeAttributeSet(routeAttributes, message.payload.subarray(RTMSG_LEN), 16 + RTMSG_LEN);
  return {
    ...h,
    destination: text(attributes.DST),
    source: text(attributes.SRC),
    gateway: text(attributes.GATEWAY),
    preferredSource: text(attributes.PREFSRC),
    outputIndex: num(attributes.OIF),
    priority: num(attributes.PRIORITY),
    preference: num(attributes.PREF),
    tableId: num(attributes.TABLE) ?? h.table,
    attributes,
  };
}

/** What {@link listRoutes} asks the kernel for. */
export interface RouteFilter {
  /** `AF.INET` or `AF.INET6`; default both. */
  family?: number;
  /** Only this table (`RT_TABLE.MAIN`, …); filtered by the kernel under strict checking, here too otherwise. */
  table?: number;
}

/** Lists routes with an `RTM_GETROUTE` dump on a `NETLINK.ROUTE` socket. */
export async function listRoutes(sock: NetlinkSocket, filter: RouteFilter = {}, options: DumpOptions = {}): Promise<Route[]> {
  const out: Route[] = [];
  const { table } = filter;
  const payload = Buffer.concat([
    encodeRtMsg({ family: filter.family ?? AF.UNSPEC, table: table !== undefined && table < 256 ? table : 0 }),
    table !== undefined && table >= 256 ? encodeAttributeSet(routeAttributes, { TABLE: table }) : Buffer.alloc(0),
  ]);
  for await (const m of dump(sock, { type: RTM.GETROUTE, payload }, { layout: routeLayout, ...options })) {
    if (m.type !== RTM.NEWROUTE) continue;
    const r = decodeRoute(m);
    if (table === undefined || r.tableId === table) out.push(r);
  }
  return out;
}
