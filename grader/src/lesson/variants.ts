// A lesson's variants of its own solution, kept beside it as diffs: MUTANTS.md (each breaks one
// thing, and one check must fail saying so) and ALTERNATIVES.md (each is correct, written
// differently, and must get full marks). The grader's tests grade them in the lab VM;
// `lessons check` makes sure every diff still applies to the solution it was written against.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { diffLines, hunks } from './line-diff.js';
import { applyHunks, finishedCode, HunkError, solutionFiles } from './inherit.js';
import type { Lesson } from './load.js';
import { ScaffoldError } from './scaffold.js';
import type { Problem } from './problems.js';

export const MUTANTS_FILE = 'MUTANTS.md';
export const ALTERNATIVES_FILE = 'ALTERNATIVES.md';
export type VariantKind = 'mutant' | 'alternative';
const FILE_OF: Record<VariantKind, string> = { mutant: MUTANTS_FILE, alternative: ALTERNATIVES_FILE };

export interface VariantHunk {
  header: string;
  lines: string[];
  /** 1-based line of its ```diff fence. */
  line: number;
}

/** One variant: the solution (TODO markers removed) with `files`' hunks applied. */
export interface Variant {
  lesson: string;
  name: string;
  /** What it does and why (for an alternative: why it is still right). */
  why: string;
  /** Mutants only: the check that must fail, the side it must blame, and what its message says. */
  fails?: { check: string; blames?: 'kernel' | 'client'; says: RegExp };
  files: { rel: string; hunks: VariantHunk[] }[];
  /** Where it is written: the .md file and its heading's line. */
  path: string;
  line: number;
}

const NAME = /^## `([\w.-]+)`\s*$/;
const FILE = /^### `([^`]+)`\s*$/;
/** A field line; its value is a code span of one or more backticks, as Markdown writes them. */
const FIELD = /^(Fails|Blames|Says): (`+) ?(.*?) ?\2\s*$/;

/** Reads a MUTANTS.md or ALTERNATIVES.md; Problems for what cannot be read. */
export function parseVariants(text: string, lesson: string, path: string): { variants: Variant[]; problems: Problem[] } {
  const lines = text.split('\n');
  const variants: Variant[] = [];
  const problems: Problem[] = [];
  const fields = new Map<Variant, Record<string, string>>();
  let prose: string[] = [];
  let file: Variant['files'][number] | undefined;
  const flushWhy = (v: Variant | undefined): void => {
    if (v && !v.files.length) v.why = prose.join('\n').trim();
    prose = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const v = variants.at(-1);
    const name = NAME.exec(l);
    const f = FILE.exec(l);
    const field = v && !v.files.length ? FIELD.exec(l) : null;
    if (name) {
      flushWhy(v);
      variants.push({ lesson, name: name[1]!, why: '', files: [], path, line: i + 1 });
      fields.set(variants.at(-1)!, {});
      file = undefined;
    } else if (v && f) {
      flushWhy(v);
      file = { rel: f[1]!, hunks: [] };
      v.files.push(file);
    } else if (field) fields.get(v!)![field[1]!] = field[3]!;
    else if (file && /^```diff\s*$/.test(l)) {
      const line = i + 1;
      const body: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
      if (!body[0]?.startsWith('@@')) problems.push({ file: path, line, message: 'a ```diff block starts with its @@ line' });
      else file.hunks.push({ header: body[0], lines: body.slice(1), line });
    } else if (v && !file) prose.push(l);
  }
  flushWhy(variants.at(-1));
  for (const v of variants) {
    const { Fails: check, Blames: blames, Says: says } = fields.get(v)!;
    if (!v.files.some((x) => x.hunks.length)) problems.push({ file: path, line: v.line, message: `\`${v.name}\` changes nothing: give it a \`### \`file\`\` heading and a \`\`\`diff block` });
    if (!check) {
      if (says !== undefined || blames !== undefined) problems.push({ file: path, line: v.line, message: `\`${v.name}\`: Says and Blames belong to a mutant, which names the check it fails: add \`Fails: \`check-id\`\`` });
      continue;
    }
    if (blames !== undefined && blames !== 'kernel' && blames !== 'client') problems.push({ file: path, line: v.line, message: `\`${v.name}\`: Blames is \`kernel\` or \`client\`, not \`${blames}\`` });
    const regex = /^\/(.*)\/$/.exec(says ?? '');
    if (!regex) {
      problems.push({ file: path, line: v.line, message: `\`${v.name}\`: Says is a regular expression in slashes, e.g. \`/does not know the family/\`` });
      continue;
    }
    try {
      v.fails = { check, ...(blames === 'kernel' || blames === 'client' ? { blames } : {}), says: new RegExp(regex[1]!) };
    } catch (e) {
      problems.push({ file: path, line: v.line, message: `\`${v.name}\`: Says does not compile: ${(e as Error).message}` });
    }
  }
  return { variants, problems };
}

