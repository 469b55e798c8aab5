/**
 * Numeric constants from `<linux/netlink.h>`, `<linux/genetlink.h>` and
 * `<linux/rtnetlink.h>`. Grouped in frozen objects so call sites read like
 * the C names (`NLM_F.REQUEST` for `NLM_F_REQUEST`).
 * @module
 */

/** Address family of netlink sockets (`AF_NETLINK`). */
export const AF_NETLINK = 16;

/** Netlink protocols ("units") accepted by `socket(AF_NETLINK, SOCK_RAW, protocol)`. */
export const NETLINK = Object.freeze({
  ROUTE: 0,
  USERSOCK: 2,
  SOCK_DIAG: 4,
  NFLOG: 5,
  XFRM: 6,
  SELINUX: 7,
  AUDIT: 9,
  CONNECTOR: 11,
  NETFILTER: 12,
  KOBJECT_UEVENT: 15,
  GENERIC: 16,
  CRYPTO: 21,
} as const);

/** Control message types; data types start at `MIN_TYPE`. */
export const NLMSG = Object.freeze({
  /** Ignored by receivers. */
  NOOP: 0x1,
  /** Error or acknowledgement (`struct nlmsgerr`). */
  ERROR: 0x2,
  /** End of a multipart (dump) reply. */
  DONE: 0x3,
  /** Data lost (unused by the kernel). */
  OVERRUN: 0x4,
  /** First type available to protocols. */
  MIN_TYPE: 0x10,
} as const);

/** `nlmsg_flags` bits. Several share a value; their meaning depends on the request kind. */
export const NLM_F = Object.freeze({
  /** Message is a request. */
  REQUEST: 0x01,
  /** Part of a multipart reply, terminated by `NLMSG_DONE`. */
  MULTI: 0x02,
  /** Ask for an acknowledgement. */
  ACK: 0x04,
  /** Echo this request back. */
  ECHO: 0x08,
  /** The dump was inconsistent because the data changed while it ran. */
  DUMP_INTR: 0x10,
  /** The dump was filtered as requested. */
  DUMP_FILTERED: 0x20,
  // GET requests
  /** Return the whole table. */
  ROOT: 0x100,
  /** Return all matching entries. */
  MATCH: 0x200,
  /** Atomic snapshot (unsupported by most families). */
  ATOMIC: 0x400,
  /** `ROOT | MATCH`: a dump. */
  DUMP: 0x300,
  // NEW requests
  /** Replace an existing object. */
  REPLACE: 0x100,
  /** Fail if the object exists. */
  EXCL: 0x200,
  /** Create if it does not exist. */
  CREATE: 0x400,
  /** Append to the end of a list. */
  APPEND: 0x800,
  // DELETE requests
  /** Do not delete recursively. */
  NONREC: 0x100,
  // ACK messages
  /** The ACK does not carry the original request's payload. */
  CAPPED: 0x100,
  /** The ACK carries extended-ACK TLVs. */
  ACK_TLVS: 0x200,
} as const);

/** Socket option level for netlink options (`SOL_NETLINK`). */
export const SOL_NETLINK = 270;
/** Socket option level for generic socket options (`SOL_SOCKET`). */
export const SOL_SOCKET = 1;
/** `SO_SNDBUF` (level `SOL_SOCKET`). */
export const SO_SNDBUF = 7;
/** `SO_RCVBUF` (level `SOL_SOCKET`). */
export const SO_RCVBUF = 8;
/** `SO_SNDBUFFORCE` (needs CAP_NET_ADMIN). */
export const SO_SNDBUFFORCE = 32;
/** `SO_RCVBUFFORCE` (needs CAP_NET_ADMIN). */
export const SO_RCVBUFFORCE = 33;

/** Netlink socket options (level `SOL_NETLINK`). */
export const NETLINK_OPT = Object.freeze({
  ADD_MEMBERSHIP: 1,
  DROP_MEMBERSHIP: 2,
  PKTINFO: 3,
  BROADCAST_ERROR: 4,
  NO_ENOBUFS: 5,
  LISTEN_ALL_NSID: 8,
  LIST_MEMBERSHIPS: 9,
  CAP_ACK: 10,
  EXT_ACK: 11,
  GET_STRICT_CHK: 12,
} as const);

/** Extended-ACK attribute types carried after `struct nlmsgerr`. */
export const NLMSGERR_ATTR = Object.freeze({
  UNUSED: 0,
  MSG: 1,
  OFFS: 2,
  COOKIE: 3,
  POLICY: 4,
  MISS_TYPE: 5,
  MISS_NEST: 6,
} as const);

/** Policy description attributes (`NL_POLICY_TYPE_ATTR_*`), used in `NLMSGERR_ATTR_POLICY`. */
export const NL_POLICY_TYPE_ATTR = Object.freeze({
  TYPE: 1,
  MIN_VALUE_S: 2,
  MAX_VALUE_S: 3,
  MIN_VALUE_U: 4,
  MAX_VALUE_U: 5,
  MIN_LENGTH: 6,
  MAX_LENGTH: 7,
  POLICY_IDX: 8,
  POLICY_MAXTYPE: 9,
  BITFIELD32_MASK: 10,
  PAD: 11,
  MASK: 12,
} as const);

