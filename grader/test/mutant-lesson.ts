// Builds a variant of a lesson: a copy whose starter/ is the solution with one fault injected
// (a mutant), or written another correct way (an alternative), for the grader to be checked
// against. The lessons' own variants are diffs in their MUTANTS.md and ALTERNATIVES.md.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_STATE } from '../../kernel/src/index.js';
import { sideDir } from '../src/lesson/inherit.js';
import { loadAllLessons, loadLesson, type Lesson } from '../src/lesson/load.js';
import { formatProblem } from '../src/lesson/problems.js';
import { markerLanguage, toSolutionView } from '../src/lesson/todo-markers.js';
import { readVariants, variantFiles, type Variant, type VariantKind } from '../src/lesson/variants.js';

export interface Mutation {
  /** File under solution/, e.g. kernel/nlab_echo.c. */
  file: string;
  /** Text to replace (must occur exactly once in the marker-free solution) … */
  find: string | RegExp;
  /** … and what replaces it. */
  replace: string;
}

/** A copy of `lessonId` under .lab/mutants/<name> whose starter is the mutated solution. */
export function mutantLesson(lessonId: string, name: string, mutations: readonly Mutation[]): Lesson {
  return lessonCopy(loadLesson(lessonId), name, (starter) => {
    for (const m of mutations) {
      const path = join(starter, m.file);
      const lang = markerLanguage(m.file);
      const text = lang ? toSolutionView(readFileSync(path, 'utf8'), lang, m.file) : readFileSync(path, 'utf8');
      const hits = typeof m.find === 'string' ? text.split(m.find).length - 1 : (text.match(new RegExp(m.find, 'g')) ?? []).length;
      if (hits !== 1) throw new Error(`mutant ${name}: ${String(m.find)} occurs ${hits} times in ${m.file}, not once`);
      writeFileSync(path, text.replace(m.find, m.replace));
    }
  });
}

/** A copy of the variant's lesson whose starter is the solution with the variant's diffs applied. */
export function variantLesson(v: Variant): Lesson {
  const lesson = loadLesson(v.lesson);
  const files = variantFiles(lesson, v);
  return lessonCopy(lesson, v.name, (starter) => {
    for (const [rel, text] of files) writeFileSync(join(starter, rel), text);
  });
}

/** Every mutant or alternative the lessons hold (MUTANTS.md, ALTERNATIVES.md), in lesson order. */
export function allVariants(kind: VariantKind): Variant[] {
  return loadAllLessons().flatMap((l) => {
    const { variants, problems } = readVariants(l, kind);
    if (problems.length) throw new Error(problems.map(formatProblem).join('\n'));
    return variants;
  });
}

/** `lesson` copied under .lab/mutants/<name>, its starter the whole solution as `edit` leaves it. */
function lessonCopy(lesson: Lesson, name: string, edit: (starterDir: string) => void): Lesson {
  // Inside the repository, so compiled clients still resolve `netlink-lab/client`.
  const dir = join(LAB_STATE, 'mutants', name, lesson.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The whole solution, files the lesson takes from its base filled in.
  for (const part of ['kernel', 'client'] as const) {
    const side = sideDir(lesson, 'solution', part);
    if (!existsSync(side)) continue;
    cpSync(side, join(dir, 'solution', part), { recursive: true });
    cpSync(side, join(dir, 'starter', part), { recursive: true });
  }
  edit(join(dir, 'starter'));
  cpSync(join(lesson.dir, 'checks.ts'), join(dir, 'checks.ts'));
  // The copy holds every file itself.
  const { fromBase: _held, ...rest } = lesson;
  return { ...rest, dir };
}
