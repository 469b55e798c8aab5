// .lab/progress.json: a partial grade (--only) is kept apart from the last full one.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEntry, readProgress, recordProgress, updateEntry } from '../src/progress.js';
import type { CheckReport, GradeReport } from '../src/report/types.js';

const LESSON_3 = ['builds', 'client-builds', 'loads', 'answer-arrives', 'answer-header', 'output-line', 'client-closes'];
const POINTS: Record<string, number> = { builds: 1, 'client-builds': 1, loads: 1, 'answer-arrives': 2, 'answer-header': 2, 'output-line': 3, 'client-closes': 1 };

function report(passed: Record<string, boolean>, target: 'starter' | 'solution' = 'starter'): GradeReport {
  const checks: CheckReport[] = Object.entries(passed).map(([id, ok]) => ({
    id, title: id, side: 'kernel', points: POINTS[id]!, status: ok ? 'pass' : 'fail', hint: '', hintLink: '', notes: [], durationMs: 1, runs: [],
  }));
  const score = checks.filter((c) => c.status === 'pass').reduce((s, c) => s + c.points, 0);
  return {
    lesson: 'lesson-3', title: 'Round trip', target, kernel: '6.1.0-56-amd64', accel: 'tcg', checks, health: [],
    score, total: checks.reduce((s, c) => s + c.points, 0), timings: { buildMs: 0, guestMs: 0, totalMs: 0, boots: 1 }, logFile: '',
  };
}

const all = (ok: boolean): Record<string, boolean> => Object.fromEntries(LESSON_3.map((id) => [id, ok]));

describe('progress', () => {
  it('keeps the full grade when one check is re-run with --only, and shows both', () => {
    const full = updateEntry(undefined, report(all(true)), LESSON_3, '2026-12-02T02:00:00.000Z');
    const after = updateEntry(full, report({ 'answer-header': false }), LESSON_3, '2026-12-02T02:10:00.000Z');
    expect(after.full).toEqual({ score: 11, total: 11, kernel: '6.1.0-56-amd64', at: '2026-12-02T02:00:00.000Z', failed: [] });
    expect(after.partial).toEqual({ score: 0, total: 2, kernel: '6.1.0-56-amd64', at: '2026-12-02T02:10:00.000Z', failed: ['answer-header'], checks: ['answer-header'] });
    expect(describeEntry(after)).toEqual({ done: true, text: '11/11  2026-12-02 02:00  · then --only answer-header: 0/2  2026-12-02 02:10' });
  });

  it('lets a later full grade replace both', () => {
    const partial = updateEntry(undefined, report({ loads: true }), LESSON_3, '2026-12-02T02:00:00.000Z');
    expect(describeEntry(partial)).toEqual({ done: undefined, text: 'no full grade yet  · then --only loads: 1/1  2026-12-02 02:00' });
    const full = updateEntry(partial, report({ ...all(true), 'output-line': false }), LESSON_3, '2026-12-02T02:05:00.000Z');
    expect(full).toEqual({ target: 'starter', full: { score: 8, total: 11, kernel: '6.1.0-56-amd64', at: '2026-12-02T02:05:00.000Z', failed: ['output-line'] } });
    expect(describeEntry(full).done).toBe(false);
  });

  it('writes the file, ignores solution grades, and reads an older flat entry as a full grade', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nlab-progress-')), 'progress.json');
    writeFileSync(file, JSON.stringify({ 'lesson-1': { target: 'starter', score: 4, total: 6, kernel: 'k', at: '2026-11-01T10:00:00.000Z' } }));
    recordProgress(report(all(true)), LESSON_3, file);
    recordProgress(report({ 'answer-header': false }), LESSON_3, file);
    recordProgress(report(all(false), 'solution'), LESSON_3, file);
    const read = readProgress(file);
    expect(read['lesson-1']).toEqual({ target: 'starter', full: { score: 4, total: 6, kernel: 'k', at: '2026-11-01T10:00:00.000Z' } });
    expect(read['lesson-3']?.full?.score).toBe(11);
    expect(read['lesson-3']?.partial?.checks).toEqual(['answer-header']);
    expect(JSON.parse(readFileSync(file, 'utf8'))['lesson-3'].partial.score).toBe(0);
    writeFileSync(file, '{ damaged');
    expect(readProgress(file)).toEqual({});
  });
});
