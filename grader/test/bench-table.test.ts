// The README's performance table is generated from grader/bench-results.json; these keep the
// generator honest and the committed table in step with the file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kernel/src/index.js';
import { mergeRows, readResults, tableMarkdown, TABLE_END, TABLE_START, toRow, withTable } from '../src/bench-table.js';

const figure = (median: number, targetMs?: number) => ({
  id: 'grade-warm',
  name: 'grade lesson-3 --solution, warm guest',
  unit: 'ms' as const,
  runs: [median + 300, median, median - 200],
  median,
  min: median - 200,
  max: median + 300,
  command: 'npm run grade lesson-3 -- --solution --warm',
  ...(targetMs ? { targetMs, met: median <= targetMs } : {}),
});

describe('the performance table', () => {
  it('says whether a figure meets its target, with the spread of its runs', () => {
    expect(toRow(figure(4_200, 6_000), '2026-12-06, TCG')).toMatchObject({ figure: 'grade lesson-3 --solution, warm guest, median of 3', value: '4.20 s (4.00 s–4.50 s)', target: '≤ 6.00 s: met' });
    expect(toRow(figure(7_000, 6_000), 'x').target).toBe('≤ 6.00 s: **missed**');
    expect(toRow(figure(7_000), 'x').target).toBe('');
  });

  it('replaces a re-measured row in place and puts a new one after the figure recorded before it', () => {
    const old = { rows: [toRow({ ...figure(9_000), id: 'a' }, 'old'), toRow({ ...figure(9_000), id: 'b' }, 'old')] };
    const merged = mergeRows(old, [toRow({ ...figure(5_000), id: 'a' }, 'new'), toRow({ ...figure(1_000), id: 'c' }, 'new')]);
    expect(merged.rows.map((r) => [r.id, r.measured])).toEqual([['a', 'new'], ['c', 'new'], ['b', 'old']]);
    // A run whose first figure is new appends it.
    expect(mergeRows(old, [toRow({ ...figure(1_000), id: 'd' }, 'new')]).rows.map((r) => r.id)).toEqual(['a', 'b', 'd']);
  });

  it('writes only between its markers, and refuses a README without them', () => {
    const readme = `intro\n${TABLE_START}\nstale\n${TABLE_END}\nafter\n`;
    expect(withTable(readme, '| t |')).toBe(`intro\n${TABLE_START}\n| t |\n${TABLE_END}\nafter\n`);
    expect(() => withTable('no markers', '| t |')).toThrow(/markers/);
  });

  it('is what the committed README shows (run `npm run bench -- table` after recording)', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(withTable(readme, tableMarkdown(readResults()))).toBe(readme);
  });
});
