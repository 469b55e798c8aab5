// Compiles a lesson's TypeScript (the client and the checks) for the guest, with diagnostics
// as file:line. Output goes under .lab/build, inside the repository, so that imports of
// `netlink-lab/client` resolve through the root package.json.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import type * as TypeScript from 'typescript';
import { BUILD_DIR, type Diagnostic, REPO_ROOT, withLockSync } from '../../kernel/src/index.js';

export interface TsBuild {
  ok: boolean;
  /** Compiled .js for each entry file, by source path. */
  outputs: Record<string, string>;
  diagnostics: Diagnostic[];
  cached: boolean;
  durationMs: number;
}

/**
 * The compiler, loaded on the first real compile: a grade whose builds are all cached never
 * pays the ~0.5 s (seconds on a busy machine) that loading it takes.
 */
let loaded: typeof TypeScript | undefined;
function typescript(): typeof TypeScript {
  loaded ??= createRequire(import.meta.url)('typescript') as typeof TypeScript;
  return loaded;
}

function compilerOptions(ts: typeof TypeScript): TypeScript.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    sourceMap: false,
    // A type error is reported as a failed "builds" check, but the code still runs, so the
    // other checks can say what works.
    noEmitOnError: false,
  };
}

function toDiagnostic(ts: typeof TypeScript, d: TypeScript.Diagnostic): Diagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  const severity = d.category === ts.DiagnosticCategory.Error ? 'error' : 'warning';
  if (!d.file || d.start === undefined) return { severity, message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { file: d.file.fileName, line: line + 1, column: character + 1, severity, message };
}

/**
 * Declaration files parsed once per process: every compile reads the same lib and @types
 * files, and parsing them is most of a small program's compile time. Keyed by path and mtime.
 */
const declarations = new Map<string, { mtimeMs: number; file: TypeScript.SourceFile }>();

function cachingHost(ts: typeof TypeScript, options: TypeScript.CompilerOptions): TypeScript.CompilerHost {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!fileName.endsWith('.d.ts')) return read(fileName, languageVersion, onError, shouldCreate);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(fileName).mtimeMs;
    } catch {
      return read(fileName, languageVersion, onError, shouldCreate);
    }
    const hit = declarations.get(fileName);
    if (hit?.mtimeMs === mtimeMs) return hit.file;
    const file = read(fileName, languageVersion, onError, shouldCreate);
    if (file) declarations.set(fileName, { mtimeMs, file });
    return file;
  };
  return host;
}

let types: string | undefined;

/**
 * Types come from the built client library and check API (`netlink-lab/client`,
 * `netlink-lab/grader`): a change in any of their declarations invalidates a compile too.
 * Hashed once per process: the grader's own dist/ does not change under a running grader
 * (a grade compiles three programs, and --watch re-grades many times).
 */
function typesDigest(): string {
  if (types !== undefined) return types;
  const h = createHash('sha256');
  for (const dir of ['dist/client/src', 'dist/grader/src']) {
    const abs = join(REPO_ROOT, dir);
    if (!existsSync(abs)) continue;
    for (const f of (readdirSync(abs, { recursive: true }) as string[]).filter((f) => f.endsWith('.d.ts')).sort()) h.update(f).update(readFileSync(join(abs, f)));
  }
  return (types = h.digest('hex'));
}

/**
 * Compiles `entries` (absolute .ts paths), rooted at `rootDir`, into a folder named by the
 * sources' content: the same client or checks in another folder (a mutant's copy of a
 * lesson) reuse one compile. Diagnostics are kept relative to `rootDir` and given back with
 * this call's paths.
 */
export function compileTs(entries: readonly string[], rootDir: string): TsBuild {
  const started = performance.now();
  const root = resolve(rootDir);
  const h = createHash('sha256');
  // Every TypeScript file beside an entry, since an entry may import them (e.g. generated codecs).
  const sources = new Set(entries);
  for (const e of entries) {
    for (const f of readdirSync(dirname(e), { recursive: true }) as string[]) if (/\.m?ts$/.test(f)) sources.add(join(dirname(e), f));
  }
  h.update(entries.map((e) => relative(root, e)).join('\0')).update('\0\0');
  for (const f of [...sources].sort()) h.update(relative(root, f)).update(readFileSync(f));
  h.update(typesDigest());
  const digest = h.digest('hex');
  const outDir = join(BUILD_DIR, 'ts', digest.slice(0, 20));
  // Another grader may be compiling into this very folder: wait for it, then its output is ours.
  return withLockSync(`${outDir}.lock`, () => compileInto(entries, root, outDir, started));
}

function compileInto(entries: readonly string[], root: string, outDir: string, started: number): TsBuild {
  const done = join(outDir, '.lab-ts-done');
  const outputs = Object.fromEntries(entries.map((e) => [e, join(outDir, relative(root, e)).replace(/\.m?ts$/, '.js')]));
  const diagFile = join(outDir, '.lab-ts-diagnostics.json');
  // Stored relative to the root (files outside it, such as @types, stay absolute).
  const toStored = (d: Diagnostic): Diagnostic => (d.file && d.file.startsWith(`${root}/`) ? { ...d, file: relative(root, d.file) } : d);
  const fromStored = (d: Diagnostic): Diagnostic => (d.file && !d.file.startsWith('/') ? { ...d, file: join(root, d.file) } : d);
  if (existsSync(done)) {
    const diagnostics = (JSON.parse(readFileSync(diagFile, 'utf8')) as Diagnostic[]).map(fromStored);
    return { ok: !diagnostics.some((d) => d.severity === 'error'), outputs, diagnostics, cached: true, durationMs: performance.now() - started };
  }
  const ts = typescript();
  const options = { ...compilerOptions(ts), rootDir: root, outDir };
  const program = ts.createProgram([...entries], options, cachingHost(ts, options));
  const emit = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emit.diagnostics].map((d) => toDiagnostic(ts, d));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(diagFile, JSON.stringify(diagnostics.map(toStored)));
  writeFileSync(done, '');
  const ok = !diagnostics.some((d) => d.severity === 'error') && Object.values(outputs).every(existsSync);
  return { ok, outputs, diagnostics, cached: false, durationMs: performance.now() - started };
}
