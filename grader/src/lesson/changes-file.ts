// CHANGES.md: what a lesson changes in its base's code, per file: a note written by hand, then
// the diff hunks `lessons sync` records (./progression.ts). Parsed here for the check, the
// site's <!-- @changes --> directive, and files a lesson takes from its base with changes
// (./inherit.ts applies their hunks).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changeKey, hunkChanges, type Hunk } from './line-diff.js';

export const CHANGES_FILE = 'CHANGES.md';
/** What `sync` writes for a file nobody has explained yet; `check` fails while it is there. */
export const NOTE_PLACEHOLDER = '(Say what this change does and why.)';

/** One file's section of CHANGES.md. */
export interface FileChanges {
  rel: string;
  /** The file is new in this lesson: no diff is kept for it. */
  isNew: boolean;
  /** The base's path of a file the lesson renamed (lesson.json "renamed"); its diff is against that file. */
  renamedFrom?: string;
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

const FILE_HEADING = /^## `([^`]+)`(?: \((new)\)| \(renamed from `([^`]+)`\))?\s*$/;
/** A file's heading: its path, and "(new)" or "(renamed from `old`)". */
const fileHeading = (f: Pick<FileChanges, 'rel' | 'isNew' | 'renamedFrom'>): string =>
  `## \`${f.rel}\`${f.isNew ? ' (new)' : f.renamedFrom ? ` (renamed from \`${f.renamedFrom}\`)` : ''}`;
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
      files.push({ rel: h[1]!, isNew: Boolean(h[2]), ...(h[3] ? { renamedFrom: h[3] } : {}), note: '', hunks: [], line: i + 1 });
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

const INTRO = (id: string, base: string): string[] => [
  `# What \`${id}\` changes in \`${base}\``,
  '',
  `Outside its TODO blocks (each shown as one \`«TODO n»\` line), every file of ${id}'s solution is`,
  `${base}'s finished code with exactly these changes. \`npm run lessons -- sync\` rewrites the diffs of`,
  'the files the lesson holds; the notes are written by hand. `npm run lessons -- check` fails on a change',
  'not listed here (a fix made in one lesson and not carried into the next) and on a listed change the',
  'code no longer makes. A file the lesson takes from its base ("fromBase" in lesson.json) is made from',
  "the base's file and the hunks listed for it here.",
];

/** One file's changes as CHANGES.md lists them. */
export interface FileDiff {
  rel: string;
  isNew: boolean;
  renamedFrom?: string;
  hunks: readonly Pick<Hunk, 'header' | 'lines'>[];
}

const hunkKey = (lines: readonly string[]): string => hunkChanges(lines).map(changeKey).join('\n');

/** CHANGES.md for `changes`, keeping the notes `previous` gives each file and each hunk (by content). */
export function formatChanges(id: string, base: string, changes: readonly FileDiff[], previous?: ChangesDoc): string {
  const out = INTRO(id, base);
  for (const f of changes) {
    const before = previous?.files.find((p) => p.rel === f.rel);
    const hunkNotes = new Map((before?.hunks ?? []).slice(1).filter((h) => h.note).map((h) => [hunkKey(h.lines), h.note]));
    out.push('', fileHeading(f), '', before?.note || NOTE_PLACEHOLDER);
    for (const [k, h] of f.hunks.entries()) {
      const note = k > 0 ? hunkNotes.get(hunkKey(h.lines)) : undefined;
      out.push('', ...(note ? [note, ''] : []), '```diff', h.header, ...h.lines, '```');
    }
  }
  return `${out.join('\n')}\n`;
}

/** Reads the lesson's CHANGES.md, if any. */
export function readChanges(lesson: { dir: string }): { path: string; text?: string; doc?: ChangesDoc } {
  const path = join(lesson.dir, CHANGES_FILE);
  if (!existsSync(path)) return { path };
  const text = readFileSync(path, 'utf8');
  const doc = parseChanges(text);
  return { path, text, ...(doc ? { doc } : {}) };
}

