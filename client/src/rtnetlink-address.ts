/**
 * rtnetlink addresses: `struct ifaddrmsg`, the `IFA_*` attribute set, a
 * decoder and an `RTM_GETADDR` dump.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { AF, IFA, RTM } from './constants.js';
import type { DumpOptions } from './dump.js';
import type { NetlinkMessage } from './header.js';
import { addressText, numberOf, rtnetlinkKind, stringOf } from './rtnetlink-kind.js';
import { attributeSetOf, type AttributeSet, type AttributeValues } from './schema.js';
import type { NetlinkSocket } from './socket.js';
import { defineStruct, structMessage } from './struct.js';

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

const ifaddrmsg = defineStruct<IfAddrMsg>('ifaddrmsg', IFADDRMSG_LEN, { family: [0, 'u8'], prefixLength: [1, 'u8'], flags: [2, 'u8'], scope: [3, 'u8'], index: [4, 'u32'] });

/** Encodes `struct ifaddrmsg`; omitted fields are 0. */
export const encodeIfAddrMsg: (h?: Partial<IfAddrMsg>) => Buffer = ifaddrmsg.encode;

/** Decodes `struct ifaddrmsg` from the start of a payload. */
export const decodeIfAddrMsg: (payload: Buffer) => IfAddrMsg = ifaddrmsg.decode;

/** `IFA_*` address attributes. */
export const addressAttributes: AttributeSet = attributeSetOf('address', IFA, {
  binary: ['ADDRESS', 'LOCAL', 'BROADCAST', 'ANYCAST', 'CACHEINFO', 'MULTICAST'],
  string: ['LABEL'],
  u32: ['FLAGS', 'RT_PRIORITY'],
  s32: ['TARGET_NETNSID'],
  u8: ['PROTO'],
});

const addressMessage = structMessage(ifaddrmsg, addressAttributes);

/** Layout of address requests (`ifaddrmsg` then `IFA_*`), for naming extended-ACK offsets. */
export const addressLayout: RequestLayout = addressMessage.layout;

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

const addresses = rtnetlinkKind<IfAddrMsg, Address>({
  message: addressMessage,
  get: RTM.GETADDR,
  reply: RTM.NEWADDR,
  named: (a, h) => ({ address: addressText(a.ADDRESS), local: addressText(a.LOCAL), label: stringOf(a.LABEL), broadcast: addressText(a.BROADCAST), allFlags: numberOf(a.FLAGS) ?? h.flags }),
});

/** Decodes an `RTM_NEWADDR` message. */
export const decodeAddress: (message: NetlinkMessage) => Address = addresses.decode;

/** What {@link listAddresses} asks the kernel for. */
export interface AddressFilter {
  /** `AF.INET` or `AF.INET6`; default both. */
  family?: number;
  /** Only this interface (filtered by the kernel under strict checking, here too otherwise). */
  index?: number;
}

/** Lists addresses with an `RTM_GETADDR` dump on a `NETLINK.ROUTE` socket. */
export async function listAddresses(sock: NetlinkSocket, filter: AddressFilter = {}, options: DumpOptions = {}): Promise<Address[]> {
  const header = { family: filter.family ?? AF.UNSPEC, index: filter.index ?? 0 };
  return addresses.list(sock, header, {}, options, (a) => filter.index === undefined || a.index === filter.index);
}
