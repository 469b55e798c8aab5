// `lessons check`: every lesson's metadata, markers, checks, pages and generated files,
// on the host in seconds. Each problem is file:line; see lessons/README.md for the rules.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../../kernel/src/index.js';
import { checksProblems, type ChecksFile } from './lint-checks.js';
import { pageProblems, type Page } from './lint-pages.js';
import { checkLines, collectTodos, todoReferenceProblems, type MarkedFile } from './lint-todos.js';
import { LESSONS_DIR, lessonIds, loadLessonFrom, type Lesson } from './load.js';
import { lineAt, type Problem } from './problems.js';
import { siteDataProblems } from './lint-site-data.js';
import { LessonFormatError } from './schema.js';
import { generateSolutionFiles, generateStarter } from './starters.js';
import { MarkerError, markerLanguage } from './todo-markers.js';
import { baseProblems } from './progression.js';
import { HunkError } from './inherit.js';
import { variantProblems } from './variants.js';

export interface LintRoots {
  lessonsDir: string;
  /** The site's folder: pages are <docsDir>/lessons/<id>.md and <docsDir>/zh-CN/lessons/<id>.md. */
  docsDir: string;
  /** Paths in problems are relative to this folder when inside it. */
  displayRoot: string;
}

export const REPO_ROOTS: LintRoots = { lessonsDir: LESSONS_DIR, docsDir: join(REPO_ROOT, 'docs'), displayRoot: REPO_ROOT };

export interface LessonLint {
  id: string;
  problems: Problem[];
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).sort();
}

/** The first line where two texts differ. */
function firstDifference(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i + 1;
}

/** Generated files (the starter, the solution's tool outputs) that differ from what sync makes. */
function driftProblems(lesson: Lesson, show: (p: string) => string): Problem[] {
  const problems: Problem[] = [];
  const want = new Map([...generateSolutionFiles(lesson), ...generateStarter(lesson)]);
  for (const [rel, text] of want) {
    const path = join(lesson.dir, rel);
    if (!existsSync(path)) problems.push({ file: show(path), line: 1, message: 'missing; `npm run lessons -- sync` makes it' });
    else {
      const have = readFileSync(path, 'utf8');
      if (have !== text) problems.push({ file: show(path), line: firstDifference(have, text), message: 'differs from what `npm run lessons -- sync` makes from the solution (first difference on this line)' });
    }
  }
  for (const rel of files(join(lesson.dir, 'starter'))) {
    const path = join(lesson.dir, 'starter', rel);
    if (!want.has(join('starter', rel))) problems.push({ file: show(path), line: 1, message: 'is not made from the solution; `npm run lessons -- sync` removes it' });
  }
  return problems;
}

/**
 * Where JSON.parse first fails in `text`: every prefix before that point is merely unfinished
 * ("Unexpected end"), the first one that is wrong ends just past it.
 */
export function jsonErrorOffset(text: string): number {
  const unfinished = (n: number): boolean => {
    // A prefix may end inside a literal or a number: that is unfinished too, if what comes
    // before that partial token is (the same characters may also end a string's text, past an
    // earlier error, which the shorter prefix then reports).
    const partial = /(?:^|[^\w])(t|tr|tru|f|fa|fal|fals|n|nu|nul)$|(-)$|\d(\.)$|\d([eE][+-]?)$/.exec(text.slice(0, n));
    if (partial) {
      const rest = n - (partial[1] ?? partial[2] ?? partial[3] ?? partial[4])!.length;
      return rest === 0 || unfinished(rest);
    }
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      // An error before the prefix's end is a real one, whatever its message says.
      const at = /at position (\d+)/.exec((e as Error).message);
      if (at && Number(at[1]) < n) return false;
      return /end of JSON input|Unterminated|Expected (property name|',' or|':' after|double-quoted)/.test((e as Error).message) && n < text.length;
    }
  };
  // A forward scan, not a binary search: the guesses above are not monotonic (a prefix ending
  // in "n inside a string looks like an unfinished null), and a lesson.json is a few KiB.
  for (let n = 1; n <= text.length; n++) if (!unfinished(n)) return n - 1;
  return text.length;
}

/** The problem of a lesson.json that does not load, at the line its message points to. */
function loadProblem(e: LessonFormatError, jsonPath: string, json: string | undefined, shown: string): Problem {
  const message = e.message.startsWith(`${jsonPath}: `) ? e.message.slice(jsonPath.length + 2) : e.message;
  if (json && message.startsWith('not valid JSON')) return { file: shown, line: lineAt(json, jsonErrorOffset(json)), message: 'not valid JSON (the first error is on this line)' };
  const check = /^checks\[(\d+)\]/.exec(message);
  const line = json && check ? ([...checkLines(json).values()][Number(check[1])]?.line ?? 1) : 1;
  return { file: shown, line, message };
}

