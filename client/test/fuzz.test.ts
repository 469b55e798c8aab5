/**
 * Parser fuzzing: random and mutated buffers must give results or typed
 * errors, and each must cost work proportional to its size. Work is
 * measured two ways that machine load cannot move: buffer reads counted per
 * buffer (deterministic), and, for the slowest buffers, the fastest of
 * several re-timings spread over time, compared with this run's own median.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  encodeAttribute,
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

function familyAttributes(ops: number): Buffer {
  return encodeAttributeSet(ctrlAttributes, {
    FAMILY_ID: 16,
    FAMILY_NAME: 'nlctrl',
    OPS: Array.from({ length: ops }, (_, i) => ({ ID: i + 1, FLAGS: 14 })),
    MCAST_GROUPS: [{ NAME: 'notify', ID: 16 }],
  });
}

/** Small seeds: what the kernel sends every day. */
function smallSeeds(): Buffer[] {
  const family = familyAttributes(2);
  const link = Buffer.concat([Buffer.alloc(16), encodeAttributeSet(linkAttributes, { IFNAME: 'eth0', MTU: 1500, LINKINFO: { KIND: 'veth' } })]);
  const err = Buffer.concat([Buffer.from([0xea, 0xff, 0xff, 0xff]), encodeMessage({ type: 16, payload: family }).subarray(0, 16), Buffer.from([12, 0, 1, 0, 0x61, 0x62, 0x63, 0, 8, 0, 2, 0, 20, 0, 0, 0])]);
  return [
    encodeMessages([{ type: 16, payload: Buffer.concat([encodeGenlHeader(1, 2), family]) }, { type: NLMSG.DONE, payload: Buffer.alloc(4) }]),
    encodeMessage({ type: 16, payload: link }),
    encodeMessage({ type: NLMSG.ERROR, flags: 0x300, payload: err }),
  ];
}

/** Large seeds (a few KiB, hundreds of attributes): where work that grows faster than the input shows. */
function largeSeeds(): Buffer[] {
  const unknown = Array.from({ length: 400 }, (_, i) => encodeAttribute(100 + (i % 50), Buffer.alloc(4, i)));
  return [
    encodeMessage({ type: 16, payload: Buffer.concat([encodeGenlHeader(1, 2), familyAttributes(300)]) }),
    encodeMessage({ type: 16, payload: Buffer.concat([Buffer.alloc(16), encodeAttributeSet(linkAttributes, { IFNAME: 'eth0', MTU: 1500 }), ...unknown]) }),
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

function hex(buf: Buffer): string {
  return buf.length > 64 ? `${buf.subarray(0, 64).toString('hex')}… (${buf.length} bytes)` : buf.toString('hex');
}

/** Runs `exercise`; true if it returned, false if it threw a typed error. Anything else fails the test. */
function parse(buf: Buffer): boolean {
  try {
    exercise(buf);
    return true;
  } catch (e) {
    if (e instanceof MalformedMessageError || e instanceof AttributeEncodeError) return false;
    throw new Error(`untyped failure on ${hex(buf)}: ${String(e)}`);
  }
}

// Every way the decoders look at bytes goes through one of these Buffer methods.
const READS = ['readUInt8', 'readUInt16LE', 'readUInt32LE', 'readInt32LE', 'readUIntLE', 'readIntLE', 'readBigUInt64LE', 'readBigInt64LE', 'subarray', 'indexOf', 'toString'] as const;
const originals = new Map<string, unknown>();
let reads = 0;
beforeAll(() => {
  const proto = Buffer.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of READS) {
    const original = proto[name]!;
    originals.set(name, original);
    proto[name] = function (this: Buffer, ...args: unknown[]) {
      reads++;
      return original.apply(this, args);
    };
  }
});
afterAll(() => {
  for (const [name, original] of originals) (Buffer.prototype as unknown as Record<string, unknown>)[name] = original;
});

/** Reads allowed per byte of input, plus a fixed allowance for tiny buffers. Linear decoders stay far below. */
const READS_PER_BYTE = 4;
const READS_BASE = 64;
/** A slow buffer's best re-timing may be this many times the run's median time per buffer. */
const MEDIAN_FACTOR = 500;
const RETIMES = 5;
const SUSPECTS = 16;

describe('parser fuzzing', () => {
  // Issue 10's bar: a million buffers, each parsed with bounded work (no pathological input).
  const COUNT = Number(process.env.FUZZ_COUNT ?? 1_000_000);
  it(`${COUNT.toLocaleString('en')} random and mutated buffers give only typed errors, each with work linear in its size`, async () => {
    const next = rng(0x5eed);
    const small = smallSeeds();
    const large = largeSeeds();
    const times = new Float64Array(COUNT);
    let slowest: { ms: number; buf: Buffer }[] = [];
    let typed = 0;
    let ok = 0;
    let worstReadsPerByte = 0;
    for (let i = 0; i < COUNT; i++) {
      let buf: Buffer;
      if (i % 4 === 0) {
        buf = Buffer.alloc(next() % 96);
        for (let j = 0; j < buf.length; j++) buf[j] = next() & 0xff;
      } else {
        const base = i % 64 === 1 ? large : small;
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
      reads = 0;
      const t0 = performance.now();
      if (parse(buf)) ok++;
      else typed++;
      const ms = performance.now() - t0;
      const spent = reads;
      times[i] = ms;
      worstReadsPerByte = Math.max(worstReadsPerByte, (spent - READS_BASE) / buf.length);
      if (spent > READS_PER_BYTE * buf.length + READS_BASE)
        throw new Error(`${spent} buffer reads for ${buf.length} bytes (limit ${READS_PER_BYTE}/byte + ${READS_BASE}): ${hex(buf)}`);
      if (slowest.length < SUSPECTS || ms > slowest[slowest.length - 1]!.ms) {
        slowest.push({ ms, buf });
        slowest = slowest.sort((a, b) => b.ms - a.ms).slice(0, SUSPECTS);
      }
    }
    // Both outcomes must occur, or the mutations are not reaching the parsers.
    expect(typed).toBeGreaterThan(COUNT / 100);
    expect(ok).toBeGreaterThan(COUNT / 100);
    expect(worstReadsPerByte).toBeLessThan(READS_PER_BYTE);

    // A single timing can include a GC pause or a descheduled core; a pathological
    // parse is slow every time. Re-time the slowest buffers in rounds apart.
    const median = times.sort()[COUNT >> 1]!;
    const best = slowest.map(() => Infinity);
    for (let round = 0; round < RETIMES; round++) {
      await new Promise((r) => setTimeout(r, 20));
      slowest.forEach(({ buf }, k) => {
        const t0 = performance.now();
        parse(buf);
        best[k] = Math.min(best[k]!, performance.now() - t0);
      });
    }
    const worst = Math.max(...best);
    expect(worst, `slowest buffer's best time ${worst.toFixed(3)} ms vs median ${(median * 1000).toFixed(1)} µs`).toBeLessThan(MEDIAN_FACTOR * Math.max(median, 0.001));
  }, 300_000);
});
