// The student's progress: the last result per lesson, in a small local file (.lab/progress.json).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LAB_STATE } from '../../kernel/src/paths.js';
import type { GradeReport } from './report/types.js';

export interface ProgressEntry {
  target: 'starter' | 'solution';
  score: number;
  total: number;
  kernel: string;
  at: string;
}

export const PROGRESS_FILE = join(LAB_STATE, 'progress.json');

export function readProgress(): Record<string, ProgressEntry> {
  if (!existsSync(PROGRESS_FILE)) return {};
  try {
    return JSON.parse(readFileSync(PROGRESS_FILE, 'utf8')) as Record<string, ProgressEntry>;
  } catch {
    return {}; // a damaged progress file only loses history
  }
}

/** Records a grade of the student's own code (solution grades are not progress). */
export function recordProgress(r: GradeReport): void {
  if (r.target !== 'starter') return;
  const all = readProgress();
  all[r.lesson] = { target: r.target, score: r.score, total: r.total, kernel: r.kernel, at: new Date().toISOString() };
  mkdirSync(dirname(PROGRESS_FILE), { recursive: true });
  writeFileSync(PROGRESS_FILE, `${JSON.stringify(all, null, 2)}\n`);
}