/** A lesson's mutants or alternatives, as its MUTANTS.md or ALTERNATIVES.md has them (none without one). */
export function readVariants(lesson: Pick<Lesson, 'id' | 'dir'>, kind: VariantKind): { variants: Variant[]; problems: Problem[] } {
  const path = join(lesson.dir, FILE_OF[kind]);
  if (!existsSync(path)) return { variants: [], problems: [] };
  return parseVariants(readFileSync(path, 'utf8'), lesson.id, path);
}

/**
 * The variant's files: each a file of the lesson's whole solution (TODO markers removed) with the
 * variant's hunks applied. Throws HunkError (file:line) when a hunk no longer applies.
 */
export function variantFiles(lesson: Lesson, v: Variant, solution = solutionFiles(lesson)): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of v.files) {
    const held = solution.get(f.rel);
    if (!held) throw new HunkError(v.path, v.line, `\`${v.name}\` changes ${f.rel}, which the solution does not have`);
    out.set(f.rel, applyHunks(finishedCode(held.text, f.rel), f.hunks, v.path, 'this hunk no longer applies to the solution (its context or removed lines are not there): write the diff again against the solution'));
  }
  return out;
}

/** A variant's diff section for one file, as `parseVariants` reads it: `before` made into `after`. */
export function formatVariantFile(rel: string, before: string, after: string): string[] {
  const a = before.split('\n');
  const out = ['', `### \`${rel}\``];
  for (const h of hunks(a, diffLines(a, after.split('\n')))) out.push('', '```diff', h.header, ...h.lines, '```');
  return out;
}

/** Where lesson.json is, and the line of each check in it. */
export interface CheckLines {
  path: string;
  checkLine: (id: string) => number;
}

/**
 * Problems with a lesson's MUTANTS.md and ALTERNATIVES.md: unreadable fields, unknown checks,
 * diffs that no longer apply; and, in lesson.json, a check of the lesson's own that nothing
 * shows can fail (no TODO, so no starter fails it, and no mutant names it).
 */
export function variantProblems(lesson: Lesson, show: (p: string) => string, json: CheckLines): Problem[] {
  const problems: Problem[] = [];
  const read = { mutant: readVariants(lesson, 'mutant'), alternative: readVariants(lesson, 'alternative') };
  const caught = new Set(read.mutant.variants.map((v) => v.fails?.check));
  for (const c of lesson.checks) {
    if (c.common || c.builtin || c.todos?.length || caught.has(c.id)) continue;
    problems.push({ file: json.path, line: json.checkLine(c.id), message: `check "${c.id}" has no TODO (no starter fails it) and no mutant in ${MUTANTS_FILE}: nothing shows that it can fail` });
  }
  if (!read.alternative.variants.length)
    problems.push({ file: json.path, line: 1, message: `no correct alternative in ${ALTERNATIVES_FILE}: nothing shows that the grader accepts this lesson's solution written another way`, warning: true });
  // Read once for every entry: a lesson's whole solution, files from its bases included.
  const solution = read.mutant.variants.length || read.alternative.variants.length ? solutionFiles(lesson) : undefined;
  for (const kind of ['mutant', 'alternative'] as const) {
    const { variants, problems: unreadable } = read[kind];
    problems.push(...unreadable.map((p) => ({ ...p, file: show(p.file) })));
    const seen = new Set<string>();
    for (const v of variants) {
      const at = { file: show(v.path), line: v.line };
      if (seen.has(v.name)) problems.push({ ...at, message: `a second ${kind} named \`${v.name}\`` });
      seen.add(v.name);
      if (kind === 'mutant' && !v.fails && !unreadable.some((p) => p.line === v.line)) problems.push({ ...at, message: `\`${v.name}\` names no check it fails: add \`Fails: \`check-id\`\` and \`Says: \`/regex/\`\`` });
      if (kind === 'alternative' && v.fails) problems.push({ ...at, message: `\`${v.name}\` is an alternative, which fails nothing: move it to ${MUTANTS_FILE}` });
      if (v.fails && !lesson.checks.some((c) => c.id === v.fails!.check)) problems.push({ ...at, message: `\`${v.name}\` fails \`${v.fails.check}\`, which is not a check of ${lesson.id}` });
      try {
        variantFiles(lesson, v, solution);
      } catch (e) {
        if (!(e instanceof HunkError)) throw e;
        problems.push({ file: show(e.file), line: e.line, message: `\`${v.name}\`: ${e.message.slice(`${e.file}:${e.line}: `.length)}` });
      }
    }
  }
  return problems;
}

