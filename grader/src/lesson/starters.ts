// Starters are generated from solutions: `npm run lessons -- sync` writes them,
// `lessons -- check` (and a test) fails when a committed starter has drifted,
// `lesson -- reset ID` restores a student's starter to the generated one.
// Files a lesson declares as "generated" (e.g. codecs made from a spec) are not derived by
// markers: the starter's is made by the tool from the starter's input, after the rest of the
// starter is derived, and the solution's must be what the tool makes from the solution's.

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { runGenerator } from './generators.js';
import { solutionFiles } from './inherit.js';
import type { Lesson } from './load.js';
import { LessonFormatError } from './schema.js';
import { markerLanguage, toStarter } from './todo-markers.js';

/** Every file of a lesson's generated starter, by path relative to the lesson folder. */
export function generateStarter(lesson: Lesson): Map<string, string> {
  const files = new Map<string, string>();
  const solution = join(lesson.dir, 'solution');
  const outputs = new Set((lesson.generated ?? []).map((g) => join(g.file)));
  // The lesson's own files and those it takes from its base (finished code, no markers).
  for (const [rel, { text }] of solutionFiles(lesson)) {
    if (outputs.has(join(rel))) continue;
    const path = join(solution, rel);
    const lang = markerLanguage(rel);
    files.set(join('starter', rel), lang ? toStarter(text, lang, relative(lesson.dir, path)) : text);
  }
  // Generated files come from the starter's own inputs, in the order lesson.json lists them.
  generateInto(files, lesson, 'starter', (rel) => files.get(rel));
  return files;
}

/**
 * Adds the lesson's generated files of one copy (`side`) to `files`, in the order lesson.json
 * lists them; `read` gives an input's text by its path relative to the lesson folder (an
 * earlier output counts as an input).
 */
function generateInto(files: Map<string, string>, lesson: Lesson, side: 'solution' | 'starter', read: (rel: string) => string | undefined): void {
  for (const g of lesson.generated ?? []) {
    const rel = join(side, g.from);
    const input = files.get(rel) ?? read(rel);
    if (input === undefined) throw new LessonFormatError(`${join(lesson.dir, 'lesson.json')}: generated ${g.file} is made from ${g.from}, which solution/ does not have`);
    files.set(join(side, g.file), runGenerator(g, input, join(lesson.dir, side)));
  }
}

/** The solution's generated files as their tools make them from the solution's inputs. */
export function generateSolutionFiles(lesson: Lesson): Map<string, string> {
  const files = new Map<string, string>();
  generateInto(files, lesson, 'solution', (rel) => (existsSync(join(lesson.dir, rel)) ? readFileSync(join(lesson.dir, rel), 'utf8') : undefined));
  return files;
}

/** Of `files` (default: the solution's generated files), those missing or different on disk. */
export function solutionDrift(lesson: Lesson, files = generateSolutionFiles(lesson)): string[] {
  return [...files].filter(([f, text]) => {
    const path = join(lesson.dir, f);
    return !existsSync(path) || readFileSync(path, 'utf8') !== text;
  }).map(([f]) => f);
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

/** Rewrites the solution's generated files that drifted; returns their paths. */
export function writeSolutionFiles(lesson: Lesson): string[] {
  const files = generateSolutionFiles(lesson);
  const drift = solutionDrift(lesson, files);
  for (const f of drift) {
    mkdirSync(dirname(join(lesson.dir, f)), { recursive: true });
    writeFileSync(join(lesson.dir, f), files.get(f)!);
  }
  return drift;
}

/**
 * Makes a lesson's starter/ what its solution/ generates: writes the files that differ and
 * removes those it does not make. Returns the paths it changed (relative to the lesson).
 */
export function writeStarter(lesson: Lesson): string[] {
  const files = generateStarter(lesson);
  const have = committedStarter(lesson);
  const changed: string[] = [];
  for (const rel of [...have.keys()].filter((f) => !files.has(f))) {
    rmSync(join(lesson.dir, rel));
    changed.push(rel);
  }
  for (const [rel, text] of files) {
    if (have.get(rel) === text) continue;
    mkdirSync(dirname(join(lesson.dir, rel)), { recursive: true });
    writeFileSync(join(lesson.dir, rel), text);
    changed.push(rel);
  }
  return changed.sort();
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
