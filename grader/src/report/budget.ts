// How much of its time budget each run of a check used. A solution that needs most of its
// budget here fails a learner on a slower machine for nothing, so the test suite warns.

import { DEFAULT_CHECK_TIMEOUT_MS } from '../plan.js';
import type { LessonCheck } from '../lesson/schema.js';
import type { GradeReport } from './types.js';

/** The share of the budget above which a run is worth a warning. */
export const BUDGET_WARN_SHARE = 0.6;

export interface BudgetUse {
  check: string;
  durationMs: number;
  timeoutMs: number;
  share: number;
}

/** Runs that used more than `share` of their check's timeout, the greediest first. */
export function tightBudgets(report: Pick<GradeReport, 'checks'>, checks: readonly Pick<LessonCheck, 'id' | 'timeoutMs'>[], share = BUDGET_WARN_SHARE): BudgetUse[] {
  const budget = new Map(checks.map((c) => [c.id, c.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS]));
  const tight: BudgetUse[] = [];
  for (const c of report.checks) {
    const timeoutMs = budget.get(c.id);
    if (timeoutMs === undefined) continue;
    for (const run of c.runs) {
      const used = run.durationMs / timeoutMs;
      if (used > share) tight.push({ check: c.id, durationMs: run.durationMs, timeoutMs, share: used });
    }
  }
  return tight.sort((a, b) => b.share - a.share);
}

/** One line per tight run, e.g. "client-round-trip used 23.0 s of 30 s (77%)". */
export function describeBudget(u: BudgetUse): string {
  return `${u.check} used ${(u.durationMs / 1000).toFixed(1)} s of ${u.timeoutMs / 1000} s (${Math.round(u.share * 100)}%)`;
}
