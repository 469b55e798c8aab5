// Netlink traffic decoded for reports and evidence: header fields with flag names, payloads
// as text when printable. Never throws, so a check can show whatever came back.

import { decodeMessages, NLM_F } from 'netlink-lab/client';
import type { DecodedMessage } from './context-types.js';

/** Header flags as names, e.g. "REQUEST|ACK". */
export function flagNames(flags: number): string {
  // GET- and NEW-request modifiers reuse the same bits; a report shows the general ones.
  const names = (Object.entries(NLM_F) as [string, number][])
    .filter(([name, bit]) => (flags & bit) === bit && !/^(ROOT|MATCH|ATOMIC|REPLACE|EXCL|CREATE|APPEND|DUMP|CAPPED|ACK_TLVS|NONREC)$/.test(name))
    .map(([name]) => name);
  return names.length ? names.join('|') : flags === 0 ? '0' : `0x${flags.toString(16)}`;
}

/** A payload as quoted text when printable, else hex. */
export function showPayload(p: Buffer): string {
  const printable = /^[\x20-\x7e]*\0?$/.test(p.toString('latin1'));
  return printable ? JSON.stringify(p.toString('latin1')) : `hex ${p.toString('hex')}`;
}

/** Decodes a datagram for a report; never throws. */
export function decodeForReport(bytes: Buffer): { messages: DecodedMessage[]; decodeError?: string } {
  try {
    const messages = decodeMessages(bytes).map((m) => ({
      len: m.payload.length + 16,
      type: m.type,
      flags: flagNames(m.flags),
      seq: m.seq,
      pid: m.pid,
      payload: showPayload(m.payload),
    }));
    return { messages };
  } catch (e) {
    return { messages: [], decodeError: (e as Error).message };
  }
}
