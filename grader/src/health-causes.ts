// One kernel crash, one report: the same Oops seen by several checks (or twice in one
// console: "BUG: … NULL pointer dereference" then "Oops: 0002") is reported at the first
// check it hit; later ones point back at it. Pure, so it is tested without a guest.

import type { ReportHealthKind } from './guest/protocol.js';

export interface HealthEntry {
  kind: ReportHealthKind;
  excerpt: string;
}

const ARTICLE: Record<ReportHealthKind, string> = {
  panic: 'a kernel panic',
  oops: 'an Oops',
  bug: 'a BUG',
  warning: 'a WARNING',
  hang: 'a hang',
  'use-after-free': 'a use after free',
  'out-of-bounds': 'an out-of-bounds write',
  'double-free': 'a double free',
  'slab-corruption': 'slab corruption',
  'list-corruption': 'list corruption',
  leak: 'a memory leak',
};

/** What a memory error means for the learner's code, one line under its excerpt. */
const MEANING: Partial<Record<ReportHealthKind, string>> = {
  'use-after-free': 'memory was used after kfree(): see what the function in "Freed in" (or the trace) does with the object afterwards',
  'out-of-bounds': 'a write went past the end of an allocation: compare the size given to kmalloc() with what is written',
  'double-free': 'an object was freed twice: follow every path that reaches kfree() for it',
  'slab-corruption': "the slab allocator's own bookkeeping was damaged, usually by a write past an object or after its kfree()",
  'list-corruption': 'a list entry was removed twice or used after it was freed (list_del() poisons the entry it removes)',
  leak: 'the module allocated this and never freed it: the exit function must free everything still stored',
};

/** One line on what a memory error means, or undefined for the kernel's other events. */
export function healthMeaning(kind: ReportHealthKind): string | undefined {
  return MEANING[kind];
}

/** "an Oops", "a BUG", … for messages. */
export function healthPhrase(kind: ReportHealthKind): string {
  return ARTICLE[kind];
}

/**
 * What makes two reports the same crash: the first line and the faulting function, with
 * addresses, offsets, pids and times taken out (they differ from boot to boot).
 */
export function healthSignature(excerpt: string): string {
  const lines = excerpt.split('\n');
  const rip = lines.find((l) => /\bRIP: [0-9a-f]{4}:/.test(l));
  const where = rip ? /\bRIP: [0-9a-f]{4}:([\w.]+)(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(.*)$/.exec(rip) : undefined;
  // SLUB's reports have no RIP: the function that allocated the object stands in for it.
  const owner = rip ? undefined : lines.map((l) => /^(?:Allocated in|Freed in|.*allocated at) ([\w.]+)/.exec(l)?.[1]).find(Boolean);
  // The taint flags change once the first report has tainted the kernel.
  const norm = (s: string) => s.replace(/\((Tainted: [^)]*|Not tainted)\)/, '').replace(/0x[0-9a-f]+|\b[0-9a-f]{8,}\b|\d+/gi, '#').replace(/\s+/g, ' ').trim();
  return `${norm(lines[0] ?? '')}|${where ? `${where[1]}${where[2]?.trim() ? ` ${where[2].trim()}` : ''}` : (owner ?? '')}`;
}

/**
 * Drops entries that repeat one before them in the same list: the "Oops:" line of a report
 * whose "BUG:" line came first (it lies inside that entry's excerpt), or the same crash again.
 * A panic is kept: it says what became of the guest.
 */
export function distinctHealth<T extends HealthEntry>(entries: readonly T[]): T[] {
  const kept: T[] = [];
  for (const e of entries) {
    const first = e.excerpt.split('\n')[0] ?? '';
    const repeats = kept.some((k) => e.kind !== 'panic' && (k.excerpt.includes(first) || healthSignature(k.excerpt) === healthSignature(e.excerpt)));
    if (!repeats) kept.push(e);
  }
  return kept;
}

export interface SeenCause {
  check: string;
  kind: ReportHealthKind;
}

/**
 * Remembers each crash by signature across a grade's checks, in the order they ran.
 * `note` returns the earlier check that already reported the same crash, if any.
 */
export function causeTracker(): { note(check: string, e: HealthEntry): SeenCause | undefined } {
  const seen = new Map<string, SeenCause>();
  return {
    note(check, e) {
      const sig = healthSignature(e.excerpt);
      const before = seen.get(sig);
      if (before && before.check !== check) return before;
      if (!before) seen.set(sig, { check, kind: e.kind });
      return undefined;
    },
  };
}
