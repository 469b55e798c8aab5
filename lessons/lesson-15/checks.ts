// Lesson 15 checks: the module registers what the spec declares (nlctrl's view of its
// operations, their flags and policies, and its groups, compared with the lesson's spec as the
// kernel's C generator renders it), and COUNT, added to the spec first, works end to end.
//
// The lesson's spec comes from the reference client (its generated codecs embed the spec they
// were made from); raw requests are built from the lesson's numbers, so the kernel-side checks
// do not depend on the student's client.
import { encodeAttribute } from 'netlink-lab/client';
import { clientJson, clientSpec, compareFamilyWithSpec, defineChecks, ensure, loadFamily } from 'netlink-lab/grader';
import { errName, genlAttrs, key, kv, type Outcome, type Req, value } from 'netlink-lab/grader/nlab-kv';

const CMD = { SET: 1, COUNT: 7 } as const;
const A = { PREFIX: 4, COUNT: 11 } as const;
const KEYS = ['ca', 'cb', 'd'] as const;

const set = (k: string): Req => ({ cmd: CMD.SET, attrs: [key(k), value('v')] });
const count = (prefix?: string): Req => ({ cmd: CMD.COUNT, attrs: prefix === undefined ? [] : [encodeAttribute(A.PREFIX, Buffer.from(`${prefix}\0`))] });

/** A COUNT reply as `cmd N, COUNT n`, or what came instead. */
function showCount(o: Outcome): string {
  const m = o.replies[0];
  if (!m) return `no reply (${errName(o.errno)})`;
  const c = genlAttrs(m).get(A.COUNT);
  return `cmd ${m.payload[0]}, COUNT ${c?.length === 4 ? c.readUInt32LE(0) : c ? `of ${c.length} bytes` : 'missing'}`;
}

export default defineChecks({
  async count(t) {
    const family = await loadFamily(t);
    const asks: [string | undefined, number][] = [
      ['c', 2],
      [undefined, KEYS.length],
      ['zz', 0],
    ];
    const reqs = [...KEYS.map(set), ...asks.map(([p]) => count(p))];
    // One ACK per request, and a reply per COUNT.
    const { outcomes, evidence } = await kv(t, family, reqs, reqs.length + asks.length);
    for (const [i, k] of KEYS.entries()) ensure(outcomes[i]!.errno === 0, `the SET of "${k}" was not acknowledged`, { ...evidence, actual: errName(outcomes[i]!.errno) });
    for (const [i, [prefix, want]] of asks.entries()) {
      const o = outcomes[KEYS.length + i]!;
      const asked = prefix === undefined ? 'COUNT without a PREFIX' : `COUNT with PREFIX "${prefix}"`;
      ensure(o.errno === 0 && o.replies.length === 1, `${asked} was not answered with one reply and an ACK`, { ...evidence, expected: `cmd ${CMD.COUNT}, COUNT ${want}`, actual: showCount(o) });
      ensure(showCount(o) === `cmd ${CMD.COUNT}, COUNT ${want}`, `${asked} did not answer ${want} (keys: ${KEYS.join(', ')})`, { ...evidence, expected: `cmd ${CMD.COUNT}, COUNT ${want} (a u32)`, actual: showCount(o) });
    }
  },

  async 'matches-spec'(t) {
    await loadFamily(t);
    const spec = await clientSpec(t, 'nlab_kv-ynl.js');
    const { diff, notes } = await compareFamilyWithSpec('nlab_kv', spec.text);
    ensure(diff.length === 0, `nlctrl's view of nlab_kv differs from the spec: ${diff.join('; ')}`, { notes });
    t.note(notes.join('; '));
  },

  async 'client-count'(t) {
    const family = await loadFamily(t);
    const { outcomes, evidence } = await kv(t, family, KEYS.map(set), KEYS.length);
    ensure(
      outcomes.every((o) => o.errno === 0),
      'the reference module did not store the keys',
      { ...evidence, actual: outcomes.map((o) => errName(o.errno)).join(', ') },
    );
    const { value: printed, notes } = await clientJson(t, ['count', 'c']);
    ensure(JSON.stringify(printed) === JSON.stringify({ count: 2 }), '`count c` did not print COUNT\'s reply: 2 of the keys ca, cb, d start with c', {
      expected: '{"count":2}',
      actual: JSON.stringify(printed),
      notes,
    });
  },
});
