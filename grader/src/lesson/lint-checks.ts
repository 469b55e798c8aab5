// Lint of lessons' checks.ts: each compiles, and the checks it defines (its default export's
// properties) are the ones lesson.json lists, builtin checks excepted. One TypeScript program
// for every file at once, so the standard library is read once; results are cached by the
// content of everything they depend on, so an unchanged lesson costs no compile.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import type ts from 'typescript';
import { BUILD_DIR, REPO_ROOT } from '../../../kernel/src/index.js';
import type { Problem } from './problems.js';
import type { LessonCheck } from './schema.js';

// Loaded as CommonJS: an ESM import of the compiler first scans all of it for export names.
const tsc = createRequire(import.meta.url)('typescript') as typeof ts;

/** What the grader compiles checks with (compile-ts.ts), without emitting. */
const OPTIONS: ts.CompilerOptions = {
  target: tsc.ScriptTarget.ES2022,
  module: tsc.ModuleKind.NodeNext,
  moduleResolution: tsc.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
  types: ['node'],
  typeRoots: [join(REPO_ROOT, 'node_modules/@types')],
  noEmit: true,
  // The grader resolves these through the repository's package.json; a lesson copied
  // elsewhere (a test's temporary tree) finds the same declarations here.
  paths: {
    'netlink-lab/client': [join(REPO_ROOT, 'dist/client/src/index.d.ts')],
    'netlink-lab/grader': [join(REPO_ROOT, 'dist/grader/src/check-api.d.ts')],
    'netlink-lab/grader/nlab-kv': [join(REPO_ROOT, 'dist/grader/src/fixtures/nlab-kv.d.ts')],
  },
};

export interface ChecksFile {
  lessonId: string;
  /** Absolute path of checks.ts. */
  file: string;
  /** The path shown in problems. */
  shown: string;
  checks: readonly LessonCheck[];
  json: { path: string; checkLine: (id: string) => number };
}

/**
 * Type errors, and check functions that lesson.json and checks.ts disagree on, by checks.ts
 * (a type error in a file a checks.ts imports goes with the checks.ts of the same folder).
 */
export function checksProblems(files: readonly ChecksFile[], show: (path: string) => string, cacheDir = join(BUILD_DIR, 'lint')): Map<ChecksFile, Problem[]> {
  const out = new Map<ChecksFile, Problem[]>();
  const api = apiDigest();
  const keys = new Map(files.map((f) => [f, cacheKey(f, api)]));
  const stale = files.filter((f) => {
    const hit = join(cacheDir, `${keys.get(f)}.json`);
    if (existsSync(hit)) out.set(f, JSON.parse(readFileSync(hit, 'utf8')) as Problem[]);
    return !out.has(f);
  });
  const fresh = compileAndCompare(stale, show);
  mkdirSync(cacheDir, { recursive: true });
  for (const [f, problems] of fresh) {
    writeFileSync(join(cacheDir, `${keys.get(f)}.json`), JSON.stringify(problems));
    out.set(f, problems);
  }
  return new Map(files.map((f) => [f, out.get(f)!]));
}

/** The declarations checks compile against: the built client library and check API. */
function apiDigest(): string {
  const h = createHash('sha256');
  for (const dir of ['dist/client/src', 'dist/grader/src']) {
    const abs = join(REPO_ROOT, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts')).sort()) h.update(f).update(readFileSync(join(abs, f)));
  }
  return h.digest('hex');
}

/** Everything one file's result depends on: its TypeScript neighbours, lesson.json's checks, how paths are shown. */
function cacheKey(f: ChecksFile, api: string): string {
  const h = createHash('sha256').update(api).update(f.file).update(f.shown).update(f.json.path);
  const dir = dirname(f.file);
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((r) => /\.m?ts$/.test(r)).sort()) h.update(rel).update(readFileSync(join(dir, rel)));
  for (const c of f.checks) h.update(`${c.id}:${c.builtin ?? ''}:${f.json.checkLine(c.id)}`);
  return h.digest('hex').slice(0, 32);
}

function compileAndCompare(files: readonly ChecksFile[], show: (path: string) => string): Map<ChecksFile, Problem[]> {
  const out = new Map(files.map((f) => [f, [] as Problem[]]));
  if (!files.length) return out;
  const ts = tsc;
  const program = ts.createProgram(files.map((f) => f.file), OPTIONS);
  const checker = program.getTypeChecker();
  const owner = (fileName: string): ChecksFile => files.find((f) => resolve(fileName).startsWith(dirname(f.file) + sep)) ?? files[0]!;
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (!d.file || d.start === undefined) {
      out.get(files[0]!)!.push({ file: files[0]!.shown, line: 1, message: `TypeScript: ${text}` });
      continue;
    }
    const line = d.file.getLineAndCharacterOfPosition(d.start).line + 1;
    out.get(owner(d.file.fileName))!.push({ file: show(resolve(d.file.fileName)), line, message: `does not compile: ${text}` });
  }
  for (const f of files) {
    const source = program.getSourceFile(f.file);
    if (!source) continue;
    const problems = out.get(f)!;
    const defined = definedChecks(checker, source);
    if (!defined) {
      problems.push({ file: f.shown, line: 1, message: 'has no default export; it must be `export default defineChecks({ … })`' });
      continue;
    }
    for (const c of f.checks) {
      const fn = defined.get(c.id);
      if (!c.builtin && !c.common && fn === undefined) problems.push({ file: f.json.path, line: f.json.checkLine(c.id), message: `check "${c.id}" has no function in ${f.shown}` });
      if (c.builtin && fn !== undefined) problems.push({ file: f.shown, line: fn, message: `"${c.id}" is a builtin check (${c.builtin}); the grader never runs this function` });
    }
    const listed = new Set(f.checks.map((c) => c.id));
    for (const [id, line] of defined) if (!listed.has(id)) problems.push({ file: f.shown, line, message: `defines check "${id}", which lesson.json does not list` });
  }
  return out;
}

/** The names of the default export's properties, with the line each is declared on. */
function definedChecks(checker: ts.TypeChecker, source: ts.SourceFile): Map<string, number> | undefined {
  const module = checker.getSymbolAtLocation(source);
  const exported = module && checker.getExportsOfModule(module).find((s) => s.escapedName === 'default');
  if (!exported) return undefined;
  const type = checker.getTypeOfSymbol(exported);
  const out = new Map<string, number>();
  for (const p of checker.getPropertiesOfType(type)) {
    const decl = p.declarations?.[0];
    // A property spread in from elsewhere (commonChecks) is declared there: point at the export.
    const where = decl && decl.getSourceFile() === source ? decl : exported.declarations?.[0];
    out.set(p.name, where ? source.getLineAndCharacterOfPosition(where.getStart()).line + 1 : 1);
  }
  return out;
}
