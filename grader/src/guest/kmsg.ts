// Reads the kernel log through /dev/kmsg, which numbers every record, so "since the check
// began" is exact even when the ring buffer wraps or a module floods it.

import { closeSync, constants, openSync, readSync } from 'node:fs';

export interface KmsgRecord {
  seq: number;
  level: number;
  text: string;
}

const RECORD_MAX = 8192;

/** Every record currently in the ring buffer with a sequence number above `afterSeq`. */
export function readKmsg(afterSeq = -1): KmsgRecord[] {
  const fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(RECORD_MAX);
  const out: KmsgRecord[] = [];
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, RECORD_MAX, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        if (code === 'EPIPE') continue; // records were overwritten while reading: skip ahead
        throw e;
      }
      const rec = parseKmsgRecord(buf.toString('utf8', 0, n));
      if (rec && rec.seq > afterSeq) out.push(rec);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** `6,339,5140900,-;nlab: hello\n SUBSYSTEM=...` → { seq: 339, level: 6, text: 'nlab: hello' }. */
export function parseKmsgRecord(raw: string): KmsgRecord | undefined {
  const semi = raw.indexOf(';');
  if (semi < 0) return undefined;
  const [prio, seq] = raw.slice(0, semi).split(',');
  const text = raw.slice(semi + 1).split('\n')[0] ?? '';
  return { seq: Number(seq), level: Number(prio) & 7, text: unescapeKmsg(text) };
}

function unescapeKmsg(s: string): string {
  return s.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/** The sequence number of the newest record: a mark to read "since now" from. */
export function kmsgMark(): number {
  const recs = readKmsg();
  return recs.length ? recs[recs.length - 1]!.seq : -1;
}
