// The engine knows no lesson (#20 §4): grader/src, kernel/src and client/src name no lesson id
// (a lesson's role in the benchmarks comes from its lesson.json "bench"), and every bench role
// belongs to exactly one lesson.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kernel/src/index.js';
import { benchLesson, loadAllLessons } from '../src/lesson/load.js';
import { BENCH_ROLES, LessonFormatError, validateLesson } from '../src/lesson/schema.js';

const ENGINE = ['grader/src', 'kernel/src', 'client/src'];
/** "lesson-3", "lesson 11's", "Lessons 5" and the like: a name of one lesson. */
const NAMES_A_LESSON = /\blessons?[-_ ]?\d+/i;

/** `file:line: text` for every line of `text` that names a lesson. */
function lessonNames(file: string, text: string): string[] {
  return text.split('\n').flatMap((l, i) => (NAMES_A_LESSON.test(l) ? [`${file}:${i + 1}: ${l.trim()}`] : []));
}

describe('the engine knows no lesson', () => {
  it('finds what it looks for (so an empty answer means something)', () => {
    expect(lessonNames('x.ts', "const m = loadLesson('lesson-11');\n// Lesson 5's unit\nok")).toEqual(["x.ts:1: const m = loadLesson('lesson-11');", "x.ts:2: // Lesson 5's unit"]);
    expect(lessonNames('x.ts', "lessonIds(); lesson.id; 'lesson-N'")).toEqual([]);
  });

  it('grader/src, kernel/src and client/src name no lesson id', () => {
    const found: string[] = [];
    let files = 0;
    for (const dir of ENGINE) {
      for (const f of readdirSync(join(REPO_ROOT, dir), { recursive: true }) as string[]) {
        if (!/\.(ts|c|h|json)$/.test(f)) continue;
        files++;
        found.push(...lessonNames(`${dir}/${f}`, readFileSync(join(REPO_ROOT, dir, f), 'utf8')));
      }
    }
    expect(files).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });

  it('gives every bench role to exactly one lesson', () => {
    for (const role of BENCH_ROLES) expect(benchLesson(role).bench, role).toContain(role);
    const claimed = loadAllLessons().flatMap((l) => l.bench ?? []);
    expect([...claimed].sort()).toEqual([...BENCH_ROLES].sort());
  });

  it('refuses a bench role that does not exist', () => {
    const lesson = { id: 'x', title: 'x', part: 1, summary: 'x', module: 'x', netlink: { unit: 31 }, checks: [{ id: 'a', title: 'a', points: 1, side: 'kernel', hint: 'h', todos: [] }] };
    expect(() => validateLesson({ ...lesson, bench: ['grade'] }, 'x.json')).not.toThrow();
    expect(() => validateLesson({ ...lesson, bench: ['fast'] }, 'x.json')).toThrow(LessonFormatError);
    expect(() => validateLesson({ ...lesson, bench: ['grade', 'grade'] }, 'x.json')).toThrow(/distinct roles/);
  });
});
