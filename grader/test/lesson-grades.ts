// rustlings' `dev check`, in real guests: every solution scores full marks on a supported
// kernel, and every starter fails exactly the checks that name one of its TODOs. One test
// file per kernel (lessons-6.1.test.ts, lessons-6.12.test.ts), so the two can run at once.
// All grades of a kernel share one warm guest, as `--watch` does: the grader retires it after
// any health event, panic or hang, so a sick guest never carries over into the next grade.
import { describe, expect, it } from 'vitest';
import { findKernel } from '../../kernel/src/kernels.js';
import { gradeLesson } from '../src/grade.js';
import { loadAllLessons } from '../src/lesson/load.js';
import { schemaErrors } from './report-schema.js';
import { sharedGuest } from './shared-guest.js';

export function gradeEveryLesson(selector: string): void {
  const lessons = loadAllLessons();
  const kernel = findKernel(selector);
  const guest = sharedGuest();
  const { warm } = guest;

  describe(`kernel ${selector}`, () => {
    describe.each(lessons.map((l) => [l.id, l] as const))('%s', (_id, lesson) => {
      it('solution passes every check', async () => {
        const r = await gradeLesson({ lesson, target: 'solution', kernel, warm });
        const failed = r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`);
        expect(failed).toEqual([]);
        expect(r.score).toBe(r.total);
        expect(r.health).toEqual([]);
        expect(schemaErrors(r)).toEqual([]);
        // What a learner copies is what a reviewer's bot would pass: the unscored style section is empty.
        expect(r.style?.findings).toEqual([]);
        expect(r.style?.notRun).toEqual([]);
        guest.expectNoStray();
      }, 600_000);

      it('starter fails exactly the checks its TODOs cover', async () => {
        const r = await gradeLesson({ lesson, target: 'starter', kernel, warm, style: false });
        const expected = lesson.checks.filter((c) => c.todos.length > 0).map((c) => c.id);
        const failed = r.checks.filter((c) => c.status !== 'pass').map((c) => c.id);
        expect(failed).toEqual(expected);
        expect(r.checks.filter((c) => c.status === 'error')).toEqual([]);
        expect(schemaErrors(r)).toEqual([]);
        guest.expectNoStray();
      }, 600_000);
    });

    guest.stopAtEnd();
  });
}
