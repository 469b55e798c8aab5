// Lessons as a progression: each lesson's solution is its base lesson's finished code plus the
// changes its CHANGES.md declares. Outside its TODO blocks (the student's work, each compared
// as one placeholder line), a file may differ from the base's same file only by those changes;
// `lessons sync` records the diff, an instructor writes a note per hunk, `lessons check`
// fails on any change the file does not declare, and on any declared change that is gone.

import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { changeKey, diffLines, hunkChanges, hunks, type Hunk } from './line-diff.js';
import { lessonIds, loadLessonFrom, type Lesson } from './load.js';
import { lineAt, type Problem } from './problems.js';
import { LessonFormatError } from './schema.js';
import { markerLanguage, parseMarkers, toSolutionView } from './todo-markers.js';

export const CHANGES_FILE = 'CHANGES.md';
/** What `sync` writes for a hunk nobody has explained yet; `check` fails while it is there. */
export const NOTE_PLACEHOLDER = '(Say what this change does and why.)';

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

/** The finished code of a solution file: TODO markers and stubs removed. */
export function finishedCode(text: string, rel: string): string {
  const lang = markerLanguage(rel);
  return lang ? toSolutionView(text, lang, rel) : text;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).map((f) => f.split('\\').join('/')).sort();
}

/** A lesson's own solution files, by path inside solution/, generated files left out (their input is compared). */
export function ownSolutionFiles(lesson: Pick<Lesson, 'dir' | 'generated'>): Map<string, string> {
  const generated = new Set((lesson.generated ?? []).map((g) => g.file));
  const root = join(lesson.dir, 'solution');
  return new Map(walk(root).filter((rel) => !generated.has(rel)).map((rel) => [rel, readFileSync(join(root, rel), 'utf8')]));
}

/** Every file of `lesson` compared with `base`'s same file. */
export function compareWithBase(lesson: Lesson, base: Lesson): ComparedFile[] {
  const baseFiles = ownSolutionFiles(base);
  return [...ownSolutionFiles(lesson)].map(([rel, text]) => {
    const b = baseFiles.get(rel);
    return { rel, ...comparedLines(text, rel), ...(b === undefined ? {} : { base: finishedCode(b, rel).split('\n') }) };
  });
}

/** One file's section of CHANGES.md. */
export interface FileChanges {
  rel: string;
  /** The file is new in this lesson: no diff is kept for it. */
  isNew: boolean;
  /** What changed in the file and why: the text between its heading and its first hunk. */
  note: string;
  /** Its hunks, each with the note written above it (the first hunk's is the file's note). */
  hunks: { note: string; header: string; lines: string[]; line: number }[];
  /** 1-based line of the file's heading in CHANGES.md. */
  line: number;
}

export interface ChangesDoc {
  base: string;
  files: FileChanges[];
}

const FILE_HEADING = /^## `([^`]+)`( \(new\))?\s*$/;
const TITLE = /^# .*`(lesson-[\w-]+)`/;

