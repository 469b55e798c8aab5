// The student's progress (.lab/progress.json): per lesson, the last full grade of their own
// code, and apart from it the last partial one (`--only`), so that re-running one check never
// hides the full result. A full grade clears the partial one. Entries written before partial
// grades were kept apart (flat score/total) read as full grades.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LAB_STATE } from '../../kernel/src/index.js';
import type { GradeReport } from './report/types.js';

export interface GradeResult {
  score: number;
  total: number;
  kernel: string;
  /** ISO time of the grade. */
  at: string;
  /** The checks that failed or errored (left out by graders before it was kept). */
  failed?: string[];
}

export interface PartialResult extends GradeResult {
  /** The checks that ran (`--only`). */
  checks: string[];
}

export interface ProgressEntry {
  target: 'starter';
  full?: GradeResult;
  partial?: PartialResult;
}

export const PROGRESS_FILE = join(LAB_STATE, 'progress.json');

/** An entry as read from the file, in the current form (older files kept one flat result). */
function normalize(raw: unknown): ProgressEntry | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const e = raw as Record<string, unknown>;
  if ('full' in e || 'partial' in e) return raw as ProgressEntry;
  if (typeof e.score === 'number' && typeof e.total === 'number') {
    return { target: 'starter', full: { score: e.score, total: e.total, kernel: String(e.kernel ?? ''), at: String(e.at ?? '') } };
  }
  return undefined;
}

export function readProgress(file = PROGRESS_FILE): Record<string, ProgressEntry> {
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {}; // a damaged progress file only loses history
  }
  const out: Record<string, ProgressEntry> = {};
  for (const [id, e] of Object.entries(raw && typeof raw === 'object' ? raw : {})) {
    const entry = normalize(e);
    if (entry) out[id] = entry;
  }
  return out;
}

/**
 * The entry after a grade: a grade of every check of the lesson (`lessonChecks`) replaces the
 * full result and drops the partial one; a grade of fewer checks replaces only the partial one.
 */
export function updateEntry(previous: ProgressEntry | undefined, r: GradeReport, lessonChecks: readonly string[], at: string): ProgressEntry {
  const result: GradeResult = { score: r.score, total: r.total, kernel: r.kernel, at, failed: r.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id) };
  const ran = new Set(r.checks.map((c) => c.id));
  if (lessonChecks.every((id) => ran.has(id))) return { target: 'starter', full: result };
  return { target: 'starter', ...(previous?.full ? { full: previous.full } : {}), partial: { ...result, checks: r.checks.map((c) => c.id) } };
}

/** Records a grade of the student's own code (solution grades, and grades that ran no check, are not progress). */
export function recordProgress(r: GradeReport, lessonChecks: readonly string[], file = PROGRESS_FILE): void {
  if (r.target !== 'starter' || !r.checks.length) return;
  const all = readProgress(file);
  all[r.lesson] = updateEntry(all[r.lesson], r, lessonChecks, new Date().toISOString());
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

const when = (at: string): string => at.slice(0, 16).replace('T', ' ');

/** The list's words for an entry: the full grade, then a later partial one if any. */
export function describeEntry(e: ProgressEntry | undefined): { done: boolean | undefined; text: string } {
  if (!e?.full && !e?.partial) return { done: undefined, text: 'not graded yet' };
  const parts = e.full ? [`${e.full.score}/${e.full.total}  ${when(e.full.at)}`] : ['no full grade yet'];
  if (e.partial) parts.push(`then --only ${e.partial.checks.join(', ')}: ${e.partial.score}/${e.partial.total}  ${when(e.partial.at)}`);
  return { done: e.full ? e.full.score === e.full.total : undefined, text: parts.join('  · ') };
}
