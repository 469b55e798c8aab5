// Starters are generated from solutions: `npm run lessons -- sync` writes them,
// `lessons -- check` (and a test) fails when a committed starter has drifted,
// `lesson -- reset ID` restores a student's starter to the generated one.

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Lesson } from './load.js';
import { markerLanguage, toStarter } from './todo-markers.js';

/** Every file of a lesson's generated starter, by path relative to the lesson folder. */
export function generateStarter(lesson: Lesson): Map<string, string> {
  const files = new Map<string, string>();
  const solution = join(lesson.dir, 'solution');
  for (const rel of readdirSync(solution, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(solution, rel);
    if (!statSync(path).isFile()) continue;
    const text = readFileSync(path, 'utf8');
    const lang = markerLanguage(rel);
    files.set(join('starter', rel), lang ? toStarter(text, lang, relative(lesson.dir, path)) : text);
  }
  return files;
}

function committedStarter(lesson: Lesson): Map<string, string> {
  const files = new Map<string, string>();
  const dir = join(lesson.dir, 'starter');
  if (!existsSync(dir)) return files;
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, rel);
    if (statSync(path).isFile()) files.set(join('starter', rel), readFileSync(path, 'utf8'));
  }
  return files;
}

/** Files whose committed starter differs from what the solution generates (missing, extra or changed). */
export function starterDrift(lesson: Lesson): string[] {
  const want = generateStarter(lesson);
  const have = committedStarter(lesson);
  const drift = [...want].filter(([f, text]) => have.get(f) !== text).map(([f]) => f);
  return drift.concat([...have.keys()].filter((f) => !want.has(f)));
}

/** Rewrites a lesson's starter/ from its solution/. */
export function writeStarter(lesson: Lesson): number {
  const files = generateStarter(lesson);
  rmSync(join(lesson.dir, 'starter'), { recursive: true, force: true });
  for (const [rel, text] of files) {
    mkdirSync(dirname(join(lesson.dir, rel)), { recursive: true });
    writeFileSync(join(lesson.dir, rel), text);
  }
  return files.size;
}

/** Copies the student's current starter aside (so a reset never loses work), then regenerates it. */
export function resetStarter(lesson: Lesson, backupRoot: string): string | undefined {
  const current = join(lesson.dir, 'starter');
  let backup: string | undefined;
  if (existsSync(current) && starterDrift(lesson).length) {
    backup = join(backupRoot, `${lesson.id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    cpSync(current, backup, { recursive: true });
  }
  writeStarter(lesson);
  return backup;
}
