// Memory errors a stock kernel hides, each injected into lesson 6's solution: the boot-time
// memory checks (kernel/src/memcheck.ts) and the health gate's validation and leak scan
// must fail the check with that error's own health kind, on both kernels.
import { describe, expect, it } from 'vitest';
import { KNOWN_KERNELS, liveCount } from '../../kernel/src/index.js';
import { kernelForTest } from '../../kernel/test/kernel-choice.js';
import type { ReportHealthKind } from '../src/guest/protocol.js';
import { gradeLesson } from '../src/grade.js';
import { mutantLesson, type Mutation } from './mutant-lesson.js';
import { schemaErrors } from './report-schema.js';

const KV = 'kernel/nlab_kv.c';

interface MemoryMutant {
  name: string;
  mutations: Mutation[];
  /** The one check graded: the one whose requests reach the broken code. */
  check: string;
  kind: ReportHealthKind;
  /** What the excerpt must show: the detector's words and, where it can, the module's function. */
  shows: RegExp;
}

const DEL_FREE = '\tkfree(e);\n\treturn 0;\n}';

const MUTANTS: MemoryMutant[] = [
  {
    name: 'write-after-free',
    // The example: DEL clears the entry after freeing it.
    mutations: [{ file: KV, find: DEL_FREE, replace: '\tkfree(e);\n\te->len = 0;\n\treturn 0;\n}' }],
    check: 'set-get-del',
    kind: 'use-after-free',
    shows: /Poison overwritten[\s\S]*Freed in nlab_kv_\w+\+0x[0-9a-f]+\/0x[0-9a-f]+ \[nlab_kv\]/,
  },
  {
    name: 'read-after-free',
    // Freeing inside list_for_each_entry(): the loop reads the next pointer from the freed entry.
    mutations: [
      {
        file: KV,
        find: '\tstruct nlab_kv_entry *e, *tmp;\n\n\tlist_for_each_entry_safe(e, tmp, &nlab_kv_entries, node) {\n\t\tlist_del(&e->node);\n\t\tkfree(e);\n\t}\n',
        replace: '\tstruct nlab_kv_entry *e;\n\n\tlist_for_each_entry(e, &nlab_kv_entries, node)\n\t\tkfree(e);\n\tINIT_LIST_HEAD(&nlab_kv_entries);\n',
      },
    ],
    check: 'max-size',
    kind: 'use-after-free',
    shows: /6b6b6b6b6b6b6b6b[\s\S]*\[nlab_kv\]|KFENCE: use-after-free/,
  },
  {
    name: 'overflow',
    // sizeof(e) is the pointer's size: the entry overruns its 16-byte allocation.
    mutations: [{ file: KV, find: 'kmalloc(struct_size(e, value, len), GFP_KERNEL)', replace: 'kmalloc(sizeof(e) + len, GFP_KERNEL)' }],
    check: 'set-get-del',
    kind: 'out-of-bounds',
    shows: /Redzone overwritten[\s\S]*\[nlab_kv\]|KFENCE: (out-of-bounds|memory corruption)/,
  },
  {
    name: 'double-free',
    // The replaced entry is freed where it is unlinked and again on the shared way out.
    mutations: [{ file: KV, find: '\t\tlist_replace(&old->node, &e->node);\n', replace: '\t\tlist_replace(&old->node, &e->node);\n\t\tkfree(old);\n' }],
    check: 'set-get-del',
    kind: 'double-free',
    shows: /Object already free[\s\S]*\[nlab_kv\]|KFENCE: invalid free/,
  },
  {
    name: 'leak-at-unload',
    mutations: [{ file: KV, find: '\tnlab_kv_free_all();\n\tpr_info("unloaded\\n");', replace: '\tpr_info("unloaded\\n");' }],
    check: 'max-size',
    kind: 'leak',
    shows: /nlab_kv: 1 object of kmalloc-2k.* still allocated after rmmod, allocated at nlab_kv_\w+\+0x[0-9a-f]+\/0x[0-9a-f]+ \[nlab_kv\]/,
  },
  {
    name: 'list-del-twice',
    mutations: [{ file: KV, find: '\t\tlist_del(&e->node);\n\t\tnlab_kv_count--;', replace: '\t\tlist_del(&e->node);\n\t\tlist_del(&e->node);\n\t\tnlab_kv_count--;' }],
    check: 'set-get-del',
    kind: 'list-corruption',
    shows: /list_del corruption/,
  },
];


describe.each(KNOWN_KERNELS.map((k) => kernelForTest(k.selector)))('memory mutants of lesson 6 on $title', (t) => {
  const kernel = t.kernel!;
  it.each(MUTANTS.map((m) => [m.name, m] as const))('%s', async (_, m) => {
    const lesson = mutantLesson('lesson-6', `memory-${m.name}`, m.mutations);
    const r = await gradeLesson({ lesson, target: 'starter', kernel, only: m.check, style: false });
    const c = r.checks.find((x) => x.id === m.check)!;
    const detail = JSON.stringify({ status: c.status, message: c.message, health: r.health.map((h) => `${h.check}: ${h.kind}: ${h.excerpt.split('\n').slice(0, 6).join(' | ')}`) }, null, 1);
    expect(c.status, detail).toBe('fail');
    const own = r.health.find((h) => h.kind === m.kind);
    expect(own, detail).toBeDefined();
    expect(own!.check, detail).toBe(m.check);
    expect(own!.excerpt, detail).toMatch(m.shows);
    expect(schemaErrors(r)).toEqual([]);
    expect(liveCount()).toBe(0);
  }, 180_000);
});
