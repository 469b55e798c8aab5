// What every check and every helper module of the Check API stands on: the evidence a failure
// shows, failing with it, and the module's own log lines. Apart from check-api.ts, which
// re-exports it, so that helpers it re-exports (ynl-checks.ts) need not import check-api.ts
// back (grader/test/seams.test.ts: no import cycle).

import type { CheckContext, ModuleHandle } from './check-api.js';

/** What a failed check shows: what was expected, what happened, and decoded traffic. */
export interface Evidence {
  expected?: unknown;
  actual?: unknown;
  /** Decoded netlink messages (header fields, attributes, errors), never only hex. */
  messages?: unknown[];
  /** Anything else worth showing: a kernel log excerpt, a client's output. */
  notes?: string[];
}

/** Thrown by a check to fail with evidence. Any other exception is a grader-side `error`. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
  constructor(message: string, readonly evidence: Evidence = {}) {
    super(message);
  }
}

/**
 * True for a CheckFailed from any copy of this module (a lesson's checks and the runner may
 * load it from different paths, so `instanceof` is not enough).
 */
export function isCheckFailed(e: unknown): e is CheckFailed {
  return e instanceof Error && e.name === 'CheckFailed' && 'evidence' in e;
}

/** Fails the check unless `cond`; `evidence` is shown to the student. */
export function ensure(cond: unknown, message: string, evidence: Evidence = {}): asserts cond {
  if (!cond) throw new CheckFailed(message, evidence);
}

/**
 * The module's own kernel log lines since the check began (pr_fmt prefixes them with its
 * name), for evidence: one "(the module logged nothing)" line when there are none.
 */
export async function moduleLog(t: CheckContext, module: ModuleHandle = t.module): Promise<string[]> {
  const lines = (await t.kernelLog()).filter((l) => l.startsWith(`${module.name}: `));
  return lines.length ? lines : ['(the module logged nothing)'];
}
