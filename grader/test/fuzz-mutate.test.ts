// The fuzzer's pure parts: seeds from lesson.json, deterministic mutation, replay, and the
// "fuzz" section's validation.
import { describe, expect, it } from 'vitest';
import { decodeAttributes, decodeMessages } from '../../client/src/codecs.js';
import { encodeDatagram } from '../src/fuzz/encode.js';
import { seedMessage } from '../src/fuzz/model.js';
import { nextDatagram, replay } from '../src/fuzz/mutate.js';
import { prng } from '../src/fuzz/prng.js';
import { loadAllLessons } from '../src/lesson/load.js';
import { validateLesson } from '../src/lesson/schema.js';

const lessons = loadAllLessons().filter((l) => l.fuzz);
const fam = { family: 'nlab_kv', id: 0x20, version: 1 };

describe('fuzz seeds', () => {
  it('lessons 2–10 declare seeds', () => {
    expect(lessons.map((l) => l.id)).toEqual(expect.arrayContaining(['lesson-2', 'lesson-3', 'lesson-4', 'lesson-5', 'lesson-6', 'lesson-7', 'lesson-8', 'lesson-9', 'lesson-10']));
  });

  it.each(lessons.map((l) => [l.id, l] as const))('%s: every seed encodes to a well-formed message', (_id, l) => {
    const target = 'unit' in l.netlink ? l.netlink : fam;
    for (const s of l.fuzz!.seeds) {
      const [m] = decodeMessages(encodeDatagram([seedMessage(s, target)]));
      expect(m!.type).toBe('unit' in target ? s.type : fam.id);
      if ('family' in l.netlink) expect(decodeAttributes(m!.payload.subarray(4)).length).toBe(s.attributes?.length ?? 0);
    }
  });
});

describe('mutation', () => {
  const l = lessons.find((x) => x.id === 'lesson-9')!;
  const seeds = l.fuzz!.seeds.map((s) => seedMessage(s, fam));

  it('is deterministic: the same seed gives the same datagrams, and replay finds them', () => {
    const a = prng(7);
    const b = prng(7);
    const run = Array.from({ length: 500 }, (_, i) => nextDatagram(a, seeds, i * 4).bytes.toString('hex'));
    expect(Array.from({ length: 500 }, (_, i) => nextDatagram(b, seeds, i * 4).bytes.toString('hex'))).toEqual(run);
    expect(replay(prng(7), seeds, 495, 500).map((d) => d.bytes.toString('hex'))).toEqual(run.slice(495));
  });

  it('never throws, and mixes valid, lying and damaged datagrams', () => {
    const rnd = prng(1);
    const how = new Map<string, number>();
    let wellFormed = 0;
    for (let i = 0; i < 20_000; i++) {
      const d = nextDatagram(rnd, seeds, i);
      for (const h of d.how) how.set(h.split(' ')[0]!, (how.get(h.split(' ')[0]!) ?? 0) + 1);
      try {
        decodeMessages(d.bytes);
        wellFormed++;
      } catch {
        // a length lie or a cut: what it is for
      }
    }
    for (const k of ['type', 'flags', 'nlmsg_len', 'nla_len', 'attr', 'fixed', 'wrapped', 'cut', 'bytes', 'random']) expect(how.get(k), k).toBeGreaterThan(50);
    expect(wellFormed).toBeGreaterThan(2000);
    expect(wellFormed).toBeLessThan(18_000);
  });

  it('pins nlmsg_pid to the sender when the lesson trusts it', () => {
    const rnd = prng(3);
    for (let i = 0; i < 2000; i++) {
      const d = nextDatagram(rnd, seeds, i, { pinPid: 4242 });
      if (d.bytes.length >= 16) expect(d.bytes.readUInt32LE(12)).toBe(4242);
    }
  });
});

describe('"fuzz" in lesson.json', () => {
  const base = { id: 'l', title: 'T', part: 1, summary: 'S', module: 'm', checks: [{ id: 'a', title: 't', points: 1, side: 'kernel', hint: 'h', todos: [] }] };
  it.each([
    [{ unit: 31 }, { seeds: [] }, /"seeds" must be a non-empty array/],
    [{ unit: 31 }, { seeds: [{ cmd: 1 }] }, /needs "type"/],
    [{ family: 'f' }, { seeds: [{ type: 16 }] }, /needs "cmd"/],
    [{ unit: 31 }, { seeds: [{ type: 16, flags: ['NOPE'] }] }, /"flags" must be names/],
    [{ unit: 31 }, { seeds: [{ type: 16, attributes: [{ type: 1, hex: 'abc' }] }] }, /"hex" must be/],
    [{ unit: 31 }, { seeds: [{ type: 16, attributes: [{ type: 1, u8: 1, string: 'x' }] }] }, /exactly one of/],
    [{ unit: 31 }, { seeds: [{ type: 16, attributes: [{ type: 1, u8: 300 }] }] }, /"u8" must be an integer/],
    [{ unit: 31 }, { trusts: ['everything'], seeds: [{ type: 16 }] }, /"trusts" must list/],
  ])('explains what is wrong (%#)', (netlink, fuzz, message) => {
    expect(() => validateLesson({ ...base, netlink, fuzz }, 'x')).toThrow(message);
  });
  it('accepts nested attributes', () => {
    expect(() => validateLesson({ ...base, netlink: { family: 'f' }, fuzz: { seeds: [{ cmd: 1, attributes: [{ type: 1, nested: [{ type: 2, u32: 5 }] }] }] } }, 'x')).not.toThrow();
  });
});
