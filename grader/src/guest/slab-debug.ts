// The health gate's memory checks, with what slub_debug (kernel/src/memcheck.ts) makes the
// kernel keep: validating the kmalloc caches, so a write to freed memory or past a red
// zone is reported now rather than at some later allocation, and the leak scan after
// rmmod, from SLUB's owner tracking (and KFENCE's, for the few objects it samples).

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { ModuleImage } from './module-image.js';

const SLAB = '/sys/kernel/slab';
const DEBUGFS = '/sys/kernel/debug';

let caches: string[] | undefined;

/** The caches slub_debug checks: kmalloc caches with sanity checks on (none without slub_debug). */
export function debugCaches(): string[] {
  if (caches) return caches;
  caches = [];
  let names: string[] = [];
  try {
    names = readdirSync(SLAB);
  } catch {
    return caches;
  }
  for (const name of names.filter((n) => n.includes('kmalloc-'))) {
    try {
      if (readFileSync(`${SLAB}/${name}/sanity_checks`, 'utf8').trim() === '1') caches.push(name);
    } catch {
      // a merged alias or a cache without the attribute is not checked
    }
  }
  return caches;
}

/** Checks every object of every debug cache; SLUB prints what it finds to the kernel log. */
export function validateCaches(): void {
  for (const name of debugCaches()) {
    try {
      writeFileSync(`${SLAB}/${name}/validate`, '1');
    } catch {
      // a cache that cannot validate has nothing to say
    }
  }
}

/** debugfs holds the owner lists; the guest's /init does not mount it. */
function debugfs(): boolean {
  if (existsSync(`${DEBUGFS}/slab`) || existsSync(`${DEBUGFS}/kfence`)) return true;
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  spawnSync(busybox ?? 'mount', [...(busybox ? ['mount'] : []), '-t', 'debugfs', 'debugfs', DEBUGFS], { stdio: 'ignore' });
  return existsSync(`${DEBUGFS}/slab`) || existsSync(`${DEBUGFS}/kfence`);
}

/** Live objects allocated at one call site. */
export interface LiveSite {
  cache: string;
  count: number;
  /** The call site as the kernel printed it: `sym+off/size [mod]`, or a raw `0x…` once the module is gone. */
  site: string;
  /** The allocation's stack, as printed (innermost first). */
  stack: string[];
}

/** Parses a `<debugfs>/slab/<cache>/alloc_traces` listing. */
export function parseAllocTraces(cache: string, text: string): LiveSite[] {
  const sites: LiveSite[] = [];
  for (const line of text.split('\n')) {
    const head = /^\s*(\d+) (\S+)/.exec(line);
    if (head && !line.startsWith('        ')) {
      sites.push({ cache, count: Number(head[1]), site: head[2]!, stack: [] });
    } else if (line.trim() && sites.length) {
      sites[sites.length - 1]!.stack.push(line.trim());
    }
  }
  return sites;
}

/**
 * Live objects in an `alloc_traces` listing whose call site lies in loaded module `module`:
 * the kernel names such a site `fn+off/size [module]`.
 */
export function countModuleObjects(text: string, module: string): number {
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+) \S+ \[([^\]]+)\]/.exec(line);
    if (m && !line.startsWith('        ') && m[2] === module) n += Number(m[1]);
  }
  return n;
}

/**
 * Objects allocated in a loaded module's own code and still live, over every debug cache and
 * KFENCE's pool; undefined where the kernel keeps no owner records (no slub_debug=U, no debugfs).
 * KFENCE (6.12) takes a sampled allocation out of the slab caches, so a count without its
 * objects would come up one short now and then.
 */
export function liveObjectsOf(module: string): number | undefined {
  if (!debugfs() || !debugCaches().length) return undefined;
  let n = 0;
  let read = false;
  for (const cache of debugCaches()) {
    try {
      n += countModuleObjects(readFileSync(`${DEBUGFS}/slab/${cache}/alloc_traces`, 'utf8'), module);
      read = true;
    } catch {
      // no owner tracking for this cache
    }
  }
  return read ? n + kfenceObjectsOf(module) : undefined;
}

/** Live objects in a `kfence/objects` listing whose site (the allocator's caller) lies in loaded module `module`. */
export function countKfenceObjects(text: string, module: string): number {
  return parseKfenceObjects(text).filter((s) => s.site.endsWith(` [${module}]`)).length;
}

