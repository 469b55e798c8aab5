// Classic pcap files of nlmon captures: read, cut and write. Pure, so the capture's framing
// is testable on the host. An nlmon record is a 16-byte Linux cooked header (LINKTYPE_NETLINK)
// followed by one datagram, which may hold several netlink messages.

const MAGIC_USEC = 0xa1b2c3d4;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;
const COOKED_HEADER = 16;
/** LINKTYPE_NETLINK: what libpcap gives an nlmon device. */
export const LINKTYPE_NETLINK = 253;
/** nlmon's packet types (the cooked header's first field): the socket that received it. */
const PACKET_USER = 6;
const PACKET_KERNEL = 7;

export interface PcapRecord {
  sec: number;
  usec: number;
  /** What the record holds: the cooked header, then the datagram. */
  data: Buffer;
}

export interface NetlinkDatagram {
  /** The netlink unit (NETLINK_ROUTE = 0, NETLINK_GENERIC = 16, …). */
  unit: number;
  /** Who received it: a kernel socket (a request) or a user socket (a reply or notification). */
  to: 'kernel' | 'user';
  bytes: Buffer;
}

export class PcapFormatError extends Error {
  override name = 'PcapFormatError';
}

/**
 * The records of a pcap file. A file still being written may end in half a record: that
 * tail is left out, not an error.
 */
export function readPcap(file: Buffer): { linktype: number; records: PcapRecord[]; used: number } {
  if (file.length < FILE_HEADER) throw new PcapFormatError(`a pcap file has a 24-byte header; this one has ${file.length} bytes`);
  if (file.readUInt32LE(0) !== MAGIC_USEC) throw new PcapFormatError(`not a little-endian microsecond pcap file (magic 0x${file.readUInt32LE(0).toString(16)})`);
  return { linktype: file.readUInt32LE(20), ...readRecords(file.subarray(FILE_HEADER)) };
}

/** The whole records at the start of `bytes` (a file's body, from a record boundary), and how many bytes they take. */
export function readRecords(bytes: Buffer): { records: PcapRecord[]; used: number } {
  const records: PcapRecord[] = [];
  let at = 0;
  while (at + RECORD_HEADER <= bytes.length) {
    const end = at + RECORD_HEADER + bytes.readUInt32LE(at + 8);
    if (end > bytes.length) break;
    records.push({ sec: bytes.readUInt32LE(at), usec: bytes.readUInt32LE(at + 4), data: bytes.subarray(at + RECORD_HEADER, end) });
    at = end;
  }
  return { records, used: at };
}

export const PCAP_FILE_HEADER = FILE_HEADER;

/** A pcap file holding `records`, with the header of a capture of `linktype`. */
export function writePcap(linktype: number, records: readonly PcapRecord[]): Buffer {
  const head = Buffer.alloc(FILE_HEADER);
  head.writeUInt32LE(MAGIC_USEC, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262_144, 16);
  head.writeUInt32LE(linktype, 20);
  const parts: Buffer[] = [head];
  for (const r of records) {
    const h = Buffer.alloc(RECORD_HEADER);
    h.writeUInt32LE(r.sec, 0);
    h.writeUInt32LE(r.usec, 4);
    h.writeUInt32LE(r.data.length, 8);
    h.writeUInt32LE(r.data.length, 12);
    parts.push(h, r.data);
  }
  return Buffer.concat(parts);
}

/** The cooked header's hardware type for a netlink device. */
const ARPHRD_NETLINK = 824;
const NLM_F_REQUEST = 1;

/**
 * The datagram an nlmon record carries, with its unit and direction; undefined if it is not
 * one. nlmon marks a message for a kernel or a user socket, but libpcap's packet socket
 * reports every nlmon frame as outgoing; then the first message's REQUEST flag tells.
 */
export function netlinkDatagram(r: PcapRecord): NetlinkDatagram | undefined {
  if (r.data.length < COOKED_HEADER || r.data.readUInt16BE(2) !== ARPHRD_NETLINK) return undefined;
  const type = r.data.readUInt16BE(0);
  const bytes = r.data.subarray(COOKED_HEADER);
  const request = bytes.length >= 8 && (bytes.readUInt16LE(6) & NLM_F_REQUEST) !== 0;
  const to = type === PACKET_KERNEL ? 'kernel' : type === PACKET_USER ? 'user' : request ? 'kernel' : 'user';
  return { unit: r.data.readUInt16BE(14), to, bytes };
}
