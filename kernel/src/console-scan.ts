// Reads a guest's kernel log (console or dmesg text) for signs of a sick kernel.
// The grader's health gate and the VM runner's outcome both come from here.

/** What went wrong in the kernel, from worst to mildest. */
export type HealthKind = 'panic' | 'oops' | 'bug' | 'warning' | 'lockup' | 'hung-task';

export interface HealthEvent {
  kind: HealthKind;
  /** The line that gave it away, without the printk timestamp. */
  line: string;
  /** That line and up to `EXCERPT_LINES` after it: the trace a reader needs. */
  excerpt: string;
}

const EXCERPT_LINES = 24;

// Order matters: the first pattern that matches a line names its kind.
const PATTERNS: readonly [HealthKind, RegExp][] = [
  ['panic', /Kernel panic - not syncing/],
  ['lockup', /BUG: soft lockup|watchdog: BUG: soft lockup|rcu: INFO: rcu_(sched|preempt) (self-)?detected stall/],
  ['hung-task', /INFO: task .* blocked for more than \d+ seconds/],
  ['oops', /^Oops:|\bOops: \d{4}|general protection fault|BUG: (unable to handle (page fault|kernel (NULL pointer dereference|paging request))|kernel NULL pointer dereference)/],
  ['bug', /(^|\s)BUG: |kernel BUG at|refcount_t: |list_(add|del) corruption|slab-out-of-bounds|use-after-free/],
  ['warning', /(^|\s)WARNING: (CPU: |at )/],
];

const TIMESTAMP = /^\s*\[\s*\d+\.\d+\]\s?/;

function clean(line: string): string {
  return line.replace(/\r$/, '').replace(TIMESTAMP, '');
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
    const hit = PATTERNS.find(([, re]) => re.test(line));
    if (!hit) return;
    events.push({ kind: hit[0], line, excerpt: lines.slice(i, i + EXCERPT_LINES).join('\n') });
  });
  return events;
}

/** The most severe event, if any: a panic outranks an oops, which outranks a warning. */
export function worstEvent(events: readonly HealthEvent[]): HealthEvent | undefined {
  const rank = (k: HealthKind): number => PATTERNS.findIndex(([kind]) => kind === k);
  return [...events].sort((a, b) => rank(a.kind) - rank(b.kind))[0];
}
