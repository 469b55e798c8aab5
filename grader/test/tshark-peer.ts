// A peer for --pcap: Wireshark's own netlink dissectors (tshark -r) against the client
// library's decoder, on the same capture file, header by header. An error ACK's echoed
// request header counts as a header on both sides, so the two must agree on those too.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodeGenlHeader, decodeMessages, MalformedMessageError, NETLINK, NLMSG } from 'netlink-lab/client';
import { netlinkDatagram, readPcap } from '../src/pcap.js';

export interface HeaderFields {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

export interface Decoded {
  headers: HeaderFields[];
  /** cmd/version of each generic netlink data message. */
  genl: string[];
}

const int = (v: unknown): number => Number.parseInt(String(v), String(v).startsWith('0x') ? 16 : 10);

/** One packet's headers and genl fields, in the order tshark's JSON lists them. */
function walk(node: unknown, out: Decoded): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, out));
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if ('netlink.hdr_len' in o) {
    out.headers.push({
      len: int(o['netlink.hdr_len']),
      type: int(o['netlink.hdr_type'] ?? o['genl.family_id']),
      flags: int(o['netlink.hdr_flags']),
      seq: int(o['netlink.hdr_seq']),
      pid: int(o['netlink.hdr_pid']),
    });
  }
  const cmd = o['genl.cmd'] ?? o['genl.ctrl.cmd'];
  if (cmd !== undefined && o['genl.version'] !== undefined) {
    const cmds = ([] as unknown[]).concat(cmd);
    const versions = ([] as unknown[]).concat(o['genl.version']);
    cmds.forEach((c, i) => out.genl.push(`${int(c)}/${int(versions[i])}`));
  }
  for (const v of Object.values(o)) if (typeof v === 'object') walk(v, out);
}

/**
 * What tshark decodes in each packet of `file`; undefined for one it calls a Malformed Packet
 * (its dissector gave up inside a fuzzer's garbage). Netlink dumps nest one tree layer per
 * message, past tshark's default depth of 256, hence the raised gui.max_tree_depth.
 */
export function tsharkDecode(file: string): (Decoded | undefined)[] {
  const json = execFileSync('tshark', ['-r', file, '-o', 'gui.max_tree_depth:4096', '-T', 'json', '--no-duplicate-keys'], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(json) as { _source: { layers: unknown } }[]).map((p) => {
    const out: Decoded = { headers: [], genl: [] };
    const { frame: _frame, ...layers } = p._source.layers as Record<string, unknown>;
    if (JSON.stringify(layers).includes('"_ws.malformed"')) return undefined;
    walk(layers, out);
    return out;
  });
}

/**
 * What the client library decodes in each packet of `file`; undefined for a datagram it
 * rejects as malformed (a fuzzer's), whose partial reading by tshark is not compared.
 */
export function libraryDecode(file: string): (Decoded | undefined)[] {
  return readPcap(readFileSync(file)).records.map((r) => {
    const d = netlinkDatagram(r)!;
    const out: Decoded = { headers: [], genl: [] };
    try {
      for (const m of decodeMessages(d.bytes)) {
        out.headers.push({ len: m.payload.length + 16, type: m.type, flags: m.flags, seq: m.seq, pid: m.pid });
        if (m.type === NLMSG.ERROR && m.payload.length >= 20) {
          const h = m.payload.subarray(4);
          out.headers.push({ len: h.readUInt32LE(0), type: h.readUInt16LE(4), flags: h.readUInt16LE(6), seq: h.readUInt32LE(8), pid: h.readUInt32LE(12) });
        } else if (d.unit === NETLINK.GENERIC && m.type >= NLMSG.MIN_TYPE) {
          const g = decodeGenlHeader(m.payload);
          out.genl.push(`${g.cmd}/${g.version}`);
        }
      }
    } catch (e) {
      if (e instanceof MalformedMessageError) return undefined;
      throw e;
    }
    return out;
  });
}

/**
 * Both decodings of `file`, packet by packet, leaving out the datagrams that either side
 * calls malformed; and how many those were.
 */
export function peerDecodings(file: string): { tshark: (Decoded | undefined)[]; library: (Decoded | undefined)[]; malformed: number } {
  const library = libraryDecode(file);
  const tshark = tsharkDecode(file);
  const both = (_: unknown, i: number) => library[i] !== undefined && tshark[i] !== undefined;
  return { tshark: tshark.filter(both), library: library.filter(both), malformed: library.filter((_, i) => !both(_, i)).length };
}
