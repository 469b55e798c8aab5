// A grader that fails idiomatic code is as wrong as one that passes broken code: the lessons'
// correct alternatives (each lesson's ALTERNATIVES.md, at least one per lesson), written differently
// from the reference and graded as a student's starter (the full cross-matrix against the
// reference), must get full marks on both kernels.
import { describe, expect, it } from 'vitest';
import { KNOWN_KERNELS } from '../../kernel/src/index.js';
import { kernelForTest } from '../../kernel/test/kernel-choice.js';
import { gradeLesson } from '../src/grade.js';
import { allVariants, variantLesson } from './mutant-lesson.js';
import { sharedGuest } from './shared-guest.js';

const alternatives = allVariants('alternative');

it('finds the alternatives', () => expect(alternatives.length).toBeGreaterThanOrEqual(16));

describe.each(KNOWN_KERNELS.map((k) => kernelForTest(k.selector)))('correct alternatives on $title', (t) => {
  const kernel = t.kernel!;
  const guest = sharedGuest();
  it.each(alternatives.map((a) => [a.name, a] as const))('%s gets full marks', async (_, a) => {
    const lesson = variantLesson(a);
    const r = await gradeLesson({ lesson, target: 'starter', kernel, style: false, warm: guest.warm });
    const failed = r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`);
    expect(failed, a.why).toEqual([]);
    expect(r.score).toBe(r.total);
    expect(r.health).toEqual([]);
    guest.expectNoStray();
  }, 600_000);

  guest.stopAtEnd();
});
