// Reads a guest's kernel log (console or dmesg text) for signs of a sick kernel.
// The grader's health gate and the VM runner's outcome both come from here.

/**
 * What went wrong in the kernel. The memory kinds come from the checks the lab turns on at
 * boot (kernel/src/memcheck.ts): SLUB's debug reports, KFENCE's, the list debugging of
 * CONFIG_DEBUG_LIST.
 */
export type HealthKind =
  | 'panic'
  | 'oops'
  | 'bug'
  | 'warning'
  | 'lockup'
  | 'hung-task'
  | 'use-after-free'
  | 'out-of-bounds'
  | 'double-free'
  | 'slab-corruption'
  | 'list-corruption';

export interface HealthEvent {
  kind: HealthKind;
  /** The line that gave it away, without the printk timestamp. */
  line: string;
  /** That line and up to `EXCERPT_LINES` after it: the trace a reader needs. */
  excerpt: string;
}

const EXCERPT_LINES = 24;
/** A SLUB report's owner lines ("Allocated in …", "Freed in …" with their stacks) run longer. */
const SLUB_EXCERPT_LINES = 48;

/**
 * SLUB's header, "BUG kmalloc-96 (Tainted: G    B   OE     ): Poison overwritten" (6.1). 6.12
 * heads every damaged object "…: Object corrupt" and names the damage on the line before it:
 * "[Poison overwritten] 0x…-0x… @offset=80. First byte 0x0 instead of 0x6b".
 */
const SLUB = /^BUG [\w.:-]+ \(.*\): /;
const SLUB_DAMAGE = /^\[[\w ]+ overwritten\] 0x/;

// Order matters: the first pattern that matches a line names its kind.
const PATTERNS: readonly [HealthKind, RegExp][] = [
  ['panic', /Kernel panic - not syncing/],
  ['lockup', /BUG: soft lockup|watchdog: BUG: soft lockup|rcu: INFO: rcu_(sched|preempt) (self-)?detected stall/],
  ['hung-task', /INFO: task .* blocked for more than \d+ seconds/],
  // SLUB's own checks (slub_debug): P poison, Z red zones, F freelist checks.
  ['use-after-free', new RegExp(`${SLUB.source}Poison overwritten|^\\[Poison overwritten\\]|BUG: KFENCE: use-after-free`)],
  ['out-of-bounds', new RegExp(`${SLUB.source}(Left |Right |kmalloc )?Redzone overwritten|^\\[(Left |Right |kmalloc )?Redzone overwritten\\]|BUG: KFENCE: (out-of-bounds|memory corruption)`)],
  ['double-free', new RegExp(`${SLUB.source}Object already free|BUG: KFENCE: invalid free`)],
  ['slab-corruption', new RegExp(`${SLUB.source}|${SLUB_DAMAGE.source}|BUG: KFENCE: `)],
  ['list-corruption', /list_(add|del) corruption|list_add double add/],
  ['oops', /^Oops:|\bOops: \d{4}|general protection fault|BUG: (unable to handle (page fault|kernel (NULL pointer dereference|paging request))|kernel NULL pointer dereference)/],
  ['bug', /(^|\s)BUG: |kernel BUG at|refcount_t: |slab-out-of-bounds|use-after-free/],
  ['warning', /(^|\s)WARNING: (CPU: |at )/],
];

/** Most severe first: what a guest's outcome is named after. */
const RANK: readonly HealthKind[] = [
  'panic',
  'lockup',
  'hung-task',
  'oops',
  'use-after-free',
  'out-of-bounds',
  'double-free',
  'list-corruption',
  'slab-corruption',
  'bug',
  'warning',
];

/**
 * SLUB fills freed objects with 0x6b: a fault on, or with a register holding, that pattern
 * dereferenced a pointer read from freed memory.
 */
const SLAB_POISON = /\b(0x)?6b6b6b6b6b6b6b6b\b/i;

const SLUB_WARNING = /WARNING: CPU: \d+ PID: \d+ at mm\/slub\.c:\d+ (object_err|slab_err)\+/;

const TIMESTAMP = /^\s*\[\s*\d+\.\d+\]\s?/;

function clean(line: string): string {
  return line.replace(/\r$/, '').replace(TIMESTAMP, '');
}

function kindOf(line: string, excerpt: string): HealthKind | undefined {
  const hit = PATTERNS.find(([, re]) => re.test(line));
  if (!hit) return undefined;
  if (hit[0] === 'oops' && SLAB_POISON.test(excerpt)) return 'use-after-free';
  // 6.12 adds a WARNING to each SLUB report, and disables the damaged slab after it: both
  // part of the report, not events of their own.
  if (hit[0] === 'warning' && SLUB_WARNING.test(line)) return undefined;
  if (hit[0] === 'slab-corruption' && /: Slab disabled since SLUB metadata consistency check failed/.test(line)) return undefined;
  return hit[0];
}

/**
 * Every health event in `log`. Lines that belong to an event already reported
 * (the oops trace that leads to a panic) still count, so a panic after an oops
 * yields both, in the order they happened.
 */
export function scanKernelLog(log: string): HealthEvent[] {
  const lines = log.split('\n').map(clean);
  const events: HealthEvent[] = [];
  lines.forEach((line, i) => {
    const long = SLUB.test(line) || SLUB_DAMAGE.test(line) ? SLUB_EXCERPT_LINES : EXCERPT_LINES;
    const excerpt = lines.slice(i, i + long).join('\n');
    const kind = kindOf(line, lines.slice(i, i + EXCERPT_LINES).join('\n'));
    if (kind) events.push({ kind, line, excerpt });
  });
  return events;
}

/** The most severe event, if any: a panic outranks an oops, which outranks a warning. */
export function worstEvent(events: readonly HealthEvent[]): HealthEvent | undefined {
  const rank = (k: HealthKind): number => RANK.indexOf(k);
  return [...events].sort((a, b) => rank(a.kind) - rank(b.kind))[0];
}
