// grade --student DIR: a classroom grades a student's checkout with the course's own checks,
// lesson.json and grader. Only the student's lessons/<id>/starter/ is taken, copied into this
// repository's .lab (so its imports of netlink-lab/* resolve here), regular files only: a
// symbolic link could point the grade at the reference solution.

import { existsSync, lstatSync, mkdirSync, readdirSync, copyFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { LAB_STATE, LabError } from '../../kernel/src/index.js';
import type { Lesson } from './lesson/load.js';

export interface StudentCopy {
  lesson: Lesson;
  /** Paths (relative to the student's starter) that were not copied, and why. */
  skipped: string[];
}

function copyRegularFiles(from: string, to: string, skipped: string[], root: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const st = lstatSync(src);
    if (st.isDirectory()) copyRegularFiles(src, join(to, name), skipped, root);
    else if (st.isFile()) copyFileSync(src, join(to, name));
    else skipped.push(`${relative(root, src)} (${st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'})`);
  }
}

/** The lesson with its starter taken from `studentRoot`/lessons/<id>/starter. */
export function takeStudentStarter(lesson: Lesson, studentRoot: string): StudentCopy {
  const root = resolve(studentRoot);
  const from = join(root, 'lessons', lesson.id, 'starter');
  if (!existsSync(from) || !lstatSync(from).isDirectory()) {
    throw new LabError(`${from} does not exist`, `--student takes the root of a student's checkout of this course (the folder that holds lessons/${lesson.id}/starter)`);
  }
  const to = join(LAB_STATE, 'student', lesson.id, 'starter');
  rmSync(to, { recursive: true, force: true });
  const skipped: string[] = [];
  copyRegularFiles(from, to, skipped, from);
  return { lesson: { ...lesson, starterDir: to }, skipped };
}
