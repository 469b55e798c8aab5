import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECK_TIMEOUT_MS, pairingsFor, planJobs, sideAtFault } from '../src/plan.js';
import type { LessonCheck } from '../src/lesson/schema.js';

const check = (id: string, side: LessonCheck['side'], extra: Partial<LessonCheck> = {}): LessonCheck => ({ id, title: id, points: 1, side, hint: 'h', todos: [], ...extra });

describe('cross-matrix', () => {
  it('runs a "both" check in all three pairings for a student', () => {
    expect(pairingsFor(check('x', 'both'), false, true)).toEqual([
      { kernel: 'student', client: 'reference' },
      { kernel: 'reference', client: 'student' },
      { kernel: 'student', client: 'student' },
    ]);
  });

  it('judges one side alone for kernel and client checks, and once for the solution', () => {
    expect(pairingsFor(check('k', 'kernel'), false, true)).toEqual([{ kernel: 'student', client: 'reference' }]);
    expect(pairingsFor(check('c', 'client'), false, true)).toEqual([{ kernel: 'reference', client: 'student' }]);
    expect(pairingsFor(check('b', 'both'), true, true)).toEqual([{ kernel: 'student', client: 'student' }]);
    expect(pairingsFor(check('b', 'both'), false, false)).toEqual([{ kernel: 'student', client: 'reference' }]);
  });

  it('leaves out the pairings an unchanged side repeats', () => {
    const sr = { kernel: 'student', client: 'reference' };
    const rs = { kernel: 'reference', client: 'student' };
    expect(pairingsFor(check('b', 'both'), false, true, { client: true })).toEqual([sr]);
    expect(pairingsFor(check('b', 'both'), false, true, { kernel: true })).toEqual([rs]);
    expect(pairingsFor(check('b', 'both'), false, true, { kernel: true, client: true })).toHaveLength(1);
    // One side's checks are that side's grade, whatever the other side is.
    expect(pairingsFor(check('k', 'kernel'), false, true, { kernel: true })).toEqual([sr]);
    expect(pairingsFor(check('c', 'client'), false, true, { client: true })).toEqual([rs]);
    expect(planJobs([check('a', 'both'), check('b', 'both')], false, true, { client: true }).map((j) => j.index)).toEqual([0, 1]);
  });

  it('leaves builtin checks to the host and numbers the guest jobs in order', () => {
    const jobs = planJobs([check('builds', 'kernel', { builtin: 'kernel-builds' }), check('a', 'both', { timeoutMs: 3000 }), check('b', 'kernel')], false, true);
    expect(jobs.map((j) => [j.index, j.check])).toEqual([[0, 'a'], [1, 'a'], [2, 'a'], [3, 'b']]);
    expect(jobs[0]!.timeoutMs).toBe(3000);
  });

  it('runs a guest builtin in the guest, named on its job, with its own default timeout', () => {
    const jobs = planJobs([check('cp', 'kernel', { builtin: 'checkpatch' }), check('fz', 'kernel', { builtin: 'fuzz' }), check('b', 'kernel')], false, true);
    expect(jobs.map((j) => [j.check, j.builtin])).toEqual([['fz', 'fuzz'], ['b', undefined]]);
    expect(jobs[0]!.timeoutMs).toBeGreaterThan(DEFAULT_CHECK_TIMEOUT_MS);
    expect(jobs[1]!.timeoutMs).toBe(DEFAULT_CHECK_TIMEOUT_MS);
    expect(planJobs([check('fz', 'kernel', { builtin: 'fuzz', timeoutMs: 5000 })], false, true)[0]!.timeoutMs).toBe(5000);
  });

  it('names the side at fault from the pairings that failed', () => {
    const sr = { kernel: 'student', client: 'reference' } as const;
    const rs = { kernel: 'reference', client: 'student' } as const;
    const ss = { kernel: 'student', client: 'student' } as const;
    expect(sideAtFault([sr, ss])).toBe('kernel');
    expect(sideAtFault([rs, ss])).toBe('client');
    expect(sideAtFault([sr, rs, ss])).toBe('both');
    expect(sideAtFault([ss])).toBe('both');
    expect(sideAtFault([])).toBeUndefined();
  });
});
