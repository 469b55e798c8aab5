// Finds lessons on disk and loads their metadata.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../kernel/src/index.js';
import { withCommonChecks } from './common-checks.js';
import { type BenchRole, LessonFormatError, validateLesson, type LessonMeta } from './schema.js';

export const LESSONS_DIR = join(REPO_ROOT, 'lessons');

/** Which copy of a lesson's code is graded. */
export type Target = 'starter' | 'solution';

export interface Lesson extends LessonMeta {
  dir: string;
  /** Where the starter graded as the student's code lives, if not `dir/starter` (grade --student). */
  starterDir?: string;
}

export class LessonNotFound extends Error {
  override name = 'LessonNotFound';
  constructor(readonly wanted: string, readonly known: string[]) {
    super(`there is no lesson "${wanted}"; the lessons are: ${known.join(', ') || '(none)'}`);
  }
}

function lessonNumber(id: string): number {
  return Number(/(\d+)$/.exec(id)?.[1] ?? Number.MAX_SAFE_INTEGER);
}

/** Ids of every lesson folder with a lesson.json, in lesson order. */
export function lessonIds(root = LESSONS_DIR): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'lesson.json')))
    .map((d) => d.name)
    .sort((a, b) => lessonNumber(a) - lessonNumber(b) || a.localeCompare(b));
}

/** Loads one lesson; accepts its id ("lesson-N") or just its number. */
export function loadLesson(wanted: string): Lesson {
  return loadLessonFrom(LESSONS_DIR, wanted);
}

/** The lesson id `wanted` names (the id, or just its number) among the lessons under `root`. */
export function resolveLessonId(root: string, wanted: string): string {
  const ids = lessonIds(root);
  const id = ids.includes(wanted) ? wanted : /^\d+$/.test(wanted) && ids.includes(`lesson-${wanted}`) ? `lesson-${wanted}` : undefined;
  if (!id) throw new LessonNotFound(wanted, ids);
  return id;
}

/** Loads one lesson from another lessons folder than the repository's (tests, scaffolds). */
export function loadLessonFrom(root: string, wanted: string): Lesson {
  const id = resolveLessonId(root, wanted);
  const dir = join(root, id);
  const file = join(dir, 'lesson.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LessonFormatError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const meta = validateLesson(raw, file);
  if (meta.id !== id) throw new LessonFormatError(`${file}: "id" is "${meta.id}" but the folder is ${id}`);
  return { ...meta, checks: withCommonChecks(meta), dir };
}

export function loadAllLessons(root = LESSONS_DIR): Lesson[] {
  return lessonIds(root).map((id) => loadLessonFrom(root, id));
}

/** The one lesson whose lesson.json gives it `role` in `bench` (see BENCH_ROLES). */
export function benchLesson(role: BenchRole, root = LESSONS_DIR): Lesson {
  const found = loadAllLessons(root).filter((l) => l.bench?.includes(role));
  if (found.length === 1) return found[0]!;
  throw new LessonFormatError(
    found.length
      ? `the bench role "${role}" is claimed by ${found.map((l) => l.id).join(' and ')}: give it to one lesson's lesson.json "bench"`
      : `no lesson's lesson.json has "${role}" in its "bench": add it to the lesson whose solution the benchmark should use`,
  );
}