/** The solution's files that may hold TODO markers (generated ones never do). */
function markedFiles(lesson: Lesson, show: (p: string) => string): MarkedFile[] {
  const solution = join(lesson.dir, 'solution');
  const generated = new Set((lesson.generated ?? []).map((g) => join(g.file)));
  return files(solution).flatMap((rel) => {
    const lang = markerLanguage(rel);
    return lang && !generated.has(join(rel)) ? [{ path: show(join(solution, rel)), text: readFileSync(join(solution, rel), 'utf8'), lang }] : [];
  });
}

/** Lints the lessons `ids` (default: all) under `roots`. */
export function lintLessons(roots: LintRoots = REPO_ROOTS, ids: readonly string[] = lessonIds(roots.lessonsDir)): LessonLint[] {
  const show = (p: string): string => {
    const r = relative(roots.displayRoot, p);
    return r.startsWith('..') ? p : r;
  };
  const results: LessonLint[] = [];
  const compile: ChecksFile[] = [];
  for (const id of ids) {
    const problems: Problem[] = [];
    results.push({ id, problems });
    const jsonPath = join(roots.lessonsDir, id, 'lesson.json');
    const json = existsSync(jsonPath) ? readFileSync(jsonPath, 'utf8') : undefined;
    let lesson: Lesson;
    try {
      lesson = loadLessonFrom(roots.lessonsDir, id);
    } catch (e) {
      if (!(e instanceof LessonFormatError)) throw e;
      problems.push(loadProblem(e, jsonPath, json, show(jsonPath)));
      continue;
    }
    const lines = checkLines(json ?? '');
    // A common check the lesson does not list is added by the loader: point at "common", or "checks".
    const commonLine = lineAt(json ?? '', Math.max(0, (json ?? '').search(/"common"|"checks"/)));
    const checkLine = (c: string): number => lines.get(c)?.line ?? commonLine;
    const jsonRef = { path: show(jsonPath), idLine: json ? lineAt(json, Math.max(0, json.indexOf('"id"'))) : 1, checkLine };

    const { todos, problems: markerProblems } = collectTodos(markedFiles(lesson, show));
    problems.push(...markerProblems, ...todoReferenceProblems(lesson.checks, todos, jsonRef.path, lines));

    const page = (locale: string): Page => {
      const path = join(roots.docsDir, locale, 'lessons', `${id}.md`);
      return { path: show(path), text: existsSync(path) ? readFileSync(path, 'utf8') : undefined };
    };
    problems.push(
      ...pageProblems({
        lessonId: id,
        checks: lesson.checks,
        todos: new Set(todos.map((t) => t.n)),
        hasFile: (rel) => existsSync(join(lesson.dir, rel)) || Boolean(rel.startsWith('solution/') && lesson.fromBase?.includes(rel.slice('solution/'.length))),
        hasBase: Boolean(lesson.base),
        json: jsonRef,
        en: page(''),
        zh: page('zh-CN'),
      }),
    );

    problems.push(...siteDataProblems(lesson, roots.lessonsDir, { path: jsonRef.path, text: json ?? '', checkLine }, show));

    const checksTs = join(lesson.dir, 'checks.ts');
    if (existsSync(checksTs)) compile.push({ lessonId: id, file: checksTs, shown: show(checksTs), checks: lesson.checks, json: jsonRef });
    else problems.push({ file: jsonRef.path, line: 1, message: `the lesson has no checks.ts` });

    try {
      problems.push(...baseProblems(lesson, roots.lessonsDir, json ?? '', show));
    } catch (e) {
      if (!(e instanceof MarkerError)) throw e; // reported above
    }

    try {
      problems.push(...variantProblems(lesson, show, jsonRef));
    } catch (e) {
      if (!(e instanceof MarkerError || e instanceof LessonFormatError)) throw e; // reported above
    }

    try {
      problems.push(...driftProblems(lesson, show));
    } catch (e) {
      // Unbalanced markers are reported above; the starter cannot be derived until they are fixed.
      if (e instanceof MarkerError) continue;
      if (!(e instanceof LessonFormatError)) throw e;
      // A file taken from the base that cannot be made is reported with the base above.
      if (e instanceof HunkError || e.message.includes('"fromBase"')) continue;
      problems.push({ file: jsonRef.path, line: 1, message: e.message.replace(`${jsonPath}: `, '') });
    }
  }
  for (const [f, found] of checksProblems(compile, show)) results.find((r) => r.id === f.lessonId)!.problems.push(...found);
  for (const r of results) r.problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return results;
}
