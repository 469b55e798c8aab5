import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAttributeSet, decodeMessages, defineAttributeSet, encodeAttributeSet, encodeMessages, type AttributeValues } from '../src/index.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });

describe('property: encode → decode', () => {
  it('round-trips lists of messages', () => {
    const msg = fc.record({ type: u16, flags: u16, seq: u32, pid: u32, payload: fc.uint8Array({ maxLength: 64 }) });
    fc.assert(
      fc.property(fc.array(msg, { minLength: 1, maxLength: 8 }), (msgs) => {
        const out = decodeMessages(encodeMessages(msgs));
        expect(out.map((m) => ({ ...m, payload: new Uint8Array(m.payload) }))).toEqual(msgs);
      }),
      { numRuns: 300 },
    );
  });

  const leaf = defineAttributeSet('leaf', {
    NAME: { type: 1, kind: 'string' },
    VALUE: { type: 2, kind: 's64' },
    TAGS: { type: 3, kind: 'u16', multi: true },
  });
  const mid = defineAttributeSet('mid', {
    ID: { type: 1, kind: 'u32' },
    LEAF: { type: 2, kind: 'nested', nested: leaf },
    LIST: { type: 3, kind: 'nested-array', nested: leaf },
  });
  const root = defineAttributeSet('root', {
    U8: { type: 1, kind: 'u8' },
    S16: { type: 2, kind: 's16' },
    U64: { type: 3, kind: 'u64' },
    S32: { type: 4, kind: 's32' },
    BIN: { type: 5, kind: 'binary' },
    FLAG: { type: 6, kind: 'flag' },
    MID: { type: 7, kind: 'nested', nested: mid },
    UINT: { type: 8, kind: 'uint' },
  });
  const str = fc.string({ maxLength: 20 }).filter((s) => !s.includes('\0'));
  const leafArb = fc.record(
    { NAME: str, VALUE: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), TAGS: fc.array(u16, { minLength: 1, maxLength: 4 }) },
    { requiredKeys: [] },
  );
  const midArb = fc.record({ ID: u32, LEAF: leafArb, LIST: fc.array(leafArb, { maxLength: 3 }) }, { requiredKeys: [] });
  const rootArb = fc.record(
    {
      U8: fc.integer({ min: 0, max: 255 }),
      S16: fc.integer({ min: -32768, max: 32767 }),
      U64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      S32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      BIN: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
      FLAG: fc.constant(true),
      MID: midArb,
      UINT: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    },
    { requiredKeys: [] },
  );

  it('round-trips nested attribute objects', () => {
    fc.assert(
      fc.property(rootArb, (value) => {
        const bytes = encodeAttributeSet(root, value as AttributeValues);
        expect(bytes.length % 4).toBe(0);
        expect(decodeAttributeSet(root, bytes)).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });
});
