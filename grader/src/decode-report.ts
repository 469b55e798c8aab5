// Netlink traffic decoded for reports and evidence: header fields with flag names, error ACKs
// with their extended-ACK details, payloads as text when printable, and, when the caller names
// its family's attributes, payloads as attributes. Never throws, so a check can show whatever
// came back.

import { align, decodeAttributes, decodeErrorMessage, decodeMessages, errnoCode, flagNames, NLMSG, type ErrorReport } from 'netlink-lab/client';
import type { DecodedMessage } from './check-types.js';

const NLMSG_HDRLEN = 16;

export { flagNames };

/** How much of a binary payload a report shows as hex; the datagram's bytes hold the rest. */
const HEX_SHOWN = 64;

/** Printable ASCII, with at most a trailing NUL (a C string). */
const isPrintable = (text: string): boolean => /^[\x20-\x7e]*\0?$/.test(text);

/** A payload as quoted text when printable, else hex (the first 64 bytes, then its length). */
export function showPayload(p: Buffer): string {
  if (isPrintable(p.toString('latin1'))) return JSON.stringify(p.toString('latin1'));
  return p.length > HEX_SHOWN ? `hex ${p.subarray(0, HEX_SHOWN).toString('hex')}… (${p.length} bytes)` : `hex ${p.toString('hex')}`;
}

/** What a family's messages mean, so that a report can name their parts. All optional. */
export interface ReportNames {
  /** Names of the family's message types, e.g. `{ 0x10: 'SET' }` (NLMSG_ERROR and the other control types are always named). */
  types?: Record<number, string>;
  /**
   * Names of the family's top-level attributes, e.g. `{ 1: 'KEY' }`. When given, the payload
   * of every data message is also shown as attributes, and an ACK's missing type is named.
   */
  attributes?: Record<number, string>;
  /** Bytes of family header before the attributes (4 for a genlmsghdr); default 0. */
  headerSize?: number;
}

/** An error ACK in words: errno (or ACK), and the extended ACK's message, offset, missing type and policy. */
export interface ReportedAck {
  error: string;
  message?: string;
  offset?: number;
  missingType?: string;
  missingNest?: number;
  policy?: string;
}

/**
 * A message decoded for a report: the header fields and the payload, plus the type's name,
 * an ACK's contents and, when the family's attribute names are given, the attributes (which
 * then stand instead of `payload`).
 */
export interface ReportedMessage extends Omit<DecodedMessage, 'payload'> {
  /** As text when printable, else hex; left out when `attributes` show the payload. */
  payload?: string;
  /** The type's name: NLMSG_ERROR, NLMSG_DONE, … or one of `names.types`. */
  name?: string;
  /** NLMSG_ERROR only: what it says. */
  ack?: ReportedAck;
  /** With `names.headerSize`: the family header before the attributes, as hex. */
  header?: string;
  /** With `names.attributes`: one line per attribute, "KEY @20 (len 10): \"hello\\0\"" (offset from the message start). */
  attributes?: string[] | string;
  /** The whole message (header to padding) as hex: what the report's viewer link opens on the site. */
  bytes: string;
}

const CONTROL_NAMES: Record<number, string> = Object.fromEntries(Object.entries(NLMSG).filter(([n]) => n !== 'MIN_TYPE').map(([n, v]) => [v, `NLMSG_${n}`]));

/** An error ACK in words; `attributes` names the missing type, if any. */
export function ackForReport(r: ErrorReport, attributes: Record<number, string> = {}): ReportedAck {
  const x = r.extack;
  return {
    error: r.errno ? errnoCode(r.errno) : 'ACK',
    ...(x.message !== undefined ? { message: x.message } : {}),
    ...(x.offset !== undefined ? { offset: x.offset } : {}),
    ...(x.missingType !== undefined ? { missingType: `${x.missingType} (${attributes[x.missingType] ?? '?'})` } : {}),
    ...(x.missingNest !== undefined ? { missingNest: x.missingNest } : {}),
    ...(x.policy ? { policy: JSON.stringify(x.policy, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) } : {}),
  };
}

/** A payload's attributes, one line each, with offsets from the start of the message; or why they do not parse. */
function attributeLines(payload: Buffer, names: Record<number, string>, headerSize: number): string[] | string {
  try {
    return decodeAttributes(payload.subarray(headerSize), NLMSG_HDRLEN + headerSize).map((a) => {
      const text = a.payload.toString('latin1');
      const shown =
        isPrintable(text) && a.payload.length < 80
          ? JSON.stringify(text)
          : `${a.payload.length} bytes: ${a.payload.subarray(0, 16).toString('hex')}${a.payload.length > 16 ? '…' : ''}`;
      return `${names[a.type] ?? `type ${a.type}`} @${a.offset} (len ${a.payload.length + 4}): ${shown}`;
    });
  } catch (e) {
    return `undecodable attributes (${(e as Error).message}); see payload`;
  }
}

/**
 * Decodes a datagram for a report; never throws. Error ACKs are decoded (errno, extended
 * ACK); `names` adds the family's type and attribute names and shows payloads as attributes.
 */
export function decodeForReport(bytes: Buffer): { messages: (DecodedMessage & ReportedMessage)[]; decodeError?: string };
export function decodeForReport(bytes: Buffer, names: ReportNames): { messages: ReportedMessage[]; decodeError?: string };
export function decodeForReport(bytes: Buffer, names: ReportNames = {}): { messages: ReportedMessage[]; decodeError?: string } {
  try {
    const messages = decodeMessages(bytes).map((m) => {
      const start = m.payload.byteOffset - bytes.byteOffset - NLMSG_HDRLEN;
      const name = CONTROL_NAMES[m.type] ?? names.types?.[m.type];
      const out: ReportedMessage = {
        len: m.payload.length + NLMSG_HDRLEN,
        type: m.type,
        ...(name ? { name } : {}),
        flags: flagNames(m.flags, m.type),
        seq: m.seq,
        pid: m.pid,
        payload: showPayload(m.payload),
        bytes: bytes.subarray(start, Math.min(start + align(NLMSG_HDRLEN + m.payload.length), bytes.length)).toString('hex'),
      };
      if (m.type === NLMSG.ERROR) {
        try {
          out.ack = ackForReport(decodeErrorMessage(m), names.attributes);
        } catch {
          // a malformed error stays hex in `payload`
        }
      } else if (names.attributes && m.type >= NLMSG.MIN_TYPE) {
        const headerSize = names.headerSize ?? 0;
        const attributes = attributeLines(m.payload, names.attributes, headerSize);
        if (Array.isArray(attributes)) {
          delete out.payload;
          if (headerSize) out.header = `hex ${m.payload.subarray(0, headerSize).toString('hex')}`;
        }
        out.attributes = attributes;
      }
      return out;
    });
    return { messages };
  } catch (e) {
    return { messages: [], decodeError: (e as Error).message };
  }
}
