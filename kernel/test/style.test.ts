// The style tools on fixtures with known findings: checkpatch and sparse really run and
// report file:line, and the compiler's own warnings in the same build log are left out.
// Host only: builds modules against the installed headers, loads nothing.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findKernel, KNOWN_KERNELS } from '../src/kernels.js';
import { kernelForTest } from './kernel-choice.js';
import { parseSparseLog, sortFindings, type StyleFinding } from '../src/style-findings.js';
import { checkModuleStyle, runCheckpatch, runSparse } from '../src/style.js';

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const styleDir = fixture('style-errors');
const styleFile = `${styleDir}/fixture_style.c`;
const shownFile = 'kernel/test/fixtures/style-errors/fixture_style.c';

/** The 1-based line of the fixture whose end-of-line comment says `marker`. */
function lineOf(marker: string): number {
  const i = readFileSync(styleFile, 'utf8').split('\n').findIndex((l) => l.includes(`/* ${marker}`));
  if (i < 0) throw new Error(`no "${marker}" line in ${styleFile}`);
  return i + 1;
}

const at = (findings: StyleFinding[], line: number) => findings.filter((f) => f.line === line);

describe('checkpatch.pl --strict', () => {
  it('reports trailing whitespace at its line, with type and severity', async () => {
    const found = await runCheckpatch([styleFile]);
    expect(at(found, lineOf('checkpatch: TRAILING_WHITESPACE'))).toEqual([
      { tool: 'checkpatch', file: shownFile, line: lineOf('checkpatch: TRAILING_WHITESPACE'), severity: 'error', type: 'TRAILING_WHITESPACE', message: 'trailing whitespace' },
    ]);
  });

  it('has nothing to say about a clean module', async () => {
    expect(await runCheckpatch([fixture('hello/fixture_hello.c')])).toEqual([]);
  });
});

describe.each(KNOWN_KERNELS.map((k) => kernelForTest(k.selector)))('sparse on the headers of $title', (t) => {
  const kernel = t.kernel!;

  it('reports an undeclared global and a byte-order mismatch, not the compiler\'s warnings', async () => {
    const found = await runSparse(styleDir, kernel);
    expect(found.every((f) => f.tool === 'sparse' && f.file === shownFile)).toBe(true);
    expect(at(found, lineOf('sparse: not declared')).map((f) => f.message)).toEqual([
      "symbol 'fixture_style_counter' was not declared. Should it be static?",
    ]);
    const mismatch = at(found, lineOf('sparse: incorrect type'));
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]!.message).toMatch(/^incorrect type in initializer \(different base types\); expected restricted __be32 .*; got int$/);
    expect(at(found, lineOf('gcc (W=1)'))).toEqual([]);
  });

  it('has nothing to say about a clean module', async () => {
    expect(await runSparse(fixture('hello'), kernel)).toEqual([]);
  });

});

// The rule does not depend on the kernel: one build of each variant is enough.
describe('sparse on a module that includes a .c', () => {
  it('counts a .c that a checked source includes as checked, and names one that nothing compiles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlab-sparse-include-'));
    try {
      cpSync(fixture('hello'), dir, { recursive: true });
      const main = join(dir, 'fixture_hello.c');
      // A generated table, say, that the module includes instead of linking.
      writeFileSync(join(dir, 'fixture_gen.c'), 'static const int fixture_gen_answer = 42;\n');
      writeFileSync(main, readFileSync(main, 'utf8').replace('#include <linux/module.h>\n', '#include <linux/module.h>\n\n#include "fixture_gen.c"\n').replace('pr_info("loaded\\n");', 'pr_info("loaded: %d\\n", fixture_gen_answer);'));
      expect(await runSparse(dir, findKernel())).toEqual([]);
      writeFileSync(join(dir, 'fixture_orphan.c'), 'static const int fixture_orphan;\n');
      await expect(runSparse(dir, findKernel())).rejects.toThrow(/^sparse did not run on \S*fixture_orphan\.c$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('checkModuleStyle', () => {
  it('puts both tools\' findings together, errors first', async () => {
    const r = await checkModuleStyle(styleDir, findKernel());
    expect(r.notRun).toEqual([]);
    expect(r.findings.map((f) => `${f.tool}:${f.line}`)).toEqual(
      sortFindings(r.findings).map((f) => `${f.tool}:${f.line}`),
    );
    expect(r.findings[0]).toMatchObject({ tool: 'checkpatch', severity: 'error' });
    expect(new Set(r.findings.map((f) => f.tool))).toEqual(new Set(['checkpatch', 'sparse']));
  });

  it('names a tool that cannot run instead of throwing', async () => {
    const r = await checkModuleStyle(styleDir, { ...findKernel(), headers: undefined });
    expect(r.notRun.map((n) => n.tool)).toEqual(['sparse']);
    expect(r.findings.every((f) => f.tool === 'checkpatch')).toBe(true);
  });
});

describe('parseSparseLog', () => {
  it('reads only what follows a CHECK step', () => {
    // A C=1 build: gcc's warnings come before the CHECK step, sparse's after it, modpost's last.
    const log = readFileSync(fixture('build-logs/sparse-after-check.log'), 'utf8');
    expect(parseSparseLog(log)).toEqual([{ tool: 'sparse', file: '/b/m.c', line: 7, column: 9, severity: 'error', message: "undefined identifier 'y'" }]);
  });
});
