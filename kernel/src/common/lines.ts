// Text from a byte stream, one line at a time. A UTF-8 character can straddle two chunks (a
// serial port hands over whatever it has), so chunks go through one StringDecoder, never
// through Buffer#toString each on its own, which turns the halves into U+FFFD.

import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';

/** A chunk handler that calls `onLine` for every complete line, without its newline. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return (chunk) => {
    pending += decoder.write(chunk);
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      onLine(line);
    }
  };
}

/** The same, as a stream to pipe into. */
export function lineWriter(onLine: (line: string) => void): Writable {
  const split = lineSplitter(onLine);
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      split(chunk);
      done();
    },
  });
}
