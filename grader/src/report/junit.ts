// JUnit XML, for CI systems that show test results: one testsuite per lesson, one testcase per check.

import type { GradeReport } from './types.js';

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');
}

export function toJunit(reports: readonly GradeReport[]): string {
  const suites = reports.map((r) => {
    const failures = r.checks.filter((c) => c.status === 'fail').length;
    const errors = r.checks.filter((c) => c.status === 'error').length;
    const skipped = r.checks.filter((c) => c.status === 'skip').length;
    const cases = r.checks.map((c) => {
      const name = `${esc(c.id)}: ${esc(c.title)}`;
      const time = (c.durationMs / 1000).toFixed(3);
      const detail = esc([c.message, c.evidence ? JSON.stringify(c.evidence, null, 2) : '', ...c.runs.flatMap((x) => x.health.map((h) => `${h.kind}:\n${h.excerpt}`)), `hint: ${c.hint} (${c.hintLink})`].filter(Boolean).join('\n'));
      const inner =
        c.status === 'fail' ? `<failure message="${esc(c.message ?? 'failed')}">${detail}</failure>`
        : c.status === 'error' ? `<error message="${esc(c.message ?? 'error')}">${detail}</error>`
        : c.status === 'skip' ? `<skipped message="${esc(c.message ?? 'skipped')}"/>`
        : '';
      return `    <testcase classname="${esc(r.lesson)}" name="${name}" time="${time}">${inner}</testcase>`;
    });
    return `  <testsuite name="${esc(r.lesson)} (${esc(r.target)}, ${esc(r.kernel)})" tests="${r.checks.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(r.timings.totalMs / 1000).toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}
