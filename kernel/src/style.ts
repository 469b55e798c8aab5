// Runs the kernel's own review tools on a module folder: checkpatch.pl --strict and
// kernel-doc (from the kernel source tarball, unpacked by setup into .lab/checkpatch) and
// sparse through Kbuild (`C=2 CHECK=sparse`). What a reviewer's bot says before a person
// reads the patch.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { LabError } from './common/errors.js';
import type { Kernel } from './kernels.js';
import { buildModule } from './module-build.js';
import { CACHE_DIR, LAB_STATE, REPO_ROOT } from './common/paths.js';
import { parseCheckpatch, parseKernelDoc, parseSparseLog, sortFindings, sparseCheckedFiles, type StyleFinding, type StyleTool } from './style-findings.js';

export type { StyleFinding, StyleSeverity, StyleTool } from './style-findings.js';

/** A style tool that is not installed or cannot run on this input. */
export class StyleToolError extends LabError {
  override name = 'StyleToolError';
  constructor(
    readonly tool: StyleTool,
    message: string,
    fix?: string,
    /** The tool is there, but this input cannot be checked (a module that does not compile). */
    readonly blocked = false,
  ) {
    super(message, fix);
  }
}

/** Where setup unpacks checkpatch.pl, its word lists and kernel-doc. */
export const CHECKPATCH_DIR = join(LAB_STATE, 'checkpatch');
const CHECKPATCH = join(CHECKPATCH_DIR, 'scripts', 'checkpatch.pl');
const CHECKPATCH_ARGS = ['--strict', '--no-tree', '--no-summary', '--terse', '--show-types', '--color=never', '-f'];
const KERNEL_DOC = join(CHECKPATCH_DIR, 'scripts', 'kernel-doc');
// What Kbuild runs on each .c file at W=2 (scripts/Makefile.build, cmd_checkdoc), -Wall
// adding the return-value and short-description warnings.
const KERNEL_DOC_ARGS = ['-none', '-Wall'];

/** The C sources (.c, .h) of a module folder, sorted; Kbuild's own `*.mod.c` left out. */
export function moduleSources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(c|h)$/.test(f) && !f.endsWith('.mod.c') && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

