// Boot parameters that make a stock distro kernel check memory the way a learner's bugs
// need: SLUB debugging on the kmalloc caches, page poisoning, KFENCE sampling. Each is
// asked for only when the kernel's own config says it is built in (probed, never assumed).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Kernel } from './kernels.js';

/** The `CONFIG_*=y` options of a kernel, from the `config-<release>` file beside its image. */
export function kernelConfig(kernel: Pick<Kernel, 'image' | 'release'>): Set<string> | undefined {
  const candidates = [join(dirname(kernel.image), `config-${kernel.release}`), `/boot/config-${kernel.release}`];
  const file = candidates.find((f) => existsSync(f));
  if (!file) return undefined;
  const on = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(CONFIG_\w+)=y$/.exec(line);
    if (m) on.add(m[1]!);
  }
  return on;
}

/**
 * - `slub_debug=FZPU,kmalloc-*`: sanity checks (F: double free, bad pointers), red zones
 *   (Z: overflows), poison (P: writes after free), alloc/free owners (U: who allocated,
 *   and the leak scan). Only the kmalloc caches, where a module's kmalloc() lands: the
 *   kernel's own dedicated caches stay fast.
 *   `stack_depot_disable=1` keeps U cheap (see below).
 * - `page_poison=1` (only with NETLINK_LAB_PAGE_POISON=1): pages freed to the buddy
 *   allocator are poisoned and checked when handed out again (kmalloc above 8 KiB, alloc_pages()).
 * - `kfence.sample_interval=100`: KFENCE (6.12) guards one allocation every 100 ms with
 *   a page of its own, which also catches reads after free and out-of-bounds reads, by
 *   chance rather than every time.
 */
export function memoryCheckParams(config: ReadonlySet<string> | undefined): string[] {
  if (!config || process.env.NETLINK_LAB_MEMCHECK === '0') return [];
  const params: string[] = [];
  // Without stack depot, U keeps each object's caller but not its whole stack: SLUB's reports
  // still name the module's function, and the leak scan after every check lists ~800 call
  // sites in ~0.1 s instead of ~2 500 stacks in 0.4-1.4 s (6.1 and 6.12 under TCG).
  if (config.has('CONFIG_SLUB_DEBUG')) params.push('slub_debug=FZPU,kmalloc-*', 'stack_depot_disable=1');
  // Off unless asked for: it poisons and checks every page node frees and maps again, which
  // cost the first socket lesson's grade ~3 s of CPU (~25%), and a lesson's kmalloc() stays below the 8 KiB
  // where allocations leave the (checked) kmalloc caches for the page allocator.
  if (config.has('CONFIG_PAGE_POISONING') && process.env.NETLINK_LAB_PAGE_POISON === '1') params.push('page_poison=1');
  if (config.has('CONFIG_KFENCE')) params.push('kfence.sample_interval=100');
  return params;
}
