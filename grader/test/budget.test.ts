import { describe, expect, it } from 'vitest';
import { describeBudget, tightBudgets } from '../src/report/budget.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from '../src/plan.js';

const run = (durationMs: number) => ({ durationMs });
const report = (checks: { id: string; runs: { durationMs: number }[] }[]) => ({ checks }) as never;

describe('tightBudgets', () => {
  it('names the runs above 60% of their check timeout, the greediest first', () => {
    const r = report([
      { id: 'round-trip', runs: [run(17_000), run(23_000)] },
      { id: 'quick', runs: [run(9_000)] },
      { id: 'default-budget', runs: [run(DEFAULT_CHECK_TIMEOUT_MS * 0.7)] },
    ]);
    const tight = tightBudgets(r, [{ id: 'round-trip', timeoutMs: 30_000 }, { id: 'quick', timeoutMs: 15_000 }, { id: 'default-budget' }]);
    expect(tight.map((u) => [u.check, u.durationMs])).toEqual([
      ['round-trip', 23_000],
      ['default-budget', DEFAULT_CHECK_TIMEOUT_MS * 0.7],
    ]);
    expect(describeBudget(tight[0]!)).toBe('round-trip used 23.0 s of 30 s (77%)');
  });

  it('says nothing when every run is well inside its budget, or the check is unknown', () => {
    const r = report([{ id: 'fast', runs: [run(1_000)] }, { id: 'builtin-only', runs: [run(60_000)] }]);
    expect(tightBudgets(r, [{ id: 'fast', timeoutMs: 10_000 }])).toEqual([]);
  });
});
