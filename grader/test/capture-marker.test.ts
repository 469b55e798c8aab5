// --pcap's markers are generic netlink lookups of a family name nobody registers. nlctrl
// refuses a name longer than GENL_NAMSIZ - 1 with EINVAL, so a marker name that grows with a
// long-lived guest's count broke the capture after about a hundred checks (CI, lesson 13 on 6.12).
import { describe, expect, it } from 'vitest';
import { FAMILY_NAME_MAX, markerName } from '../src/guest/capture.js';

describe('capture markers', () => {
  it('stay within what nlctrl accepts, for any count and pid a guest can reach', () => {
    for (const n of [1, 99, 100, 999, 1000, 36 ** 5 - 1]) {
      for (const pid of [1, 150, 32768, 4194304]) expect(markerName(n, pid).length, `${n} ${pid}`).toBeLessThanOrEqual(FAMILY_NAME_MAX);
    }
  });

  it('are never part of one another (the capture finds a marker by its bytes)', () => {
    const names = Array.from({ length: 2000 }, (_, i) => markerName(i + 1, 150));
    for (const a of names.slice(0, 200)) {
      expect(names.filter((b) => b !== a && b.includes(a))).toEqual([]);
    }
  });
});