function kfenceObjectsOf(module: string): number {
  try {
    return countKfenceObjects(readFileSync(`${DEBUGFS}/kfence/objects`, 'utf8'), module);
  } catch {
    return 0; // no KFENCE in this kernel
  }
}

/** Parses `<debugfs>/kfence/objects`: the objects still allocated, each a site of its own. */
export function parseKfenceObjects(text: string): LiveSite[] {
  const sites: LiveSite[] = [];
  for (const entry of text.split(/^(?=kfence-#)/m)) {
    const head = /^kfence-#\d+: .*cache=(\S+)/.exec(entry);
    if (!head || /freed by task/.test(entry)) continue;
    const frames = entry.split('\n').slice(1).map((l) => l.trim()).filter((l) => l && !/^allocated by task|^-+$/.test(l));
    if (frames.length) sites.push({ cache: `${head[1]} (KFENCE)`, count: 1, site: frames[0]!, stack: frames.slice(1) });
  }
  return sites;
}

/** Every live allocation site in the debug caches (and KFENCE's pool). */
export function liveSites(): LiveSite[] {
  if (!debugfs()) return [];
  const sites: LiveSite[] = [];
  for (const cache of debugCaches()) {
    try {
      sites.push(...parseAllocTraces(cache, readFileSync(`${DEBUGFS}/slab/${cache}/alloc_traces`, 'utf8')));
    } catch {
      // no owner tracking for this cache (slub_debug without U)
    }
  }
  try {
    sites.push(...parseKfenceObjects(readFileSync(`${DEBUGFS}/kfence/objects`, 'utf8')));
  } catch {
    // no KFENCE in this kernel
  }
  return sites;
}

const RAW = /^0x([0-9a-f]+)$/i;
const RAW_FRAME = /^(0x[0-9a-f]+)/i;

export interface Leak {
  module: string;
  cache: string;
  count: number;
  /** Where it was allocated, symbolized from the unloaded module's image. */
  site: string;
  stack: string[];
}

/**
 * Sites whose caller lies in an unloaded module: the kernel can no longer name them (the
 * address is raw), but the module's image, taken before rmmod, can. `seen` holds counts
 * already reported, so one leak is reported once however many later scans still find it.
 */
export function leaksOf(sites: readonly LiveSite[], images: readonly ModuleImage[], seen: Map<string, number>): Leak[] {
  const leaks: Leak[] = [];
  for (const s of sites) {
    const raw = RAW.exec(s.site);
    if (!raw) continue;
    const addr = BigInt(`0x${raw[1]}`);
    for (const image of images) {
      const where = image.symbolize(addr);
      if (!where) continue;
      const key = `${s.cache} ${s.site}`;
      const before = seen.get(key) ?? 0;
      seen.set(key, Math.max(before, s.count));
      if (s.count <= before) break;
      const stack = s.stack.map((f) => {
        const m = RAW_FRAME.exec(f);
        return (m && image.symbolize(BigInt(m[1]!))) || f;
      });
      leaks.push({ module: image.name, cache: s.cache, count: s.count - before, site: where, stack });
      break;
    }
  }
  return leaks;
}

/**
 * Objects handed to kfree_rcu() wait in batches that a grace period later frees; a correct
 * module's objects may still be there just after rmmod. Dropping the slab caches makes the
 * kfree_rcu shrinker drain its batches; then a short wait for the grace period.
 */
export async function drainDeferredFrees(waitMs = 500): Promise<void> {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '2');
  } catch {
    // without it, only the wait
  }
  await new Promise((r) => setTimeout(r, waitMs));
}

/**
 * The leaks of `images` now. A first finding is confirmed after drainDeferredFrees(), so an
 * object still on its way out through kfree_rcu() is not blamed.
 */
export async function findLeaks(images: readonly ModuleImage[], seen: Map<string, number>): Promise<Leak[]> {
  if (!images.length) return [];
  if (!leaksOf(liveSites(), images, new Map(seen)).length) return [];
  await drainDeferredFrees();
  return leaksOf(liveSites(), images, seen);
}

/** A leak as a report excerpt: what, how many, where allocated, and the stack. */
export function leakExcerpt(l: Leak): string {
  const what = l.count === 1 ? 'object' : 'objects';
  return [`${l.module}: ${l.count} ${what} of ${l.cache} still allocated after rmmod, allocated at ${l.site}`, ...l.stack.slice(0, 12).map((f) => `  ${f}`)].join('\n');
}
