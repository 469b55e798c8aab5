// One crash, one report: signatures ignore what changes from boot to boot, duplicates of one
// console report collapse, and a crash met again by a later check points back at the first.
import { describe, expect, it } from 'vitest';
import { causeTracker, distinctHealth, healthMeaning, healthPhrase, healthSignature } from '../src/health-causes.js';

const oops = (addr: string, off: string) =>
  [
    `BUG: kernel NULL pointer dereference, address: ${addr}`,
    '#PF: supervisor read access in kernel mode',
    'Oops: 0000 [#1] PREEMPT SMP NOPTI',
    `CPU: 0 PID: ${off.length * 97} Comm: node Tainted: G           OE      6.1.0-57-amd64 #1`,
    `RIP: 0010:nlab_kv_set_doit+0x${off}/0x120 [nlab_kv]`,
  ].join('\n');

describe('health causes', () => {
  it('gives the same crash the same signature across boots, and another crash another', () => {
    expect(healthSignature(oops('0000000000000008', '2d'))).toBe(healthSignature(oops('0000000000000010', '3f1')));
    expect(healthSignature(oops('0000000000000008', '2d'))).toMatch(/nlab_kv_set_doit \[nlab_kv\]$/);
    expect(healthSignature(oops('0000000000000008', '2d'))).not.toBe(healthSignature(oops('0000000000000008', '2d').replace('set_doit', 'get_doit')));
  });

  it("collapses the Oops line that belongs to the BUG line before it, and keeps a panic", () => {
    const text = oops('0000000000000008', '2d');
    const entries = [
      { kind: 'oops' as const, excerpt: text },
      { kind: 'oops' as const, excerpt: text.split('\n').slice(2).join('\n') },
      { kind: 'panic' as const, excerpt: 'Kernel panic - not syncing: Fatal exception' },
    ];
    expect(distinctHealth(entries).map((e) => e.kind)).toEqual(['oops', 'panic']);
  });

  it('points a later check at the check that met the crash first', () => {
    const t = causeTracker();
    expect(t.note('registered', { kind: 'oops', excerpt: oops('0000000000000008', '2d') })).toBeUndefined();
    expect(t.note('registered', { kind: 'oops', excerpt: oops('0000000000000008', '2d') })).toBeUndefined();
    expect(t.note('set-get-del', { kind: 'oops', excerpt: oops('0000000000000018', '44') })).toEqual({ check: 'registered', kind: 'oops' });
  });

  it('tells SLUB reports apart by the function that allocated the object, not by the taint flags', () => {
    const slub = (taint: string, fn: string) => [`BUG kmalloc-96 (Tainted: ${taint}): Poison overwritten`, '-----', '', `Allocated in ${fn}+0x370/0x60f [nlab_kv] age=17 cpu=0 pid=103`].join('\n');
    expect(healthSignature(slub('G           OE     ', 'nlab_kv_rcv_msg'))).toBe(healthSignature(slub('G    B      OE     ', 'nlab_kv_rcv_msg')));
    expect(healthSignature(slub('G           OE     ', 'nlab_kv_rcv_msg'))).not.toBe(healthSignature(slub('G           OE     ', 'nlab_kv_set')));
  });

  it('says "an Oops", not "a oops"', () => {
    expect(healthPhrase('oops')).toBe('an Oops');
    expect(healthPhrase('warning')).toBe('a WARNING');
    expect(healthPhrase('use-after-free')).toBe('a use after free');
    expect(healthMeaning('leak')).toMatch(/never freed/);
    expect(healthMeaning('oops')).toBeUndefined();
  });
});
