// Lessons as a progression: each lesson's solution is its base lesson's finished code plus the
// changes its CHANGES.md declares. Outside its TODO blocks (the student's work, each compared
// as one placeholder line), a file may differ from the base's same file only by those changes;
// `lessons sync` records the diff, an instructor writes a note per hunk, `lessons check`
// fails on any change the file does not declare, and on any declared change that is gone.

import { writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { CHANGES_FILE, NOTE_PLACEHOLDER, formatChanges, readChanges, type ChangesDoc, type FileDiff } from './changes-file.js';
import { changeKey, diffLines, hunkChanges, hunks, type Hunk } from './line-diff.js';
import { lessonIds, loadLessonFrom, type Lesson } from './load.js';
import { lineAt, type Problem } from './problems.js';
import { LessonFormatError } from './schema.js';
import { finishedCode, HunkError, solutionFiles, type SolutionFile } from './inherit.js';
import { markerLanguage, parseMarkers, toStarter } from './todo-markers.js';


/** A file of the lesson compared with its base: the lines as compared, and where each is in the file. */
export interface ComparedFile {
  /** Path inside solution/, e.g. kernel/nlab_kv.c. */
  rel: string;
  /** The lesson's lines, each TODO block as one placeholder line. */
  lines: string[];
  /** 1-based line in the solution file of each compared line. */
  at: number[];
  /** The base's finished code (TODO markers removed), or undefined for a file new in this lesson. */
  base?: string[];
  /** The base's path when the lesson renamed the file (lesson.json "renamed"). */
  renamedFrom?: string;
}

/** The placeholder a TODO block is compared as: its number, not its text (TODO wording may change). */
export const todoPlaceholder = (indent: string, n: number): string => `${indent}«TODO ${n}»`;

/** A solution file as compared: text lines as they are, each TODO block one placeholder line. */
export function comparedLines(text: string, rel: string): { lines: string[]; at: number[] } {
  const lang = markerLanguage(rel);
  if (!lang) return { lines: text.split('\n'), at: text.split('\n').map((_, i) => i + 1) };
  const lines: string[] = [];
  const at: number[] = [];
  let line = 1;
  for (const s of parseMarkers(text, lang, rel)) {
    if (s.kind === 'text') {
      for (const l of s.lines) {
        lines.push(l);
        at.push(line++);
      }
      continue;
    }
    const b = s.block;
    lines.push(todoPlaceholder(/^\s*/.exec(b.comment[0]!)![0], b.n));
    at.push(b.line);
    line = b.line + b.comment.length + b.solution.length + b.starter.length + 1;
  }
  return { lines, at };
}

/** A lesson's own solution files (not those it takes from its base), generated files left out (their input is compared). */
export function ownSolutionFiles(lesson: Pick<Lesson, 'id' | 'dir' | 'generated'>): Map<string, string> {
  const generated = new Set((lesson.generated ?? []).map((g) => g.file));
  return new Map([...solutionFiles({ id: lesson.id, dir: lesson.dir })].filter(([rel]) => !generated.has(rel)).map(([rel, f]) => [rel, f.text]));
}

/** The base's solution files that are compared (generated files left out: their input is compared). */
function comparedBaseFiles(base: Lesson): Map<string, SolutionFile> {
  const generated = new Set((base.generated ?? []).map((g) => g.file));
  return new Map([...solutionFiles(base)].filter(([rel]) => !generated.has(rel)));
}

/** Every file of `lesson` compared with `base`'s same file, or with the file it was renamed from (lesson.json "renamed"). */
export function compareWithBase(lesson: Lesson, base: Lesson): ComparedFile[] {
  const baseFiles = comparedBaseFiles(base);
  return [...ownSolutionFiles(lesson)].map(([rel, text]) => {
    const from = lesson.renamed?.[rel];
    const b = baseFiles.get(from ?? rel);
    return { rel, ...(from ? { renamedFrom: from } : {}), ...comparedLines(text, rel), ...(b === undefined ? {} : { base: finishedCode(b.text, from ?? rel).split('\n') }) };
  });
}

/** What one file of a lesson actually changes against its base. */
export interface FileProgress {
  file: ComparedFile;
  isNew: boolean;
  hunks: Hunk[];
}

/** The files of `lesson` that differ from `base` outside their TODO blocks, are new, or are renamed. */
export function actualChanges(lesson: Lesson, base: Lesson): FileProgress[] {
  return compareWithBase(lesson, base).flatMap((file): FileProgress[] => {
    if (!file.base) return [{ file, isNew: true, hunks: [] }];
    const h = hunks(file.base, diffLines(file.base, file.lines));
    return h.length || file.renamedFrom ? [{ file, isNew: false, hunks: h }] : [];
  });
}

/** A file's changes as CHANGES.md lists them. */
const asDiff = (c: FileProgress): FileDiff => ({ rel: c.file.rel, isNew: c.isNew, ...(c.file.renamedFrom ? { renamedFrom: c.file.renamedFrom } : {}), hunks: c.hunks });

/** A problem found by comparing a lesson with its base: where, and what. */
export interface ProgressProblem {
  /** 'solution' points into the solution file `rel`, 'changes' into CHANGES.md. */
  in: 'solution' | 'changes';
  rel?: string;
  line: number;
  message: string;
}

const SYNC = '`npm run lessons -- sync` records it';

/** Compares what the code changes with what CHANGES.md declares. */
export function progressProblems(lessonId: string, base: string, changes: readonly FileProgress[], doc: ChangesDoc | undefined, fromBase: readonly string[] = []): ProgressProblem[] {
  if (!doc) return [{ in: 'changes', line: 1, message: `missing, or no title naming the base (\`${base}\`); ${SYNC}` }];
  const problems: ProgressProblem[] = [];
  if (doc.base !== base) problems.push({ in: 'changes', line: 1, message: `describes changes to ${doc.base}, but lesson.json's "base" is ${base}; ${SYNC}` });
  const actual = new Map(changes.map((c) => [c.file.rel, c]));
  for (const d of doc.files) {
    // A file taken from the base is made from its section: nothing to compare.
    if (!actual.has(d.rel) && !fromBase.includes(d.rel)) problems.push({ in: 'changes', line: d.line, message: `lists ${d.rel}, which ${lessonId} does not change (it equals ${base}'s outside its TODOs, or is gone); ${SYNC}` });
    if (!d.note || d.note === NOTE_PLACEHOLDER) problems.push({ in: 'changes', line: d.line, message: `${d.rel}: say in a note below the heading what changed in this file and why` });
  }
  for (const c of changes) {
    const d = doc.files.find((f) => f.rel === c.file.rel);
    const first = c.hunks[0]?.changes[0];
    const line = first ? c.file.at[Math.min(first.newStart, c.file.at.length - 1)]! : 1;
    if (!d) {
      problems.push({ in: 'solution', rel: c.file.rel, line, message: c.isNew ? `is new in ${lessonId} and CHANGES.md does not say so; ${SYNC}` : `differs from ${base}'s ${c.file.rel} here and CHANGES.md does not list the file; ${SYNC}` });
      continue;
    }
    if (d.isNew !== c.isNew) problems.push({ in: 'changes', line: d.line, message: c.isNew ? `${d.rel} is new in ${lessonId}: mark the heading "(new)"` : `${d.rel} is not new: ${base} has it${c.file.renamedFrom ? ` as ${c.file.renamedFrom}` : ' too'}` });
    if (d.renamedFrom !== c.file.renamedFrom) problems.push({ in: 'changes', line: d.line, message: c.file.renamedFrom ? `${d.rel} is ${base}'s ${c.file.renamedFrom} renamed (lesson.json "renamed"): its heading must say "(renamed from \`${c.file.renamedFrom}\`)"; ${SYNC}` : `${d.rel} is not renamed in lesson.json's "renamed", but its heading says it is; ${SYNC}` });
    // Declared and actual changes are compared as runs of changed lines, wherever they are:
    // context and line numbers in CHANGES.md are for the reader and may go stale.
    const declared = new Map<string, number[]>();
    for (const h of d.hunks) for (const k of hunkChanges(h.lines).map(changeKey)) declared.set(k, [...(declared.get(k) ?? []), h.line]);
    for (const ch of c.hunks.flatMap((h) => h.changes)) {
      const k = changeKey(ch);
      const left = declared.get(k);
      if (left?.length) {
        left.shift();
        continue;
      }
      const at = c.file.at[Math.min(ch.newStart, c.file.at.length - 1)]!;
      const what = ch.added.length ? (ch.removed.length ? `replaces ${ch.removed.length} line(s) of ${base}'s with ${ch.added.length}` : `adds ${ch.added.length} line(s)`) : `drops ${ch.removed.length} line(s) of ${base}'s`;
      problems.push({ in: 'solution', rel: c.file.rel, line: at, message: `${what} (${JSON.stringify((ch.added[0] ?? ch.removed[0] ?? '').trim())}), a change CHANGES.md does not declare: carry it over from ${base} (or make it there too), or record it with \`npm run lessons -- sync\` and explain it in CHANGES.md` });
    }
    for (const lines of declared.values()) for (const l of lines) problems.push({ in: 'changes', line: l + 1, message: `declares a change to ${d.rel} that the code no longer makes; ${SYNC}` });
  }
  return problems;
}

/** Rewrites CHANGES.md from the code, keeping its notes; returns [CHANGES.md] when it changed. */
export function writeChanges(lesson: Lesson, base: Lesson): string[] {
  const { path, text, doc } = readChanges(lesson);
  // Files taken from the base keep their sections as written: their hunks make the file.
  const held = actualChanges(lesson, base).map(asDiff);
  const inherited = (doc?.files ?? []).filter((f) => lesson.fromBase?.includes(f.rel));
  const want = formatChanges(lesson.id, base.id, [...held, ...inherited].sort((a, b) => a.rel.localeCompare(b.rel)), doc);
  if (want === text) return [];
  writeFileSync(path, want);
  return [CHANGES_FILE];
}

/**
 * The lesson against its base: the base exists and comes before it, and the code changes
 * exactly what CHANGES.md declares (each difference named at its line).
 */
export function baseProblems(lesson: Lesson, lessonsDir: string, json: string, show: (p: string) => string): Problem[] {
  if (!lesson.base) return [];
  const jsonPath = show(join(lesson.dir, 'lesson.json'));
  const baseLine = lineAt(json, Math.max(0, json.indexOf('"base"')));
  const ids = lessonIds(lessonsDir);
  if (!ids.includes(lesson.base)) return [{ file: jsonPath, line: baseLine, message: `"base" names ${lesson.base}, which is not a lesson` }];
  if (ids.indexOf(lesson.base) >= ids.indexOf(lesson.id)) return [{ file: jsonPath, line: baseLine, message: `"base" must be an earlier lesson than ${lesson.id}` }];
  let base: Lesson;
  try {
    base = loadLessonFrom(lessonsDir, lesson.base);
  } catch (e) {
    if (e instanceof LessonFormatError) return []; // the base's own lint reports it
    throw e;
  }
  const fromBaseLine = lineAt(json, Math.max(0, json.indexOf('"fromBase"')));
  let baseFiles: Map<string, SolutionFile>;
  try {
    solutionFiles(lesson);
    baseFiles = solutionFiles(base);
  } catch (e) {
    if (e instanceof HunkError) return [{ file: show(e.file), line: e.line, message: e.message.slice(`${e.file}:${e.line}: `.length) }];
    if (e instanceof LessonFormatError) return [{ file: jsonPath, line: fromBaseLine, message: e.message.replace(/^[^:]*lesson\.json: /, '') }];
    throw e;
  }
  const { path, doc } = readChanges(lesson);
  const problems: Problem[] = progressProblems(lesson.id, base.id, actualChanges(lesson, base), doc, lesson.fromBase ?? []).map((p) => ({
    file: show(p.in === 'changes' ? path : join(lesson.dir, 'solution', p.rel!)),
    line: p.line,
    message: p.message,
  }));
  problems.push(...renameProblems(lesson, base, jsonPath, lineAt(json, Math.max(0, json.indexOf('"renamed"'))), show));
  // A copy of a base's file that the learner does not edit here belongs in "fromBase".
  const generated = new Set((lesson.generated ?? []).map((g) => g.file));
  for (const [rel, text] of ownSolutionFiles(lesson)) {
    const lang = markerLanguage(rel);
    if (generated.has(rel) || !baseFiles.has(rel) || (lang && toStarter(text, lang, rel) !== text)) continue;
    problems.push({ file: show(join(lesson.dir, 'solution', rel)), line: 1, warning: true, message: `the learner does not edit this file in ${lesson.id}, and ${base.id} has it: list it in "fromBase" (its changes stay in CHANGES.md) instead of holding a copy` });
  }
  return problems;
}


/**
 * lesson.json's "renamed" names files that are there (the new name in the lesson, the old one in
 * the base and no longer in the lesson), and no rename goes undeclared: a file new in the lesson
 * beside a base's file of the same kind that the lesson no longer has is that file renamed.
 */
function renameProblems(lesson: Lesson, base: Lesson, jsonPath: string, renamedLine: number, show: (p: string) => string): Problem[] {
  const own = ownSolutionFiles(lesson);
  const all = solutionFiles(lesson);
  const baseFiles = comparedBaseFiles(base);
  const renamed = Object.entries(lesson.renamed ?? {});
  const problems: Problem[] = [];
  const atJson = (message: string): void => void problems.push({ file: jsonPath, line: renamedLine, message });
  for (const [now, was] of renamed) {
    if (!own.has(now)) atJson(`"renamed" names ${now}, which ${lesson.id}'s solution/ does not hold`);
    if (!baseFiles.has(was)) atJson(`"renamed" says ${now} was ${base.id}'s ${was}, which ${base.id}'s solution does not have`);
    else if (all.has(was)) atJson(`"renamed" says ${base.id}'s ${was} became ${now}, but ${lesson.id} still has ${was}`);
  }
  const kind = (rel: string): string => `${dirname(rel)}|${extname(rel)}`;
  const gone = [...baseFiles.keys()].filter((rel) => !all.has(rel) && !renamed.some(([, was]) => was === rel));
  for (const rel of own.keys()) {
    const was = gone.find((g) => kind(g) === kind(rel));
    if (was === undefined || baseFiles.has(rel) || lesson.renamed?.[rel]) continue;
    problems.push({ file: show(join(lesson.dir, 'solution', rel)), line: 1, message: `is new in ${lesson.id}, and ${base.id}'s ${was} is gone: a rename, not a new file. Declare it in lesson.json ("renamed": { "${rel}": "${was}" }) so it is compared with ${was}, then run \`npm run lessons -- sync\`` });
  }
  return problems;
}
