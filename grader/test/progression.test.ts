// Lessons as a progression (host only): every lesson's solution changes its base lesson's finished
// code exactly as its CHANGES.md declares, and a divergence planted in a copy is named at its line,
// in the lesson where it was made and in the next one that did not carry it over.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kernel/src/index.js';
import { changeKey, diffLines } from '../src/lesson/line-diff.js';
import { LESSONS_DIR, loadAllLessons, loadLessonFrom } from '../src/lesson/load.js';
import { formatProblem } from '../src/lesson/problems.js';
import { solutionFiles } from '../src/lesson/inherit.js';
import { baseProblems, comparedLines, writeChanges } from '../src/lesson/progression.js';

const show = (root: string) => (p: string): string => p.slice(root.length + 1);

/** The progression problems of lesson `id` under `lessonsDir`, as file:line: message. */
function problems(lessonsDir: string, id: string, root: string): string[] {
  const lesson = loadLessonFrom(lessonsDir, id);
  return baseProblems(lesson, lessonsDir, readFileSync(join(lesson.dir, 'lesson.json'), 'utf8'), show(root)).map(formatProblem);
}

describe('the line diff', () => {
  it('finds the runs of changed lines, and nothing in equal texts', () => {
    const a = ['a', 'b', 'c', 'd', 'e'];
    expect(diffLines(a, a)).toEqual([]);
    const changes = diffLines(a, ['a', 'B', 'c', 'e', 'f']);
    expect(changes.map(changeKey)).toEqual(['-b\n+B', '-d', '+f']);
    expect(changes.map((c) => [c.oldStart, c.newStart])).toEqual([[1, 1], [3, 3], [5, 4]]);
  });

  it('compares a TODO block as one line with its number, whatever its text', () => {
    const c = ['int x;', '\t/* TODO 2: Do it. */', '\tx = 1;', '\t/* STARTER: x = 0; */', '\t/* END TODO */', 'int y;'].join('\n');
    expect(comparedLines(c, 'kernel/m.c')).toEqual({ lines: ['int x;', '\t«TODO 2»', 'int y;'], at: [1, 2, 6] });
  });
});

