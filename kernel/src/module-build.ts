// Builds an out-of-tree module folder against a kernel's headers. The build runs in a copy
// under .lab/build, so a lesson's starter/ and solution/ never fill with objects, and a
// folder whose sources did not change is not rebuilt.

import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { parseDiagnostics, type Diagnostic } from './diagnostics.js';
import { requireHeaders, type Kernel } from './kernels.js';
import { withLock } from './common/lock.js';
import { BUILD_DIR, REPO_ROOT } from './common/paths.js';

export interface ModuleBuild {
  ok: boolean;
  /** Built modules (absolute paths in the build tree), by module name. */
  modules: Record<string, string>;
  diagnostics: Diagnostic[];
  /** The full make output. */
  log: string;
  /** The build tree (a copy of the sources, with the objects): paths in `log` are relative to it. */
  tree: string;
  /** True when nothing changed since the last good build and make was skipped. */
  cached: boolean;
  durationMs: number;
}

const SOURCE = /\.(c|h)$|^(Kbuild|Makefile)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => SOURCE.test(f.slice(f.lastIndexOf('/') + 1)) && statSync(join(dir, f)).isFile())
    .sort();
}

function hashSources(dir: string, files: readonly string[], extra: string): string {
  const h = createHash('sha256').update(extra);
  for (const f of files) h.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
  return h.digest('hex');
}

/** A hash of a module folder's sources (C, headers, Kbuild, Makefile): what a build depends on. */
export function moduleSourceHash(dir: string): string {
  return hashSources(dir, sourceFiles(dir), '');
}

function builtModules(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.ko'))
      .map((f) => [f.slice(0, -3), join(dir, f)]),
  );
}

/**
 * A Kbuild that builds the same objects as `kbuild` into a module named `to`, so a second
 * copy of a module (the grader's reference) can be loaded beside the first.
 */
export function renamedKbuild(kbuild: string, to: string): string {
  const m = /^obj-m\s*[:+]?=\s*(\S+)\.o\s*$/m.exec(kbuild);
  if (!m) throw new Error('Kbuild has no single "obj-m := name.o" line to rename');
  const from = m[1]!;
  const composite = new RegExp(`^${from}-(y|objs)\\s*[:+]?=`, 'm').test(kbuild);
  const renamed = kbuild.replace(new RegExp(`\\b${from}(?=(\\.o\\b|-y\\b|-objs\\b))`, 'g'), to);
  return composite ? renamed : `${renamed.trimEnd()}\n${to}-y := ${from}.o\n`;
}

/**
 * The build tree for one set of sources, flags and kernel: named by their hash, so that the
 * same sources in another folder (a lesson's copy, a mutant's reference module) reuse it.
 */
function buildTreeFor(kernel: Kernel, hash: string, opts: { renameTo?: string | undefined; tag?: string | undefined }): string {
  return join(BUILD_DIR, kernel.release, 'modules', hash.slice(0, 20)) + (opts.renameTo ? `@${opts.renameTo}` : '') + (opts.tag ? `+${opts.tag}` : '');
}

/**
 * Runs `make -C <headers> M=<copy> W=1 modules`. Compiler diagnostics come back with the
 * paths of the original sources. A missing headers tree throws a LabError.
 */
export async function buildModule(
  sourceDir: string,
  kernel: Kernel,
  opts: { extraFlags?: string[]; renameTo?: string; /** A build tree of its own, e.g. `sparse` for a checker run. */ tag?: string } = {},
): Promise<ModuleBuild> {
  const headers = requireHeaders(kernel);
  const src = resolve(sourceDir);
  const files = sourceFiles(src);
  const flags = ['W=1', ...(opts.extraFlags ?? [])];
  const hash = hashSources(src, files, `${headers}\0${flags.join(' ')}\0${opts.renameTo ?? ''}\0${opts.tag ?? ''}`);
  const tree = buildTreeFor(kernel, hash, opts);
  const started = performance.now();
  // Another grader may be building this very tree: wait for it, then its build is ours.
  return withLock(`${tree}.lock`, () => buildTree({ src, tree, files, flags, hash, headers, renameTo: opts.renameTo, started }));
}

async function buildTree(b: { src: string; tree: string; files: string[]; flags: string[]; hash: string; headers: string; renameTo: string | undefined; started: number }): Promise<ModuleBuild> {
  const { src, tree, files, flags, hash, headers, started } = b;
  const stampFile = join(tree, '.lab-source-hash');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) {
    const log = readFileSync(join(tree, '.lab-build.log'), 'utf8');
    const mapPath = (p: string) => join(src, relative(tree, resolve(tree, p)));
    return { ok: true, modules: builtModules(tree), diagnostics: parseDiagnostics(log, mapPath), log, tree, cached: true, durationMs: performance.now() - started };
  }

  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  for (const f of files) cpSync(join(src, f), join(tree, f));
  if (b.renameTo) writeFileSync(join(tree, 'Kbuild'), renamedKbuild(readFileSync(join(src, 'Kbuild'), 'utf8'), b.renameTo));
  const r = await execa('make', ['-C', headers, `M=${tree}`, ...flags, 'modules'], { all: true, reject: false, env: { LC_ALL: 'C' } });
  const log = r.all ?? '';
  // gcc prints paths relative to the headers tree or absolute in the copy: map both back.
  const mapPath = (p: string) => {
    const abs = resolve(headers, p);
    return abs.startsWith(`${tree}/`) ? join(src, relative(tree, abs)) : p;
  };
  const diagnostics = parseDiagnostics(log, mapPath);
  const ok = r.exitCode === 0 && !diagnostics.some((d) => d.severity === 'error');
  writeFileSync(join(tree, '.lab-build.log'), log);
  if (ok) writeFileSync(stampFile, hash);
  return { ok, modules: ok ? builtModules(tree) : {}, diagnostics, log, tree, cached: false, durationMs: performance.now() - started };
}
