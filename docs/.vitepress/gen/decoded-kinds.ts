// What each attribute kind decodes to in JavaScript, found by running the client's own
// decodeScalar() on a zero-filled payload of each width, so the page cannot drift from the code.
import { decodeScalar, type ScalarKind } from '../../../client/src/codecs.ts';

export interface DecodedKind {
  kind: string;
  /** `Buffer`, `string`, `number`, `bigint` or `boolean`. */
  jsType: string;
  /** Payload widths in bytes the decoder accepts, among 0, 1, 2, 4 and 8. */
  widths: number[];
}

const WIDTHS = [0, 1, 2, 4, 8];

export function decodedKinds(kinds: readonly string[]): DecodedKind[] {
  return kinds.map((kind) => {
    const types = new Set<string>();
    const widths: number[] = [];
    for (const w of WIDTHS) {
      try {
        const v = decodeScalar(kind as ScalarKind, Buffer.alloc(w));
        types.add(Buffer.isBuffer(v) ? 'Buffer' : typeof v);
        widths.push(w);
      } catch {
        // this width is not one the kind accepts
      }
    }
    if (types.size !== 1) throw new Error(`decoded kinds: ${kind} decodes to ${types.size ? [...types].join(' or ') : 'nothing'}`);
    return { kind, jsType: [...types][0]!, widths };
  });
}