/** Attribute type names (`NL_ATTR_TYPE_*`), indexed by their numeric value. */
export const NL_ATTR_TYPE_NAMES: readonly string[] = Object.freeze([
  'invalid', 'flag', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64',
  'binary', 'string', 'nul-string', 'nested', 'nested-array', 'bitfield32', 'sint', 'uint',
]);

/** Attribute header flags, kept in the top bits of `nla_type`. */
export const NLA_F = Object.freeze({
  /** Payload is a set of attributes. */
  NESTED: 0x8000,
  /** Payload is in network byte order. */
  NET_BYTEORDER: 0x4000,
  /** Mask selecting the attribute type. */
  TYPE_MASK: 0x3fff,
} as const);

/** Generic netlink: controller family id, fixed. */
export const GENL_ID_CTRL = 0x10;

/** nlctrl commands. */
export const CTRL_CMD = Object.freeze({
  NEWFAMILY: 1,
  DELFAMILY: 2,
  GETFAMILY: 3,
  NEWOPS: 4,
  DELOPS: 5,
  GETOPS: 6,
  NEWMCAST_GRP: 7,
  DELMCAST_GRP: 8,
  GETPOLICY: 10,
} as const);

/** nlctrl top-level attributes. */
export const CTRL_ATTR = Object.freeze({
  FAMILY_ID: 1,
  FAMILY_NAME: 2,
  VERSION: 3,
  HDRSIZE: 4,
  MAXATTR: 5,
  OPS: 6,
  MCAST_GROUPS: 7,
  POLICY: 8,
  OP_POLICY: 9,
  OP: 10,
} as const);

/** Generic netlink operation flags reported by nlctrl. */
export const GENL_OP_FLAG = Object.freeze({
  ADMIN_PERM: 0x01,
  CMD_CAP_DO: 0x02,
  CMD_CAP_DUMP: 0x04,
  CMD_CAP_HASPOL: 0x08,
  UNS_ADMIN_PERM: 0x10,
} as const);

/** A few rtnetlink message types. */
export const RTM = Object.freeze({
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  SETLINK: 19,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
  NEWNEIGH: 28,
  DELNEIGH: 29,
  GETNEIGH: 30,
  NEWRULE: 32,
  DELRULE: 33,
  GETRULE: 34,
  NEWQDISC: 36,
  DELQDISC: 37,
  GETQDISC: 38,
  NEWTCLASS: 40,
  DELTCLASS: 41,
  GETTCLASS: 42,
  NEWTFILTER: 44,
  DELTFILTER: 45,
  GETTFILTER: 46,
  NEWNETCONF: 80,
  GETNETCONF: 82,
  NEWNEXTHOP: 104,
  DELNEXTHOP: 105,
  GETNEXTHOP: 106,
} as const);

/** Address families (`AF_*`) found in rtnetlink headers. */
export const AF = Object.freeze({
  UNSPEC: 0,
  INET: 2,
  BRIDGE: 7,
  INET6: 10,
  NETLINK: 16,
  PACKET: 17,
  MPLS: 28,
} as const);

/** Link attributes (`IFLA_*`), after `struct ifinfomsg`: the common ones. */
export const IFLA = Object.freeze({
  ADDRESS: 1,
  BROADCAST: 2,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  QDISC: 6,
  STATS: 7,
  MASTER: 10,
  TXQLEN: 13,
  OPERSTATE: 16,
  LINKMODE: 17,
  LINKINFO: 18,
  NET_NS_PID: 19,
  IFALIAS: 20,
  NUM_VF: 21,
  STATS64: 23,
  GROUP: 27,
  EXT_MASK: 29,
  PROMISCUITY: 30,
  NUM_TX_QUEUES: 31,
  NUM_RX_QUEUES: 32,
  CARRIER: 33,
  CARRIER_CHANGES: 35,
  MIN_MTU: 50,
  MAX_MTU: 51,
  ALT_IFNAME: 53,
} as const);

/** Link-info attributes (`IFLA_INFO_*`), nested in `IFLA_LINKINFO`. */
export const IFLA_INFO = Object.freeze({
  KIND: 1,
  DATA: 2,
  XSTATS: 3,
  SLAVE_KIND: 4,
  SLAVE_DATA: 5,
} as const);

/** Route attributes (`RTA_*`), after `struct rtmsg`. */
export const RTA = Object.freeze({
  DST: 1,
  SRC: 2,
  IIF: 3,
  OIF: 4,
  GATEWAY: 5,
  PRIORITY: 6,
  PREFSRC: 7,
  METRICS: 8,
  MULTIPATH: 9,
  FLOW: 11,
  CACHEINFO: 12,
  TABLE: 15,
  MARK: 16,
  MFC_STATS: 17,
  VIA: 18,
  NEWDST: 19,
  PREF: 20,
  ENCAP_TYPE: 21,
  ENCAP: 22,
  EXPIRES: 23,
  PAD: 24,
  UID: 25,
  TTL_PROPAGATE: 26,
  IP_PROTO: 27,
  SPORT: 28,
  DPORT: 29,
  NH_ID: 30,
} as const);