/** Reads a CHANGES.md; undefined when no title names the base. */
export function parseChanges(text: string): ChangesDoc | undefined {
  const lines = text.split('\n');
  const base = lines.map((l) => TITLE.exec(l)?.[1]).find(Boolean);
  if (!base) return undefined;
  const files: FileChanges[] = [];
  let note: string[] = [];
  const flush = (): void => {
    const f = files.at(-1);
    if (f && !f.hunks.length) f.note = note.join('\n').trim();
    note = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const h = FILE_HEADING.exec(l);
    const file = files.at(-1);
    if (h) {
      flush();
      files.push({ rel: h[1]!, isNew: Boolean(h[2]), note: '', hunks: [], line: i + 1 });
    } else if (file && /^```diff\s*$/.test(l)) {
      const line = i + 1;
      const body: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
      const text = note.join('\n').trim();
      if (!file.hunks.length) file.note = text;
      const header = body[0]?.startsWith('@@') ? body[0] : '';
      file.hunks.push({ note: text, header, lines: header ? body.slice(1) : body, line });
      note = [];
    } else if (file) note.push(l);
  }
  flush();
  return { base, files };
}

/** What one file of a lesson actually changes against its base. */
export interface FileProgress {
  file: ComparedFile;
  isNew: boolean;
  hunks: Hunk[];
}

/** The files of `lesson` that differ from `base` outside their TODO blocks, or are new. */
export function actualChanges(lesson: Lesson, base: Lesson): FileProgress[] {
  return compareWithBase(lesson, base).flatMap((file): FileProgress[] => {
    if (!file.base) return [{ file, isNew: true, hunks: [] }];
    const h = hunks(file.base, file.lines, diffLines(file.base, file.lines));
    return h.length ? [{ file, isNew: false, hunks: h }] : [];
  });
}

const INTRO = (id: string, base: string): string[] => [
  `# What \`${id}\` changes in \`${base}\``,
  '',
  `Outside its TODO blocks (each shown as one \`«TODO n»\` line), every file of ${id}'s solution is`,
  `${base}'s finished code with exactly these changes. \`npm run lessons -- sync\` rewrites the diffs;`,
  'the notes are written by hand. `npm run lessons -- check` fails on a change not listed here',
  '(a fix made in one lesson and not carried into the next) and on a listed change the code no longer makes.',
];

/** CHANGES.md for `changes`, keeping the notes `previous` gives each file and each hunk (by content). */
export function formatChanges(id: string, base: string, changes: readonly FileProgress[], previous?: ChangesDoc): string {
  const out = INTRO(id, base);
  for (const f of changes) {
    const before = previous?.files.find((p) => p.rel === f.file.rel);
    const hunkNotes = new Map((before?.hunks ?? []).slice(1).filter((h) => h.note).map((h) => [hunkChanges(h.lines).map(changeKey).join('\n'), h.note]));
    out.push('', `## \`${f.file.rel}\`${f.isNew ? ' (new)' : ''}`, '', before?.note || NOTE_PLACEHOLDER);
    for (const [k, h] of f.hunks.entries()) {
      const note = k > 0 ? hunkNotes.get(h.changes.map(changeKey).join('\n')) : undefined;
      out.push('', ...(note ? [note, ''] : []), '```diff', h.header, ...h.lines, '```');
    }
  }
  return `${out.join('\n')}\n`;
}

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
export function progressProblems(lessonId: string, base: string, changes: readonly FileProgress[], doc: ChangesDoc | undefined): ProgressProblem[] {
  if (!doc) return [{ in: 'changes', line: 1, message: `missing, or no title naming the base (\`${base}\`); ${SYNC}` }];
  const problems: ProgressProblem[] = [];
  if (doc.base !== base) problems.push({ in: 'changes', line: 1, message: `describes changes to ${doc.base}, but lesson.json's "base" is ${base}; ${SYNC}` });
  const actual = new Map(changes.map((c) => [c.file.rel, c]));
  for (const d of doc.files) {
    if (!actual.has(d.rel)) problems.push({ in: 'changes', line: d.line, message: `lists ${d.rel}, which ${lessonId} does not change (it equals ${base}'s outside its TODOs, or is gone); ${SYNC}` });
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
    if (d.isNew !== c.isNew) problems.push({ in: 'changes', line: d.line, message: c.isNew ? `${d.rel} is new in ${lessonId}: mark the heading "(new)"` : `${d.rel} is not new: ${base} has it too` });
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
      problems.push({ in: 'solution', rel: c.file.rel, line: at, message: `${what} (${JSON.stringify((ch.added[0] ?? ch.removed[0] ?? '').trim())}), a change CHANGES.md does not declare: carry it over from ${base} (or into it), or ${SYNC} and explain it` });
    }
    for (const lines of declared.values()) for (const l of lines) problems.push({ in: 'changes', line: l + 1, message: `declares a change to ${d.rel} that the code no longer makes; ${SYNC}` });
  }
  return problems;
}

/** Reads the lesson's CHANGES.md, if any. */
export function readChanges(lesson: Pick<Lesson, 'dir'>): { path: string; text?: string; doc?: ChangesDoc } {
  const path = join(lesson.dir, CHANGES_FILE);
  if (!existsSync(path)) return { path };
  const text = readFileSync(path, 'utf8');
  const doc = parseChanges(text);
  return { path, text, ...(doc ? { doc } : {}) };
}

/** Rewrites CHANGES.md from the code, keeping its notes; returns [CHANGES.md] when it changed. */
export function writeChanges(lesson: Lesson, base: Lesson): string[] {
  const { path, text, doc } = readChanges(lesson);
  const want = formatChanges(lesson.id, base.id, actualChanges(lesson, base), doc);
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
  const { path, doc } = readChanges(lesson);
  return progressProblems(lesson.id, base.id, actualChanges(lesson, base), doc).map((p) => ({
    file: show(p.in === 'changes' ? path : join(lesson.dir, 'solution', p.rel!)),
    line: p.line,
    message: p.message,
  }));
}