/** The .c files `file` includes by `#include "NAME.c"`, resolved beside it; none when it cannot be read. */
function includedSources(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return [...text.matchAll(/^#\s*include\s+"([^"]+\.c)"/gm)].map((m) => join(dirname(file), m[1]!));
}

/** A path inside the repository as `lessons/…`, anything else absolute. */
function shown(path: string): string {
  const rel = relative(REPO_ROOT, resolve(path));
  return rel.startsWith('..') ? resolve(path) : rel;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

/**
 * `checkpatch.pl --strict --no-tree -f FILE…`. The result is cached by the files' contents.
 * It runs in its own folder with HOME set there, so no `.checkpatch.conf` of the caller's changes it.
 */
export async function runCheckpatch(files: readonly string[]): Promise<StyleFinding[]> {
  if (!existsSync(CHECKPATCH)) throw new StyleToolError('checkpatch', `checkpatch.pl is not in ${CHECKPATCH_DIR}`, 'run npm run setup (it unpacks checkpatch from linux-source-6.12)');
  if (!files.length) return [];
  const abs = files.map((f) => resolve(f));
  const cacheFile = styleCacheFile('checkpatch', CHECKPATCH, abs);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as StyleFinding[];

  const r = await execa('perl', [CHECKPATCH, ...CHECKPATCH_ARGS, ...abs], { cwd: CHECKPATCH_DIR, env: { HOME: CHECKPATCH_DIR, LC_ALL: 'C' }, reject: false });
  // checkpatch exits 1 when it has findings; anything else is the tool failing.
  if (r.failed && r.exitCode !== 1) {
    const why = (r.stderr || r.stdout || r.message || '').split('\n')[0];
    throw new StyleToolError('checkpatch', `checkpatch.pl failed: ${why}`, 'is perl installed? run npm run setup');
  }
  return cached(cacheFile, sortFindings(parseCheckpatch(r.stdout, shown)));
}

/** Where a tool's findings on these files are kept: named by the script's and the files' contents. */
function styleCacheFile(tool: StyleTool, script: string, abs: readonly string[]): string {
  const h = createHash('sha256').update(readFileSync(script));
  for (const f of abs) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  return join(CACHE_DIR, 'style', `${tool}-${h.digest('hex').slice(0, 32)}.json`);
}

function cached(cacheFile: string, findings: StyleFinding[]): StyleFinding[] {
  mkdirSync(join(CACHE_DIR, 'style'), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(findings));
  return findings;
}

/**
 * `kernel-doc -none -Wall FILE…`: the documentation comments (`/**`) checked against the
 * declarations they describe, as `make W=1` does for each .c file, here for any file (a uAPI
 * header is never compiled, so Kbuild never checks it). Cached like checkpatch.
 */
export async function runKernelDoc(files: readonly string[]): Promise<StyleFinding[]> {
  if (!existsSync(KERNEL_DOC)) throw new StyleToolError('kernel-doc', `kernel-doc is not in ${CHECKPATCH_DIR}/scripts`, 'run npm run setup (it unpacks kernel-doc from linux-source-6.12)');
  if (!files.length) return [];
  const abs = files.map((f) => resolve(f));
  const missing = abs.filter((f) => !existsSync(f));
  if (missing.length) throw new StyleToolError('kernel-doc', `no such file: ${missing.map(shown).join(', ')}`, undefined, true);
  const cacheFile = styleCacheFile('kernel-doc', KERNEL_DOC, abs);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as StyleFinding[];
  const r = await execa('perl', [KERNEL_DOC, ...KERNEL_DOC_ARGS, ...abs], { env: { LC_ALL: 'C' }, reject: false });
  // Without -Werror it exits 0 whatever it finds; anything else is the tool failing.
  if (r.failed) {
    const why = (r.stderr || r.stdout || r.message || '').split('\n')[0];
    throw new StyleToolError('kernel-doc', `kernel-doc failed: ${why}`, 'is perl installed? run npm run setup');
  }
  return cached(cacheFile, sortFindings(parseKernelDoc(r.stderr, shown)));
}

/**
 * sparse on every source of a module folder, through `make C=2 CHECK=sparse` in a build tree
 * of its own (cached like any module build), against `kernel`'s headers. A module that does
 * not compile cannot be checked: that throws a StyleToolError.
 */
export async function runSparse(moduleDir: string, kernel: Kernel): Promise<StyleFinding[]> {
  if (!onPath('sparse')) throw new StyleToolError('sparse', 'sparse is not installed', 'run npm run setup (or apt-get install sparse)');
  const src = resolve(moduleDir);
  const b = await buildModule(src, kernel, { extraFlags: ['C=2', 'CHECK=sparse'], tag: 'sparse' });
  const { tree } = b;
  if (!b.ok) throw new StyleToolError('sparse', 'sparse did not run: the module does not compile', undefined, true);
  const mapPath = (p: string) => {
    const abs = resolve(tree, p);
    return shown(abs.startsWith(`${tree}/`) ? join(src, relative(tree, abs)) : abs);
  };
  // No CHECK step means make never called sparse (C= ignored): silence that proves nothing.
  const checked = new Set(sparseCheckedFiles(b.log).map(mapPath));
  // A .c that a checked source #includes (a generated file, say) is checked as part of it.
  for (const f of [...checked]) for (const inc of includedSources(resolve(REPO_ROOT, f))) checked.add(shown(inc));
  const unchecked = moduleSources(src).filter((f) => f.endsWith('.c') && !checked.has(shown(f)));
  if (unchecked.length) throw new StyleToolError('sparse', `sparse did not run on ${unchecked.map(shown).join(', ')}`);
  return sortFindings(parseSparseLog(b.log, mapPath));
}

/**
 * The review tools on one module folder, each run at most once however many callers ask
 * (a grade's style section and its scored gates share one run).
 */
export interface StyleRuns {
  checkpatch(): Promise<StyleFinding[]>;
  sparse(): Promise<StyleFinding[]>;
  kernelDoc(files: readonly string[]): Promise<StyleFinding[]>;
}

export function styleRuns(moduleDir: string, kernel: Kernel): StyleRuns {
  let checkpatch: Promise<StyleFinding[]> | undefined;
  let sparse: Promise<StyleFinding[]> | undefined;
  const kernelDoc = new Map<string, Promise<StyleFinding[]>>();
  return {
    checkpatch: () => (checkpatch ??= runCheckpatch(moduleSources(moduleDir))),
    sparse: () => (sparse ??= runSparse(moduleDir, kernel)),
    kernelDoc: (files) => {
      const key = files.join('\0');
      if (!kernelDoc.has(key)) kernelDoc.set(key, runKernelDoc(files));
      return kernelDoc.get(key)!;
    },
  };
}

/** checkpatch and sparse on one module folder: their findings, and why a tool did not run. */
export interface ModuleStyle {
  findings: StyleFinding[];
  notRun: { tool: StyleTool; reason: string }[];
  durationMs: number;
}

/**
 * checkpatch and sparse on a module folder, one after the other. A tool that cannot run
 * (not installed, the module does not compile, any other failure) is named in `notRun`:
 * this never throws, so a caller can treat it as advice. checkpatch findings of an `allowed`
 * type (a lesson's listed exceptions) are left out.
 */
export async function checkModuleStyle(moduleDir: string, kernel: Kernel, allowed: readonly string[] = [], runs: StyleRuns = styleRuns(moduleDir, kernel)): Promise<ModuleStyle> {
  const started = performance.now();
  const notRun: ModuleStyle['notRun'] = [];
  const attempt = async (tool: StyleTool, run: () => Promise<StyleFinding[]>): Promise<StyleFinding[]> => {
    try {
      return await run();
    } catch (e) {
      const reason = e instanceof LabError && e.fix ? `${e.message} (${e.fix})` : e instanceof Error ? e.message : String(e);
      notRun.push({ tool, reason: reason.split('\n')[0]! });
      return [];
    }
  };
  const found = [...(await attempt('checkpatch', runs.checkpatch)), ...(await attempt('sparse', runs.sparse))].filter(
    (f) => !(f.tool === 'checkpatch' && f.type && allowed.includes(f.type)),
  );
  return { findings: sortFindings(found), notRun, durationMs: performance.now() - started };
}
