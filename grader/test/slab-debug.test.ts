// The leak scan's parsers, on listings captured from the lab's 6.12 guest, and the rule that
// turns a raw call site inside an unloaded module into a leak, reported once.
import { describe, expect, it } from 'vitest';
import type { ModuleImage } from '../src/guest/module-image.js';
import { countKfenceObjects, countModuleObjects, leakExcerpt, leaksOf, parseAllocTraces, parseKfenceObjects } from '../src/guest/slab-debug.js';

// /sys/kernel/debug/slab/kmalloc-96/alloc_traces (stack_depot_disable=1: no stacks), the
// module's line as it reads after rmmod.
const ALLOC_TRACES = `   1638 eventfs_create_dir+0x48/0x170 waste=13104/8 age=183/496/506 pid=12-124
     53 p9_fid_create+0x22/0x110 [9pnet] waste=424/8 age=1/73/168 pid=127-136
      1 0xffffffffc02c7a3f waste=3/3 age=2031 pid=141
      4 __irq_domain_alloc_fwnode+0x36/0x120 waste=32/8 age=176/494/813
`;

// /sys/kernel/debug/kfence/objects: an unused slot, a live object, a freed one.
const KFENCE = `kfence-#0 unused
---------------------------------
kfence-#15: 0xffff88803e820000-0xffff88803e820047, size=72, cache=kmalloc-96

allocated by task 2 on cpu 0 at 1.208000s (2.424140s ago):
 0xffffffffc02c7a10
 netlink_rcv_skb+0x58/0x110
---------------------------------
kfence-#41: 0xffff88803e854fc0-0xffff88803e854fe7, size=40, cache=kmalloc-64

allocated by task 11 on cpu 0 at 1.416001s (2.216138s ago):
 event_create_dir+0x2a9/0x3d0

freed by task 11 on cpu 0 at 1.516001s (2.116138s ago):
 kfree+0x2a9/0x3d0
---------------------------------
`;

/** A module image as captureModuleImage() builds it: nlab_kv_rcv_msg at 0xffffffffc02c7800, 0x630 bytes. */
const image: ModuleImage = {
  name: 'nlab_kv',
  symbolize: (a) => (a >= 0xffffffffc02c7800n && a < 0xffffffffc02c7e30n ? `nlab_kv_rcv_msg+0x${(a - 0xffffffffc02c7800n).toString(16)}/0x630 [nlab_kv]` : undefined),
};

describe('leak scan', () => {
  it('reads call sites and counts from alloc_traces', () => {
    const sites = parseAllocTraces('kmalloc-96', ALLOC_TRACES);
    expect(sites.map((s) => [s.count, s.site])).toEqual([
      [1638, 'eventfs_create_dir+0x48/0x170'],
      [53, 'p9_fid_create+0x22/0x110'],
      [1, '0xffffffffc02c7a3f'],
      [4, '__irq_domain_alloc_fwnode+0x36/0x120'],
    ]);
  });

  it("counts the live objects of a loaded module's own sites", () => {
    expect(countModuleObjects(ALLOC_TRACES, '9pnet')).toBe(53);
    expect(countModuleObjects(ALLOC_TRACES, 'nlab_kv')).toBe(0);
    expect(countModuleObjects(`${ALLOC_TRACES}     12 nlab_kv_set_doit+0x7a/0x2b0 [nlab_kv] waste=96/8 age=3/4/5 pid=140\n`, 'nlab_kv')).toBe(12);
  });

  it('keeps only the live KFENCE objects, with their first frame as the site', () => {
    expect(parseKfenceObjects(KFENCE)).toEqual([{ cache: 'kmalloc-96 (KFENCE)', count: 1, site: '0xffffffffc02c7a10', stack: ['netlink_rcv_skb+0x58/0x110'] }]);
  });

  it("counts a loaded module's live KFENCE objects, which the slab caches' listings leave out", () => {
    const loaded = KFENCE.replace(' 0xffffffffc02c7a10', ' nlab_kv_set_doit+0x7a/0x2b0 [nlab_kv]');
    expect(countKfenceObjects(loaded, 'nlab_kv')).toBe(1);
    expect(countKfenceObjects(loaded, 'nlab')).toBe(0);
    // the freed object's site is not counted, nor one of another module
    expect(countKfenceObjects(KFENCE.replace(' event_create_dir+0x2a9/0x3d0', ' nlab_kv_del+0x1/0x2 [nlab_kv]'), 'nlab_kv')).toBe(0);
  });

  it("names a raw site inside the unloaded module's code, and reports it once", () => {
    const sites = [...parseAllocTraces('kmalloc-96', ALLOC_TRACES), ...parseKfenceObjects(KFENCE)];
    const seen = new Map<string, number>();
    const leaks = leaksOf(sites, [image], seen);
    expect(leaks.map(leakExcerpt)).toEqual([
      'nlab_kv: 1 object of kmalloc-96 still allocated after rmmod, allocated at nlab_kv_rcv_msg+0x23f/0x630 [nlab_kv]',
      'nlab_kv: 1 object of kmalloc-96 (KFENCE) still allocated after rmmod, allocated at nlab_kv_rcv_msg+0x210/0x630 [nlab_kv]\n  netlink_rcv_skb+0x58/0x110',
    ]);
    expect(leaksOf(sites, [image], seen)).toEqual([]);
    // Another object from the same site later is a new leak.
    const more = parseAllocTraces('kmalloc-96', ALLOC_TRACES.replace('      1 0xffffffffc02c7a3f', '      3 0xffffffffc02c7a3f'));
    expect(leaksOf(more, [image], seen).map((l) => l.count)).toEqual([2]);
  });

  it('finds nothing without an unloaded module to blame', () => {
    expect(leaksOf(parseAllocTraces('kmalloc-96', ALLOC_TRACES), [], new Map())).toEqual([]);
  });
});