/** Address attributes (`IFA_*`), after `struct ifaddrmsg`. */
export const IFA = Object.freeze({
  ADDRESS: 1,
  LOCAL: 2,
  LABEL: 3,
  BROADCAST: 4,
  ANYCAST: 5,
  CACHEINFO: 6,
  MULTICAST: 7,
  FLAGS: 8,
  RT_PRIORITY: 9,
  TARGET_NETNSID: 10,
  PROTO: 11,
} as const);

/** Address flags (`IFA_F_*`), in `ifa_flags` (low 8 bits) and `IFA_FLAGS`. */
export const IFA_F = Object.freeze({
  SECONDARY: 0x01,
  NODAD: 0x02,
  OPTIMISTIC: 0x04,
  DADFAILED: 0x08,
  HOMEADDRESS: 0x10,
  DEPRECATED: 0x20,
  TENTATIVE: 0x40,
  PERMANENT: 0x80,
  MANAGETEMPADDR: 0x100,
  NOPREFIXROUTE: 0x200,
  MCAUTOJOIN: 0x400,
  STABLE_PRIVACY: 0x800,
} as const);

/** Neighbour attributes (`NDA_*`), after `struct ndmsg`. */
export const NDA = Object.freeze({
  DST: 1,
  LLADDR: 2,
  CACHEINFO: 3,
  PROBES: 4,
  VLAN: 5,
  PORT: 6,
  VNI: 7,
  IFINDEX: 8,
  MASTER: 9,
  LINK_NETNSID: 10,
  SRC_VNI: 11,
  PROTOCOL: 12,
  NH_ID: 13,
  FDB_EXT_ATTRS: 14,
  FLAGS_EXT: 15,
  NDM_STATE_MASK: 16,
  NDM_FLAGS_MASK: 17,
} as const);

/** Neighbour states (`NUD_*`), bits of `ndm_state`. */
export const NUD = Object.freeze({
  INCOMPLETE: 0x01,
  REACHABLE: 0x02,
  STALE: 0x04,
  DELAY: 0x08,
  PROBE: 0x10,
  FAILED: 0x20,
  NOARP: 0x40,
  PERMANENT: 0x80,
} as const);

/** Routing tables (`RT_TABLE_*`). */
export const RT_TABLE = Object.freeze({
  UNSPEC: 0,
  DEFAULT: 253,
  MAIN: 254,
  LOCAL: 255,
} as const);

/** Route and address scopes (`RT_SCOPE_*`). */
export const RT_SCOPE = Object.freeze({
  UNIVERSE: 0,
  SITE: 200,
  LINK: 253,
  HOST: 254,
  NOWHERE: 255,
} as const);

/** Who installed a route (`RTPROT_*`), a selection. */
export const RTPROT = Object.freeze({
  UNSPEC: 0,
  REDIRECT: 1,
  KERNEL: 2,
  BOOT: 3,
  STATIC: 4,
  RA: 9,
  DHCP: 16,
} as const);

/** Route types (`RTN_*`). */
export const RTN = Object.freeze({
  UNSPEC: 0,
  UNICAST: 1,
  LOCAL: 2,
  BROADCAST: 3,
  ANYCAST: 4,
  MULTICAST: 5,
  BLACKHOLE: 6,
  UNREACHABLE: 7,
  PROHIBIT: 8,
  THROW: 9,
  NAT: 10,
  XRESOLVE: 11,
} as const);

/** rtnetlink multicast groups (`RTNLGRP_*`), for `joinGroup`. */
export const RTNLGRP = Object.freeze({
  LINK: 1,
  NOTIFY: 2,
  NEIGH: 3,
  IPV4_IFADDR: 5,
  IPV4_ROUTE: 7,
  IPV6_IFADDR: 9,
  IPV6_ROUTE: 11,
} as const);

/** Interface flags (`IFF_*`) found in `ifinfomsg.ifi_flags`. */
export const IFF = Object.freeze({
  UP: 0x1,
  BROADCAST: 0x2,
  DEBUG: 0x4,
  LOOPBACK: 0x8,
  POINTOPOINT: 0x10,
  NOTRAILERS: 0x20,
  RUNNING: 0x40,
  NOARP: 0x80,
  PROMISC: 0x100,
  ALLMULTI: 0x200,
  MASTER: 0x400,
  SLAVE: 0x800,
  MULTICAST: 0x1000,
  PORTSEL: 0x2000,
  AUTOMEDIA: 0x4000,
  DYNAMIC: 0x8000,
  LOWER_UP: 0x10000,
  DORMANT: 0x20000,
  ECHO: 0x40000,
} as const);