describe('the repository', () => {
  it('every lesson but the first has a base, and changes it exactly as its CHANGES.md says', () => {
    const started = performance.now();
    const lessons = loadAllLessons();
    expect(lessons.filter((l) => !l.base).map((l) => l.id)).toEqual([lessons[0]!.id]);
    expect(lessons.flatMap((l) => problems(LESSONS_DIR, l.id, REPO_ROOT))).toEqual([]);
    // Measured: about 0.5 s for twelve lessons on a busy 2-core machine.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('files a lesson takes from its base', () => {
  it('no lesson holds a copy of a base\'s file that its learner does not edit (starter equal to solution)', () => {
    const held = loadAllLessons().flatMap((l) => problems(LESSONS_DIR, l.id, REPO_ROOT).filter((m) => m.includes('the learner does not edit this file')));
    expect(held).toEqual([]);
    // …and the lint says so about one: lesson 12's kernel file put back as a copy.
    const root = mkdtempSync(join(tmpdir(), 'nlab-progression-'));
    cpSync(LESSONS_DIR, join(root, 'lessons'), { recursive: true });
    const l12 = loadLessonFrom(join(root, 'lessons'), 'lesson-12');
    const text = solutionFiles(l12).get('kernel/nlab_kv.c')!.text;
    // Every file of lesson 12's kernel folder comes from its base: a fresh clone has no folder.
    mkdirSync(join(l12.dir, 'solution/kernel'), { recursive: true });
    writeFileSync(join(l12.dir, 'solution/kernel/nlab_kv.c'), text);
    writeFileSync(join(l12.dir, 'lesson.json'), readFileSync(join(l12.dir, 'lesson.json'), 'utf8').replace(', "kernel/nlab_kv.c"]', ']'));
    expect(problems(join(root, 'lessons'), 'lesson-12', root).filter((m) => m.includes('the learner does not edit'))).toEqual([
      'lessons/lesson-12/solution/kernel/nlab_kv.c:1: the learner does not edit this file in lesson-12, and lesson-11 has it: list it in "fromBase" (its changes stay in CHANGES.md) instead of holding a copy',
    ]);
  });

  it('are the base\'s finished code with the lesson\'s hunks applied, and a hunk that no longer applies is named at its line', () => {
    const root = mkdtempSync(join(tmpdir(), 'nlab-progression-'));
    cpSync(LESSONS_DIR, join(root, 'lessons'), { recursive: true });
    const lessons = join(root, 'lessons');
    const kv = (id: string): string => solutionFiles(loadLessonFrom(lessons, id)).get('kernel/nlab_kv.c')!.text;
    expect(kv('lesson-12')).toMatch(/Netlink Lab, lesson 12:/);
    expect(kv('lesson-12')).toContain('.flags\t= GENL_ADMIN_PERM,');
    expect(kv('lesson-12')).not.toMatch(/TODO \d+:/);
    // Lesson 11 rewords a line that one of lesson 12's hunks removes: that hunk no longer applies.
    const l11 = join(lessons, 'lesson-11/solution/kernel/nlab_kv.c');
    writeFileSync(l11, readFileSync(l11, 'utf8').replace('#define NLAB_F_EXCL\t0x1', '#define NLAB_F_EXCL\t0x01'));
    const changes = readFileSync(join(lessons, 'lesson-12/CHANGES.md'), 'utf8').split('\n');
    const fence = changes.findIndex((l, i) => l === '-#define NLAB_F_EXCL\t0x1' && changes.slice(0, i).some((x) => x === '## `kernel/nlab_kv.c`'));
    const hunkLine = changes.slice(0, fence).lastIndexOf('```diff') + 1;
    expect(problems(lessons, 'lesson-12', root)).toEqual([expect.stringMatching(new RegExp(`^lessons/lesson-12/CHANGES\\.md:${hunkLine}: this hunk no longer applies to the base's code`))]);
  });
});

describe('a divergence planted in a copy of the lessons', () => {
  const FILE = 'solution/kernel/nlab_kv.c';
  /** A copy of every lesson (lesson 10 takes files from its bases all the way down); returns its root. */
  const copy = (): string => {
    const root = mkdtempSync(join(tmpdir(), 'nlab-progression-'));
    cpSync(LESSONS_DIR, join(root, 'lessons'), { recursive: true });
    return root;
  };
  /** Rewrites the store lookup's comparison (outside any TODO block) in lesson `id`; returns its 1-based line. */
  const plant = (root: string, id: string): number => {
    const path = join(root, 'lessons', id, FILE);
    const lines = readFileSync(path, 'utf8').split('\n');
    const i = lines.indexOf('\t\tif (!strcmp(e->key, key))');
    expect(comparedLines(lines.join('\n'), FILE).at).toContain(i + 1);
    lines[i] = '\t\tif (strcmp(e->key, key) == 0) /* planted */';
    writeFileSync(path, lines.join('\n'));
    return i + 1;
  };

  it('fails in lesson 9 at the planted line and in lesson 10, which did not carry it over; passes once reverted', () => {
    const root = copy();
    const lessons = join(root, 'lessons');
    const original = readFileSync(join(lessons, 'lesson-9', FILE), 'utf8');
    expect(problems(lessons, 'lesson-9', root)).toEqual([]);
    const line = plant(root, 'lesson-9');
    const nine = problems(lessons, 'lesson-9', root);
    expect(nine).toHaveLength(1);
    expect(nine[0]).toMatch(new RegExp(`^lessons/lesson-9/${FILE}:${line}: replaces 1 line\\(s\\) of lesson-8's with 1 .*planted.*does not declare`));
    const ten = problems(lessons, 'lesson-10', root);
    expect(ten).toHaveLength(1);
    expect(ten[0]).toMatch(new RegExp(`^lessons/lesson-10/${FILE}:\\d+: replaces 1 line\\(s\\) of lesson-9's with 1 .*does not declare: carry it over from lesson-9`));
    writeFileSync(join(lessons, 'lesson-9', FILE), original);
    expect([...problems(lessons, 'lesson-9', root), ...problems(lessons, 'lesson-10', root)]).toEqual([]);
  });

  it('passes once the change is declared in lesson 9 (sync) and carried into lesson 10', () => {
    const root = copy();
    const lessons = join(root, 'lessons');
    plant(root, 'lesson-9');
    plant(root, 'lesson-10');
    expect(problems(lessons, 'lesson-10', root)).toEqual([]);
    const [l8, l9] = [loadLessonFrom(lessons, 'lesson-8'), loadLessonFrom(lessons, 'lesson-9')];
    expect(writeChanges(l9, l8)).toEqual(['CHANGES.md']);
    expect(readFileSync(join(l9.dir, 'CHANGES.md'), 'utf8')).toContain('+\t\tif (strcmp(e->key, key) == 0) /* planted */');
    expect(problems(lessons, 'lesson-9', root)).toEqual([]);
    expect(writeChanges(l9, l8)).toEqual([]);
    // The same line planted in lesson 8 too: lesson 9 now declares a change its code no longer makes.
    plant(root, 'lesson-8');
    const nine = problems(lessons, 'lesson-9', root);
    expect(nine.some((m) => /^lessons\/lesson-9\/CHANGES\.md:\d+: declares a change to kernel\/nlab_kv\.c that the code no longer makes/.test(m))).toBe(true);
  });
});

describe('a file renamed from its base\'s (lesson.json "renamed")', () => {
  const copy = (): string => {
    const root = mkdtempSync(join(tmpdir(), 'nlab-progression-'));
    cpSync(LESSONS_DIR, join(root, 'lessons'), { recursive: true });
    return root;
  };
  const NOW = 'solution/kernel/nlab_reply.c';

  it('is compared with the old file: CHANGES.md shows the rename and its diff, and a divergence is named at its line', () => {
    const root = copy();
    const lessons = join(root, 'lessons');
    const l3 = loadLessonFrom(lessons, 'lesson-3');
    expect(l3.renamed).toEqual({ 'kernel/nlab_reply.c': 'kernel/nlab_unit.c' });
    const changes = readFileSync(join(l3.dir, 'CHANGES.md'), 'utf8');
    expect(changes).toContain('## `kernel/nlab_reply.c` (renamed from `kernel/nlab_unit.c`)');
    expect(changes).toContain('-static int __init nlab_unit_init(void)\n+static int __init nlab_reply_init(void)');
    // A line lesson 3 keeps from lesson 2's nlab_unit.c, changed in lesson 3 only.
    const path = join(l3.dir, NOW);
    const lines = readFileSync(path, 'utf8').split('\n');
    const i = lines.indexOf('#define NETLINK_NLAB\t31');
    expect(i).toBeGreaterThan(0);
    lines[i] = '#define NETLINK_NLAB\t30';
    writeFileSync(path, lines.join('\n'));
    expect(problems(lessons, 'lesson-3', root)).toEqual([
      expect.stringMatching(new RegExp(`^lessons/lesson-3/${NOW}:${i + 1}: replaces 1 line\\(s\\) of lesson-2's with 1 \\("#define NETLINK_NLAB\\\\t30"\\), a change CHANGES.md does not declare`)),
    ]);
  });

  it('fails when undeclared, at the new file, and when CHANGES.md does not say so', () => {
    const root = copy();
    const lessons = join(root, 'lessons');
    const json = join(lessons, 'lesson-3/lesson.json');
    const declared = readFileSync(json, 'utf8');
    writeFileSync(json, declared.replace(/\n\s*"renamed": \{[^}]*\},/, ''));
    expect(problems(lessons, 'lesson-3', root)).toContain(
      `lessons/lesson-3/${NOW}:1: is new in lesson-3, and lesson-2's kernel/nlab_unit.c is gone: a rename, not a new file. Declare it in lesson.json ("renamed": { "kernel/nlab_reply.c": "kernel/nlab_unit.c" }) so it is compared with kernel/nlab_unit.c, then run \`npm run lessons -- sync\``,
    );
    // Declared in lesson.json, but CHANGES.md's heading does not say so.
    writeFileSync(json, declared);
    const changes = join(lessons, 'lesson-3/CHANGES.md');
    const text = readFileSync(changes, 'utf8');
    writeFileSync(changes, text.replace(' (renamed from `kernel/nlab_unit.c`)', ''));
    const heading = text.split('\n').indexOf('## `kernel/nlab_reply.c` (renamed from `kernel/nlab_unit.c`)') + 1;
    expect(problems(lessons, 'lesson-3', root)).toEqual([`lessons/lesson-3/CHANGES.md:${heading}: kernel/nlab_reply.c is lesson-2's kernel/nlab_unit.c renamed (lesson.json "renamed"): its heading must say "(renamed from \`kernel/nlab_unit.c\`)"; \`npm run lessons -- sync\` records it`]);
    // …and sync writes it back.
    const [l2, l3] = [loadLessonFrom(lessons, 'lesson-2'), loadLessonFrom(lessons, 'lesson-3')];
    expect(writeChanges(l3, l2)).toEqual(['CHANGES.md']);
    expect(readFileSync(changes, 'utf8')).toBe(text);
    expect(problems(lessons, 'lesson-3', root)).toEqual([]);
  });

  it('must name files that are there', () => {
    const root = copy();
    const lessons = join(root, 'lessons');
    const json = join(lessons, 'lesson-3/lesson.json');
    const text = readFileSync(json, 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('"renamed"')) + 1;
    writeFileSync(json, text.replace('"kernel/nlab_unit.c" }', '"kernel/nlab_gone.c" }'));
    expect(problems(lessons, 'lesson-3', root)).toContain(`lessons/lesson-3/lesson.json:${line}: "renamed" says kernel/nlab_reply.c was lesson-2's kernel/nlab_gone.c, which lesson-2's solution does not have`);
  });
});
