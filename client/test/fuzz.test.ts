import { describe, expect, it } from 'vitest';
import {
  AttributeEncodeError,
  attributePath,
  ctrlAttributes,
  decodeAttributeSet,
  decodeDoneMessage,
  decodeErrorMessage,
  decodeGenlMessage,
  decodeLink,
  decodeMessages,
  encodeAttributeSet,
  encodeGenlHeader,
  encodeMessage,
  encodeMessages,
  MalformedMessageError,
  NLMSG,
  linkAttributes,
} from '../src/index.js';

/** xorshift32: deterministic, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function seeds(): Buffer[] {
  const family = encodeAttributeSet(ctrlAttributes, {
    FAMILY_ID: 16,
    FAMILY_NAME: 'nlctrl',
    OPS: [{ ID: 3, FLAGS: 14 }, { ID: 10, FLAGS: 12 }],
    MCAST_GROUPS: [{ NAME: 'notify', ID: 16 }],
  });
  const link = Buffer.concat([Buffer.alloc(16), encodeAttributeSet(linkAttributes, { IFNAME: 'eth0', MTU: 1500, LINKINFO: { KIND: 'veth' } })]);
  const err = Buffer.concat([Buffer.from([0xea, 0xff, 0xff, 0xff]), encodeMessage({ type: 16, payload: family }).subarray(0, 16), Buffer.from([12, 0, 1, 0, 0x61, 0x62, 0x63, 0, 8, 0, 2, 0, 20, 0, 0, 0])]);
  return [
    encodeMessages([{ type: 16, payload: Buffer.concat([encodeGenlHeader(1, 2), family]) }, { type: NLMSG.DONE, payload: Buffer.alloc(4) }]),
    encodeMessage({ type: 16, payload: link }),
    encodeMessage({ type: NLMSG.ERROR, flags: 0x300, payload: err }),
  ];
}

function exercise(buf: Buffer): void {
  for (const m of decodeMessages(buf)) {
    if (m.type === NLMSG.ERROR) decodeErrorMessage(m);
    else if (m.type === NLMSG.DONE) decodeDoneMessage(m);
    else if (m.type === 16) {
      const g = decodeGenlMessage(m, ctrlAttributes);
      attributePath(ctrlAttributes, m.payload.subarray(4), g.message.payload.length >> 1, 0);
      decodeLink(m);
      decodeAttributeSet(linkAttributes, m.payload);
    }
  }
}

describe('parser fuzzing', () => {
  // Issue 10's bar: a million buffers, each parsed in bounded time (no pathological input).
  const COUNT = Number(process.env.FUZZ_COUNT ?? 1_000_000);
  it(`${COUNT.toLocaleString('en')} random and mutated buffers give only typed errors, each quickly`, () => {
    const next = rng(0x5eed);
    const base = seeds();
    const start = performance.now();
    let typed = 0;
    let ok = 0;
    let slowest = 0;
    for (let i = 0; i < COUNT; i++) {
      let buf: Buffer;
      if (i % 4 === 0) {
        buf = Buffer.alloc(next() % 96);
        for (let j = 0; j < buf.length; j++) buf[j] = next() & 0xff;
      } else {
        buf = Buffer.from(base[next() % base.length]!);
        const edits = 1 + (next() % 4);
        for (let e = 0; e < edits; e++) {
          const op = next() % 3;
          const at = next() % buf.length;
          if (op === 0) buf[at] = next() & 0xff;
          else if (op === 1) buf = buf.subarray(0, at);
          else buf.writeUInt16LE(next() & 0xffff, Math.min(at, buf.length - 2) & ~1);
          if (buf.length < 2) break;
        }
      }
      const t0 = performance.now();
      try {
        exercise(buf);
        ok++;
      } catch (e) {
        if (!(e instanceof MalformedMessageError || e instanceof AttributeEncodeError)) {
          throw new Error(`untyped failure on ${buf.toString('hex')}: ${String(e)}`);
        }
        typed++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    // Both outcomes must occur, or the mutations are not reaching the parsers.
    expect(typed).toBeGreaterThan(COUNT / 100);
    expect(ok).toBeGreaterThan(COUNT / 100);
    // A buffer is at most a few hundred bytes: anything near 50 ms is a pathological path (GC pauses stay well below).
    expect(slowest).toBeLessThan(50);
    expect(performance.now() - start).toBeLessThan(120_000);
  }, 150_000);
});
