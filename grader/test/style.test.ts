// The style gate: every lesson's reference module is clean under checkpatch.pl --strict
// (errors, warnings and checks) and under sparse, on both supported kernels' headers.
// The only exceptions are a lesson's styleExceptions (lesson.json: a checkpatch type and why),
// and each must still occur; a failure lists each finding as file:line.
// Host only: builds modules against the installed headers, loads nothing.
import { describe, expect, it } from 'vitest';
import { formatFinding, KNOWN_KERNELS, moduleSources, runCheckpatch, runSparse } from '../../kernel/src/index.js';
import { kernelForTest } from '../../kernel/test/kernel-choice.js';
import { sideDir } from '../src/lesson/inherit.js';
import { loadAllLessons } from '../src/lesson/load.js';

const lessons = loadAllLessons().map((l) => [l.id, sideDir(l, 'solution', 'kernel'), (l.styleExceptions ?? []).map((x) => x.type)] as const);
const kernels = KNOWN_KERNELS.map((k) => kernelForTest(k.selector));

describe.each(lessons)('%s solution module', (_id, dir, allowed) => {
  it('passes checkpatch.pl --strict --no-tree -f', async () => {
    const files = moduleSources(dir);
    expect(files.length).toBeGreaterThan(0);
    const found = await runCheckpatch(files);
    expect(found.filter((f) => !allowed.includes(f.type ?? '')).map(formatFinding)).toEqual([]);
    // An exception whose cause is gone must go too.
    expect(allowed.filter((type) => !found.some((f) => f.type === type))).toEqual([]);
  });

  for (const { kernel, title } of kernels) {
    it.skipIf(!kernel)(`passes sparse on the headers of ${title}`, async () => {
      expect((await runSparse(dir, kernel!)).map(formatFinding)).toEqual([]);
    });
  }
});
