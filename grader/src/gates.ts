// The host-side builtin checks that mirror a reviewer's bots: the module builds without
// warnings at W=1 (`kernel-builds`), the scored review gates `checkpatch` (--strict),
// `sparse` and `kernel-doc` (on the files a check lists), and `generated` (the lesson's
// generated files are what their tools make of the graded copy's input). Each fails with the
// tool's own findings, file:line first; a tool that cannot run is an error that says how to fix it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Diagnostic, formatDiagnostic, formatFinding, LabError, type ModuleBuild, type StyleFinding, type StyleRuns, StyleToolError } from '../../kernel/src/index.js';
import { runGeneratorAsync } from './lesson/generators.js';
import { type GateBuiltin, type GeneratedFile, isGate, type LessonCheck } from './lesson/schema.js';

/** A builtin check's verdict, before it becomes a run of the report. */
export interface BuiltinVerdict {
  status: 'pass' | 'fail' | 'error' | 'skip';
  message?: string;
  /** What the report shows under the message: one finding or diagnostic a line. */
  notes?: string[];
}

/** At most this many findings are listed, then how many more there are. */
const LISTED = 8;

function listed<T>(items: readonly T[], format: (x: T) => string): string[] {
  return items.slice(0, LISTED).map(format).concat(items.length > LISTED ? [`… and ${items.length - LISTED} more`] : []);
}

/** `kernel-builds`: the module compiles, and W=1 has nothing to say about it. */
export function buildVerdict(b: Pick<ModuleBuild, 'ok' | 'diagnostics'>): BuiltinVerdict {
  const notes = (d: readonly Diagnostic[]) => listed(d, formatDiagnostic);
  if (!b.ok) return { status: 'fail', message: 'the module does not compile', notes: notes(b.diagnostics.filter((d) => d.severity === 'error')) };
  const warnings = b.diagnostics.filter((d) => d.severity !== 'note');
  if (warnings.length) return { status: 'fail', message: `the module compiles with ${warnings.length} warning(s) under W=1`, notes: notes(warnings) };
  return { status: 'pass' };
}

const GATE_COMMAND: Record<GateBuiltin, string> = {
  checkpatch: 'checkpatch.pl --strict',
  sparse: 'sparse',
  'kernel-doc': 'kernel-doc -none -Wall',
};

/**
 * The files a kernel-doc check's patterns name inside `dir`, sorted: a pattern is a path
 * relative to the module folder whose last segment may hold `*` (any characters but `/`).
 * A pattern that names nothing is returned in `unmatched`.
 */
export function gateFiles(dir: string, patterns: readonly string[]): { files: string[]; unmatched: string[] } {
  const files = new Set<string>();
  const unmatched: string[] = [];
  for (const p of patterns) {
    const slash = p.lastIndexOf('/');
    const folder = join(dir, p.slice(0, slash + 1));
    const name = new RegExp(`^${p.slice(slash + 1).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    let entries: string[] = [];
    try {
      entries = readdirSync(folder).filter((f) => name.test(f) && statSync(join(folder, f)).isFile());
    } catch {
      // no such folder: the pattern names nothing
    }
    if (!entries.length) unmatched.push(p);
    for (const f of entries) files.add(join(folder, f));
  }
  return { files: [...files].sort(), unmatched };
}

/**
 * A review gate on the module in `moduleDir`, with the tool runs the grade shares with its
 * style section. checkpatch findings of an `allowed` type (the lesson's styleExceptions) do
 * not count. A module that does not compile cannot be checked by sparse: that is a skip.
 */
export async function gateVerdict(check: Pick<LessonCheck, 'builtin' | 'files'>, moduleDir: string, runs: StyleRuns, allowed: readonly string[] = []): Promise<BuiltinVerdict> {
  const gate = check.builtin;
  if (!isGate(gate)) return { status: 'error', message: `the builtin check "${String(gate)}" has no result: it is not a review gate, and nothing else ran it` };
  let findings: StyleFinding[];
  try {
    if (gate === 'checkpatch') findings = (await runs.checkpatch()).filter((f) => !(f.type && allowed.includes(f.type)));
    else if (gate === 'sparse') findings = await runs.sparse();
    else {
      const { files, unmatched } = gateFiles(moduleDir, check.files ?? []);
      if (unmatched.length) return { status: 'fail', message: `no file matches ${unmatched.join(', ')} in the module's folder: the check documents it with kernel-doc` };
      findings = await runs.kernelDoc(files);
    }
  } catch (e) {
    if (e instanceof StyleToolError && e.blocked) return { status: 'skip', message: `not run: ${e.message}` };
    if (e instanceof LabError) return { status: 'error', message: e.fix ? `${e.message}: ${e.fix}` : e.message };
    // Never thrown: the grade awaits this after its guest checks, and a rejection meanwhile would end the process.
    return { status: 'error', message: `${GATE_COMMAND[gate]} did not run: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  if (!findings.length) return { status: 'pass' };
  return { status: 'fail', message: `${GATE_COMMAND[gate]} reports ${findings.length} problem(s)`, notes: listed(findings, formatFinding) };
}

/** The first line where `a` and `b` differ (1-based), with both versions of it. */
function firstDifference(a: string, b: string): { line: number; committed: string; made: string } {
  const x = a.split('\n');
  const y = b.split('\n');
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return { line: i + 1, committed: x[i] ?? '(end of file)', made: y[i] ?? '(end of file)' };
}

/**
 * `generated`: each entry's tool, run on the graded copy's input (`path` maps a lesson path such
 * as client/nlab_kv.yaml to the copy's file), makes exactly the committed output. A tool that
 * refuses the input (a spec that fails its schema) fails the check with the tool's words.
 */
export async function generatedVerdict(entries: readonly GeneratedFile[], path: (rel: string) => string): Promise<BuiltinVerdict> {
  const notes: string[] = [];
  for (const g of entries) {
    let input: string;
    let committed: string;
    try {
      input = readFileSync(path(g.from), 'utf8');
      committed = readFileSync(path(g.file), 'utf8');
    } catch (e) {
      return { status: 'fail', message: `${(e as NodeJS.ErrnoException).path ?? g.file} is missing: the lesson's generated files are committed beside their input` };
    }
    let made: string;
    try {
      made = await runGeneratorAsync(g, input);
    } catch (e) {
      return { status: 'fail', message: `${g.tool} refuses ${g.from}`, notes: [(e as Error).message] };
    }
    if (made === committed) continue;
    const d = firstDifference(committed, made);
    notes.push(`${g.file}:${d.line}: committed ${JSON.stringify(d.committed.slice(0, 100))}, ${g.tool} makes ${JSON.stringify(d.made.slice(0, 100))}`);
  }
  if (!notes.length) return { status: 'pass' };
  return { status: 'fail', message: `${notes.length} generated file(s) differ from what their tool makes of ${entries[0]!.from}: run the generator again, and never edit its output`, notes };
}
