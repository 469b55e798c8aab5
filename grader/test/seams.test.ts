// The seams #20 asked for, kept: the Check API is a leaf that guest/ implements, and the
// lab VM's run and its accelerator probe share the QEMU launcher instead of importing each other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kernel/src/paths.js';

/** The relative modules a source file imports (static imports and re-exports). */
function localImports(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1]!);
}

describe('seams between modules', () => {
  it('finds the imports it looks for (so an empty answer means something)', () => {
    expect(localImports('grader/src/guest/processes.ts')).toContain('../check-types.js');
  });

  it('keeps the Check API a leaf: check-api.ts, what it re-exports and the fixtures beside it import nothing from guest/', () => {
    for (const f of ['grader/src/check-api.ts', 'grader/src/check-types.ts', 'grader/src/decode-report.ts', 'grader/src/fixtures/nlab-kv.ts']) expect(localImports(f).filter((i) => i.includes('guest/')), f).toEqual([]);
  });

  it('keeps vm.ts and accel.ts from importing each other: the run asks the probe, the probe never imports the run', () => {
    expect(localImports('kernel/src/vm.ts')).toContain('./accel.js');
    expect(localImports('kernel/src/accel.ts')).not.toContain('./vm.js');
  });
});
