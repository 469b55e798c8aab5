// The grade report's unscored style section, from real tool runs on a fixture with known
// findings: valid against report.schema.json, and shown to a person as file:line.
// Host only: builds a module against the installed headers, loads nothing.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkModuleStyle, findKernel, formatFinding } from '../../kernel/src/index.js';
import { formatReport, formatStyle } from '../src/report/human.js';
import type { GradeReport, StyleReport } from '../src/report/types.js';
import { schemaErrors } from './report-schema.js';

const fixtureDir = fileURLToPath(new URL('../../kernel/test/fixtures/style-errors', import.meta.url));

/** A report with no checks around a style section (only the style section is under test). */
function reportWith(style?: StyleReport): GradeReport {
  return {
    lesson: 'lesson-0',
    title: 'style fixture',
    target: 'starter',
    kernel: findKernel().release,
    accel: 'tcg',
    checks: [],
    health: [],
    score: 0,
    total: 0,
    timings: { buildMs: 0, guestMs: 0, totalMs: 0, boots: 0 },
    logFile: '/dev/null',
    ...(style ? { style } : {}),
  };
}

let style: StyleReport;
beforeAll(async () => {
  style = await checkModuleStyle(fixtureDir, findKernel());
});

describe('the style section', () => {
  it('is schema-valid in --json, with findings from both tools', () => {
    expect(new Set(style.findings.map((f) => f.tool))).toEqual(new Set(['checkpatch', 'sparse']));
    expect(schemaErrors(reportWith(style))).toEqual([]);
  });

  it('is schema-valid when a tool did not run, and when absent (--no-style)', async () => {
    const noHeaders = await checkModuleStyle(fixtureDir, { ...findKernel(), headers: undefined });
    expect(noHeaders.notRun).toHaveLength(1);
    expect(schemaErrors(reportWith(noHeaders))).toEqual([]);
    expect(schemaErrors(reportWith())).toEqual([]);
  });

  it('is checked by the schema: a finding with an unknown severity is rejected', () => {
    const bad = { ...style, findings: [{ ...style.findings[0]!, severity: 'info' }] } as unknown as StyleReport;
    expect(schemaErrors(reportWith(bad)).join('\n')).toMatch(/style\/findings\/0\/severity/);
  });

  it('shows each finding as file:line, the first few unless --verbose', () => {
    const text = formatReport(reportWith(style));
    for (const f of style.findings.slice(0, 5)) expect(text).toContain(formatFinding(f));
    const many: StyleReport = { ...style, findings: Array.from({ length: 7 }, (_, i) => ({ ...style.findings[0]!, line: i + 1 })) };
    expect(formatStyle(many)).toContain('… and 2 more (--verbose shows all)');
    expect(formatStyle(many, true).split('\n').filter((l) => l.includes('checkpatch error'))).toHaveLength(7);
  });

  it('says so when a tool did not run, and when there is nothing to say', () => {
    expect(formatStyle({ findings: [], notRun: [{ tool: 'sparse', reason: 'sparse is not installed' }], durationMs: 0 })).toMatch(
      /not scored: checkpatch --strict\)[\s\S]*nothing to say[\s\S]*sparse did not run: sparse is not installed/,
    );
  });
});
