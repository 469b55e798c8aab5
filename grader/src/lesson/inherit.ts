// Files a lesson takes from its base instead of holding a copy: lesson.json's "fromBase" lists
// them (paths inside solution/), and each is the base's finished code (TODO markers removed),
// whether the base holds the file or takes it from its own base in turn, with the hunks the
// lesson's CHANGES.md lists for it applied. The starter gets them (`lessons sync`), and the
// grader builds the solution from a folder where they are filled in.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUILD_DIR } from '../../../kernel/src/index.js';
import { CHANGES_FILE, readChanges, type FileChanges } from './changes-file.js';
import { LessonNotFound, loadLessonFrom, type Lesson, type Target } from './load.js';
import { LessonFormatError } from './schema.js';
import { markerLanguage, toSolutionView } from './todo-markers.js';

/** One file of a lesson's whole solution. */
export interface SolutionFile {
  /** As the lesson holds it (with TODO markers), or the base's finished code for an inherited file. */
  text: string;
  /** The lesson whose folder holds the file. */
  from: string;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).map((f) => f.split('\\').join('/')).sort();
}

/** The finished code of a solution file: TODO markers and stubs removed. */
export function finishedCode(text: string, rel: string): string {
  const lang = markerLanguage(rel);
  return lang ? toSolutionView(text, lang, rel) : text;
}

/**
 * Every file of a lesson's solution by path inside solution/: its own, then those it takes from
 * its base. Throws LessonFormatError when a listed file is not in the base, or is held as well.
 */
export function solutionFiles(lesson: Pick<Lesson, 'id' | 'dir' | 'base' | 'fromBase'>, seen: readonly string[] = []): Map<string, SolutionFile> {
  const root = join(lesson.dir, 'solution');
  const files = new Map(walk(root).map((rel): [string, SolutionFile] => [rel, { text: readFileSync(join(root, rel), 'utf8'), from: lesson.id }]));
  if (!lesson.fromBase?.length) return files;
  const where = join(lesson.dir, 'lesson.json');
  if (!lesson.base) throw new LessonFormatError(`${where}: "fromBase" needs a "base"`);
  if (seen.includes(lesson.base)) throw new LessonFormatError(`${where}: "base" goes round in a circle (${[...seen, lesson.id, lesson.base].join(' → ')})`);
  const lessonsDir = dirname(lesson.dir);
  let baseLesson: Lesson;
  try {
    baseLesson = loadLessonFrom(lessonsDir, lesson.base);
  } catch (e) {
    if (e instanceof LessonNotFound) throw new LessonFormatError(`${where}: "fromBase" takes files from ${lesson.base}, which is not a lesson here`);
    throw e;
  }
  const base = solutionFiles(baseLesson, [...seen, lesson.id]);
  const { doc: changes } = readChanges(lesson);
  for (const rel of lesson.fromBase) {
    if (files.has(rel)) throw new LessonFormatError(`${where}: "fromBase" lists ${rel}, but solution/${rel} is there too; keep one`);
    const b = base.get(rel);
    if (!b) throw new LessonFormatError(`${where}: "fromBase" lists ${rel}, which ${lesson.base}'s solution does not have`);
    const section = changes?.files.find((f) => f.rel === rel);
    const text = finishedCode(b.text, rel);
    files.set(rel, { text: section?.hunks.length ? applyHunks(text, section.hunks, `${join(lesson.dir, CHANGES_FILE)}`) : text, from: b.from });
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A folder with one side (kernel/ or client/) of the lesson's whole solution: the lesson's own
 * folder when it takes nothing of that side from its base, otherwise a copy under
 * .lab/build/solutions/ with the inherited files filled in (rewritten only when they change).
 */
export function solutionSideDir(lesson: Lesson, part: 'kernel' | 'client'): string {
  const own = join(lesson.dir, 'solution', part);
  if (!lesson.fromBase?.some((f) => f.startsWith(`${part}/`))) return own;
  const key = createHash('sha256').update(lesson.dir).digest('hex').slice(0, 8);
  const dir = join(BUILD_DIR, 'solutions', `${lesson.id}-${key}`, part);
  const want = new Map([...solutionFiles(lesson)].filter(([rel]) => rel.startsWith(`${part}/`)).map(([rel, f]) => [rel.slice(part.length + 1), f.text]));
  for (const rel of walk(dir)) if (!want.has(rel)) rmSync(join(dir, rel));
  for (const [rel, text] of want) {
    const path = join(dir, rel);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return dir;
}

export class HunkError extends LessonFormatError {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

const STALE_HUNK = "this hunk no longer applies to the base's code (its context or removed lines are not there): carry the base's change into it, or hold the file and run `npm run lessons -- sync`";

/**
 * `text` with each hunk's old lines (context and "-") replaced by its new ones (context and "+"),
 * in order, each found at or after the end of the one before, nearest its header's line.
 */
export function applyHunks(text: string, hunks: readonly Pick<FileChanges['hunks'][number], 'header' | 'lines' | 'line'>[], file: string, stale = STALE_HUNK): string {
  const lines = text.split('\n');
  let from = 0;
  for (const h of hunks) {
    const old = h.lines.filter((l) => !l.startsWith('+')).map((l) => l.slice(1));
    const now = h.lines.filter((l) => !l.startsWith('-')).map((l) => l.slice(1));
    const want = Math.max(from, Number(/^@@ -(\d+)/.exec(h.header)?.[1] ?? 1) - 1);
    const fits = (at: number): boolean => old.every((l, k) => lines[at + k] === l);
    let at = -1;
    for (let d = 0; at < 0 && (want + d <= lines.length || want - d >= from); d++) {
      if (want + d + old.length <= lines.length && fits(want + d)) at = want + d;
      else if (d > 0 && want - d >= from && fits(want - d)) at = want - d;
    }
    if (at < 0) throw new HunkError(file, h.line, stale);
    lines.splice(at, old.length, ...now);
    from = at + now.length;
  }
  return lines.join('\n');
}

/**
 * The folder holding one side of a lesson, e.g. lessons/<id>/starter/kernel. A solution side
 * with files taken from the base is a filled-in copy under .lab/build (./inherit.ts).
 */
export function sideDir(lesson: Lesson, target: Target, part: 'kernel' | 'client'): string {
  if (target === 'starter' && lesson.starterDir) return join(lesson.starterDir, part);
  return target === 'solution' ? solutionSideDir(lesson, part) : join(lesson.dir, target, part);
}
