/**
 * rtnetlink addresses: `struct ifaddrmsg`, the `IFA_*` attribute set, a
 * decoder and an `RTM_GETADDR` dump.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { AF, IFA, RTM } from './constants.js';
import { dump, type DumpOptions } from './dump.js';
import { MalformedMessageError } from './errors.js';
import type { NetlinkMessage } from './header.js';
import { formatAddress } from './inet.js';
import { decodeAttributeSet, defineAttributeSet, type AttributeSet, type AttributeValues } from './schema.js';
import type { NetlinkSocket } from './socket.js';

/** Size of `struct ifaddrmsg`. */
export const IFADDRMSG_LEN = 8;

/** `struct ifaddrmsg`. */
export interface IfAddrMsg {
  /** `AF_INET` or `AF_INET6`. */
  family: number;
  prefixLength: number;
  /** Low 8 bits of the `IFA_F_*` flags (all of them are in {@link Address.allFlags}). */
  flags: number;
  /** `RT_SCOPE_*`. */
  scope: number;
  /** Interface index. */
  index: number;
}

/** Encodes `struct ifaddrmsg`; omitted fields are 0. */
export function encodeIfAddrMsg(h: Partial<IfAddrMsg> = {}): Buffer {
  const b = Buffer.alloc(IFADDRMSG_LEN);
  b.writeUInt8(h.family ?? 0, 0);
  b.writeUInt8(h.prefixLength ?? 0, 1);
  b.writeUInt8(h.flags ?? 0, 2);
  b.writeUInt8(h.scope ?? 0, 3);
  b.writeUInt32LE(h.index ?? 0, 4);
  return b;
}

/** Decodes `struct ifaddrmsg` from the start of a payload. */
export function decodeIfAddrMsg(payload: Buffer): IfAddrMsg {
  if (payload.length < IFADDRMSG_LEN) throw new MalformedMessageError(`ifaddrmsg of ${payload.length} bytes`, 16);
  return { family: payload.readUInt8(0), prefixLength: payload.readUInt8(1), flags: payload.readUInt8(2), scope: payload.readUInt8(3), index: payload.readUInt32LE(4) };
}

/** `IFA_*` address attributes. */
export const addressAttributes: AttributeSet = defineAttributeSet('address', {
  ADDRESS: { type: IFA.ADDRESS, kind: 'binary' },
  LOCAL: { type: IFA.LOCAL, kind: 'binary' },
  LABEL: { type: IFA.LABEL, kind: 'string' },
  BROADCAST: { type: IFA.BROADCAST, kind: 'binary' },
  ANYCAST: { type: IFA.ANYCAST, kind: 'binary' },
  CACHEINFO: { type: IFA.CACHEINFO, kind: 'binary' },
  MULTICAST: { type: IFA.MULTICAST, kind: 'binary' },
  FLAGS: { type: IFA.FLAGS, kind: 'u32' },
  RT_PRIORITY: { type: IFA.RT_PRIORITY, kind: 'u32' },
  TARGET_NETNSID: { type: IFA.TARGET_NETNSID, kind: 's32' },
  PROTO: { type: IFA.PROTO, kind: 'u8' },
});

/** Layout of address requests (`ifaddrmsg` then `IFA_*`), for naming extended-ACK offsets. */
export const addressLayout: RequestLayout = { headerSize: IFADDRMSG_LEN, attributes: addressAttributes };

/** A decoded `RTM_NEWADDR` message. */
export interface Address extends IfAddrMsg {
  /** `IFA_ADDRESS` as text: the peer on point-to-point links, else the same as `local`. */
  address: string | undefined;
  /** `IFA_LOCAL` as text (IPv4); IPv6 addresses carry only `IFA_ADDRESS`. */
  local: string | undefined;
  label: string | undefined;
  broadcast: string | undefined;
  /** All `IFA_F_*` flags: `IFA_FLAGS` when present, else `flags`. */
  allFlags: number;
  attributes: AttributeValues;
}

const text = (v: unknown): string | undefined => (Buffer.isBuffer(v) ? formatAddress(v) : undefined);

/** Decodes an `RTM_NEWADDR` message. */
export function decodeAddress(message: NetlinkMessage): Address {
  const h = decodeIfAddrMsg(message.payload);
  const attributes = decodeAttributeSet(addressAttributes, message.payload.subarray(IFADDRMSG_LEN), 16 + IFADDRMSG_LEN);
  return {
    ...h,
    address: text(attributes.ADDRESS),
    local: text(attributes.LOCAL),
    label: typeof attributes.LABEL === 'string' ? attributes.LABEL : undefined,
    broadcast: text(attributes.BROADCAST),
    allFlags: typeof attributes.FLAGS === 'number' ? attributes.FLAGS : h.flags,
    attributes,
  };
}

/** What {@link listAddresses} asks the kernel for. */
export interface AddressFilter {
  /** `AF.INET` or `AF.INET6`; default both. */
  family?: number;
  /** Only this interface (filtered by the kernel under strict checking, here too otherwise). */
  index?: number;
}

/** Lists addresses with an `RTM_GETADDR` dump on a `NETLINK.ROUTE` socket. */
export async function listAddresses(sock: NetlinkSocket, filter: AddressFilter = {}, options: DumpOptions = {}): Promise<Address[]> {
  const out: Address[] = [];
  const payload = encodeIfAddrMsg({ family: filter.family ?? AF.UNSPEC, index: filter.index ?? 0 });
  for await (const m of dump(sock, { type: RTM.GETADDR, payload }, { layout: addressLayout, ...options })) {
    if (m.type !== RTM.NEWADDR) continue;
    const a = decodeAddress(m);
    if (filter.index === undefined || a.index === filter.index) out.push(a);
  }
  return out;
}
