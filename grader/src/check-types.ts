// Plain data types that cross between the guest runner, checks and reports.

/** One line of /proc/net/netlink. */
export interface ProcNetlinkSocket {
  /** The netlink unit (protocol), e.g. 31. */
  protocol: number;
  /** Port id; 0 is a kernel socket. */
  port: number;
  groups: number;
  inode: number;
}

/** A client run: how it ended and what it printed. */
export interface ClientRun {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Output beyond the cap was dropped. */
  truncated: boolean;
  durationMs: number;
  /**
   * Netlink sockets the client opened and closed, and the netlink options it turned on
   * (e.g. `CAP_ACK`; each name once), from the library's trace (see LAB_NETLINK_TRACE).
   */
  trace: { opened: number; closed: number; options: string[] } | undefined;
}

/** A netlink message decoded for a report. */
export interface DecodedMessage {
  len: number;
  type: number;
  flags: string;
  seq: number;
  pid: number;
  /** Payload as text when it is printable, else hex. */
  payload: string;
}

/** One datagram a check's socket received, decoded for a report. */
export interface ReceivedDatagram {
  /** The sender's port id (0: the kernel). */
  from: number;
  /** The multicast group bitmask it was delivered for (0: unicast). */
  groups: number;
  truncated: boolean;
  bytes: Buffer;
  messages: DecodedMessage[];
  /** The datagram did not parse as netlink messages. */
  decodeError?: string;
}

/** What came back from one crafted datagram. */
export interface RawExchange {
  /** The reference socket's port id. */
  port: number;
  /** The send failed with this errno code (e.g. ECONNREFUSED when nothing listens on the unit). */
  sendError?: string;
  received: ReceivedDatagram[];
}
