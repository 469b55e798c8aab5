// The kernel log from "now" on, read incrementally: one /dev/kmsg descriptor stays open, so
// each look reads only the records added since the last one (the fuzzer looks often).

import { closeSync, constants, openSync, readSync } from 'node:fs';
import { parseKmsgRecord } from '../guest/kmsg.js';

const RECORD_MAX = 8192;

export class KmsgTail {
  #fd: number;
  #buf = Buffer.alloc(RECORD_MAX);

  /** Opens /dev/kmsg and skips what is already there. */
  constructor() {
    this.#fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
    this.read();
  }

  /** The records' texts since the last call. */
  read(): string[] {
    const out: string[] = [];
    for (;;) {
      let n: number;
      try {
        n = readSync(this.#fd, this.#buf, 0, RECORD_MAX, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return out;
        if (code === 'EPIPE') continue; // overwritten while we looked away: skip ahead
        throw e;
      }
      const rec = parseKmsgRecord(this.#buf.toString('utf8', 0, n));
      if (rec) out.push(rec.text);
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}
