// Builds a mutant of a lesson: a copy whose starter/ is the solution with one fault
// injected, so the grader can be checked against a known broken module or client.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_STATE } from '../../kernel/src/index.js';
import { sideDir } from '../src/lesson/inherit.js';
import { loadLesson, type Lesson } from '../src/lesson/load.js';
import { markerLanguage, toSolutionView } from '../src/lesson/todo-markers.js';

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
  const lesson = loadLesson(lessonId);
  // Inside the repository, so compiled clients still resolve `netlink-lab/client`.
  const dir = join(LAB_STATE, 'mutants', name, lessonId);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The whole solution, files the lesson takes from its base filled in.
  for (const part of ['kernel', 'client'] as const) {
    const side = sideDir(lesson, 'solution', part);
    if (!existsSync(side)) continue;
    cpSync(side, join(dir, 'solution', part), { recursive: true });
    cpSync(side, join(dir, 'starter', part), { recursive: true });
  }
  for (const m of mutations) {
    const path = join(dir, 'starter', m.file);
    const lang = markerLanguage(m.file);
    const text = lang ? toSolutionView(readFileSync(path, 'utf8'), lang, m.file) : readFileSync(path, 'utf8');
    const hits = typeof m.find === 'string' ? text.split(m.find).length - 1 : (text.match(new RegExp(m.find, 'g')) ?? []).length;
    if (hits !== 1) throw new Error(`mutant ${name}: ${String(m.find)} occurs ${hits} times in ${m.file}, not once`);
    writeFileSync(path, text.replace(m.find, m.replace));
  }
  cpSync(join(lesson.dir, 'checks.ts'), join(dir, 'checks.ts'));
  // The copy holds every file itself.
  const { fromBase: _held, ...rest } = lesson;
  return { ...rest, dir };
}