/** What each file says before its first entry. */
function intro(kind: VariantKind, id: string): string[] {
  if (kind === 'mutant')
    return [
      `# Mutants of \`${id}\``,
      '',
      `Each mutant is ${id}'s solution, TODO markers removed, with one fault put in. The grader's tests`,
      "(`grader/test/mutants-families.test.ts`) grade each as a student's starter in the lab VM: the check",
      'named by "Fails" must fail with a message that "Says" matches, and blame the side "Blames" names',
      'where one is given. `npm run lessons -- check` fails when a diff here no longer applies to the solution.',
    ];
  return [
    `# Correct alternatives to \`${id}\`'s solution`,
    '',
    `Each is ${id}'s solution written another way that is still right. The grader's tests`,
    "(`grader/test/alternatives.test.ts`) grade each as a student's starter, against the reference and",
    'across the full matrix, on both kernels: it must get full marks. `npm run lessons -- check` fails',
    'when a diff here no longer applies to the solution.',
  ];
}

/** Writes the lesson's whole finished solution (TODO markers removed) into `dir`, to be edited into a variant. */
export function writeVariantDraft(lesson: Lesson, name: string, dir: string): number {
  checkVariantName(name);
  if (existsSync(dir)) throw new ScaffoldError(`${dir} exists already: edit it and record it, or delete it to start again`);
  const files = solutionFiles(lesson);
  for (const [rel, f] of files) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), finishedCode(f.text, rel));
  }
  return files.size;
}

/** A name the heading parser reads back (`NAME`). */
function checkVariantName(name: string): void {
  if (!/^[\w.-]+$/.test(name)) throw new ScaffoldError(`a variant's name is letters, digits, ".", "_" and "-", not "${name}"`);
}

/** A new entry for `recordVariant`: what the MUTANTS.md or ALTERNATIVES.md heading and fields say. */
export interface VariantEntry {
  name: string;
  why: string;
  fails?: { check: string; blames?: 'kernel' | 'client'; says: string };
}

/**
 * Records the edits in `draft` (made from `writeVariantDraft`) as the entry's diffs in the
 * lesson's MUTANTS.md (an entry that fails a check) or ALTERNATIVES.md, replacing an entry of
 * the same name. Returns the file written.
 */
export function recordVariant(lesson: Lesson, entry: VariantEntry, draft: string): string {
  checkVariantName(entry.name);
  if (!existsSync(draft)) throw new ScaffoldError(`there is no draft of ${entry.name} at ${draft}: make one first (without --fails or --alternative)`);
  const diffs: string[] = [];
  for (const [rel, f] of solutionFiles(lesson)) {
    const path = join(draft, rel);
    const before = finishedCode(f.text, rel);
    const after = existsSync(path) ? readFileSync(path, 'utf8') : before;
    if (after !== before) diffs.push(...formatVariantFile(rel, before, after));
  }
  if (!diffs.length) throw new ScaffoldError(`${draft} is still the solution: edit it first`);
  const kind: VariantKind = entry.fails ? 'mutant' : 'alternative';
  const f = entry.fails;
  const span = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);
  const fields = f ? ['', `Fails: \`${f.check}\``, ...(f.blames ? [`Blames: \`${f.blames}\``] : []), `Says: ${span(f.says)}`] : [];
  const section = [`## \`${entry.name}\``, ...fields, ...(entry.why ? ['', entry.why] : []), ...diffs];
  const path = join(lesson.dir, FILE_OF[kind]);
  const lines = existsSync(path) ? readFileSync(path, 'utf8').trimEnd().split('\n') : intro(kind, lesson.id);
  const at = lines.indexOf(`## \`${entry.name}\``);
  if (at < 0) lines.push('', ...section);
  else {
    const next = lines.findIndex((l, i) => i > at && NAME.test(l));
    lines.splice(at, (next < 0 ? lines.length : next - 1) - at, ...section);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
