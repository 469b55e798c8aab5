// rustlings' `dev check`, in real guests: every solution scores full marks on every supported
// kernel, and every starter fails exactly the checks that name one of its TODOs.
import { describe, expect, it } from 'vitest';
import { findKernel, KNOWN_KERNELS } from '../../kernel/src/kernels.js';
import { gradeLesson } from '../src/grade.js';
import { loadAllLessons } from '../src/lesson/load.js';
import { schemaErrors } from './report-schema.js';

const lessons = loadAllLessons();

describe.each(KNOWN_KERNELS.map((k) => k.selector))('kernel %s', (selector) => {
  const kernel = findKernel(selector);

  describe.each(lessons.map((l) => [l.id, l] as const))('%s', (_id, lesson) => {
    it('solution passes every check', async () => {
      const r = await gradeLesson({ lesson, target: 'solution', kernel });
      const failed = r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`);
      expect(failed).toEqual([]);
      expect(r.score).toBe(r.total);
      expect(r.health).toEqual([]);
      expect(schemaErrors(r)).toEqual([]);
    }, 600_000);

    it('starter fails exactly the checks its TODOs cover', async () => {
      const r = await gradeLesson({ lesson, target: 'starter', kernel });
      const expected = lesson.checks.filter((c) => c.todos.length > 0).map((c) => c.id);
      const failed = r.checks.filter((c) => c.status !== 'pass').map((c) => c.id);
      expect(failed).toEqual(expected);
      expect(r.checks.filter((c) => c.status === 'error')).toEqual([]);
      expect(schemaErrors(r)).toEqual([]);
    }, 600_000);
  });
});
