// The review gates a lesson can score (builds at W=1, checkpatch, sparse, kernel-doc), on a
// real module: a copy of lesson 14's solution passes each one, and each fails on a planted
// violation with the tool's finding at the file and line it was planted. The tools really run,
// against the lab's 6.12 headers. Host only: builds modules, loads nothing, boots no guest.
// The `generated` builtin runs the generators on a copy of lesson 16's solution.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModule, styleRuns } from '../../kernel/src/index.js';
import { kernelForTest } from '../../kernel/test/kernel-choice.js';
import { buildVerdict, gateFiles, gateVerdict, generatedVerdict } from '../src/gates.js';
import { gradeLesson } from '../src/grade.js';
import { sideDir } from '../src/lesson/inherit.js';
import { loadLesson } from '../src/lesson/load.js';
import type { GateBuiltin } from '../src/lesson/schema.js';

const { kernel, title } = kernelForTest('6.12');
const lesson = loadLesson('lesson-14');
const SOURCE = 'nlab_kv.c';
const work = mkdtempSync(join(tmpdir(), 'nlab-gates-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let copies = 0;
/** A fresh copy of the solution's kernel folder, `edit` applied to its nlab_kv.c. */
function moduleWith(edit: (src: string) => string = (s) => s): string {
  const dir = join(work, `m${copies++}`, 'kernel');
  cpSync(sideDir(lesson, 'solution', 'kernel'), dir, { recursive: true });
  const file = join(dir, SOURCE);
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (edit.length && after === before) throw new Error('the edit changed nothing: the solution no longer has what it looks for');
  writeFileSync(file, after);
  return dir;
}

/** `text` with `line` put after the first line that contains `anchor`. */
function insertAfter(text: string, anchor: string, line: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(anchor));
  if (i < 0) throw new Error(`no "${anchor}" in ${SOURCE}`);
  lines.splice(i + 1, 0, line);
  return lines.join('\n');
}

/** The 1-based line of the copy's nlab_kv.c that contains `needle`. */
function lineOf(dir: string, needle: string, from = 0): number {
  const i = readFileSync(join(dir, SOURCE), 'utf8').split('\n').findIndex((l, n) => n >= from && l.includes(needle));
  if (i < 0) throw new Error(`no "${needle}" in ${dir}/${SOURCE}`);
  return i + 1;
}

/** The lesson's checkpatch exceptions (its styleExceptions) apply, as in a grade. */
const allowed = (lesson.styleExceptions ?? []).map((x) => x.type);
const gate = (builtin: GateBuiltin, dir: string, files?: string[]) => gateVerdict({ builtin, ...(files ? { files } : {}) }, dir, styleRuns(dir, kernel!), allowed);

// A kernel-doc comment for struct nlab_kv_meta, right for its members.
const META_DOC = ['/**', ' * struct nlab_kv_meta - what a SET\'s META carried', ' * @owner: who set the entry', ' * @version: the owner\'s version of it', ' * @n_tags: how many of @tags are used', ' * @tags: labels, in the order given', ' */'].join('\n');
const documented = (src: string) => src.replace("/* What a SET's META carried. */", META_DOC);

describe.skipIf(!kernel)(`review gates on a copy of the lesson-14 solution, ${title}`, () => {
  const clean = moduleWith(documented);

  it('passes each gate when clean', async () => {
    expect(buildVerdict(await buildModule(clean, kernel!))).toEqual({ status: 'pass' });
    expect(await gate('checkpatch', clean)).toEqual({ status: 'pass' });
    expect(await gate('sparse', clean)).toEqual({ status: 'pass' });
    expect(await gate('kernel-doc', clean, ['*.c'])).toEqual({ status: 'pass' });
  });

  it('W=1: an unused variable fails the build check at its line', async () => {
    const dir = moduleWith((s) => insertAfter(s, 'struct nla_bitfield32 marks = {};', '\tint spare;'));
    const v = buildVerdict(await buildModule(dir, kernel!));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('the module compiles with 1 warning(s) under W=1');
    expect(v.notes).toEqual([expect.stringMatching(new RegExp(`${SOURCE}:${lineOf(dir, 'int spare;')}:\\d+: warning: unused variable .spare.`))]);
  });

  it('checkpatch: a comment line over 100 columns fails at its line (a CHECK, so --strict is on)', async () => {
    const long = `\t/* ${'a reason that goes on and on '.repeat(4)}*/`;
    const dir = moduleWith((s) => insertAfter(s, 'struct nla_bitfield32 marks = {};', long));
    const v = await gate('checkpatch', dir);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('checkpatch.pl --strict reports 1 problem(s)');
    expect(v.notes).toEqual([`${dir}/${SOURCE}:${lineOf(dir, 'goes on and on')}: checkpatch check: line length of ${long.replace('\t', '        ').length} exceeds 100 columns [LONG_LINE_COMMENT]`]);
  });

  it('checkpatch: a type the lesson allows (styleExceptions) does not count', async () => {
    const dir = moduleWith((s) => insertAfter(s, 'struct nla_bitfield32 marks = {};', `\t/* ${'x'.repeat(100)} */`));
    expect(await gate('checkpatch', dir)).toMatchObject({ status: 'fail' });
    expect(await gateVerdict({ builtin: 'checkpatch' }, dir, styleRuns(dir, kernel!), [...allowed, 'LONG_LINE_COMMENT'])).toEqual({ status: 'pass' });
  });

  it('sparse: a __be16 assigned from a plain u16 fails at its line', async () => {
    const dir = moduleWith((s) => s.replace('e->port = nla_get_be16(', 'e->port = nla_get_u16('));
    const v = await gate('sparse', dir);
    expect(v.status).toBe('fail');
    expect(v.notes).toHaveLength(1);
    expect(v.notes![0]).toMatch(new RegExp(`^${dir}/${SOURCE}:${lineOf(dir, 'e->port = nla_get_u16(')}:\\d+: sparse warning: incorrect type in assignment \\(different base types\\); expected restricted __be16 .*; got unsigned short$`));
  });

  it('kernel-doc: an @name for a member the struct lacks fails at the struct', async () => {
    const dir = moduleWith((s) => documented(s).replace(' * @n_tags: how many', ' * @count: how many'));
    const v = await gate('kernel-doc', dir, [SOURCE]);
    const end = lineOf(dir, '};', lineOf(dir, 'struct nlab_kv_meta {'));
    expect(v).toEqual({
      status: 'fail',
      message: 'kernel-doc -none -Wall reports 2 problem(s)',
      notes: [
        `${dir}/${SOURCE}:${end}: kernel-doc warning: Function parameter or struct member 'n_tags' not described in 'nlab_kv_meta'`,
        `${dir}/${SOURCE}:${end}: kernel-doc warning: Excess struct member 'count' description in 'nlab_kv_meta'`,
      ],
    });
  });

  it('kernel-doc in a .c file is W=1\'s too: Kbuild runs kernel-doc on each object it compiles', async () => {
    const dir = moduleWith((s) => documented(s).replace(' * @n_tags: how many', ' * @count: how many'));
    const v = buildVerdict(await buildModule(dir, kernel!));
    expect(v.status).toBe('fail');
    expect(v.notes!.join('\n')).toContain(`${SOURCE}:${lineOf(dir, '};', lineOf(dir, 'struct nlab_kv_meta {'))}: warning: Function parameter or struct member 'n_tags' not described`);
  });

  it('kernel-doc: a listed file that is not there fails and names the pattern', async () => {
    expect(await gate('kernel-doc', clean, ['uapi/*.h'])).toMatchObject({ status: 'fail', message: expect.stringContaining('no file matches uapi/*.h') });
    expect(await gateVerdict({ builtin: 'client-builds' }, clean, styleRuns(clean, kernel!))).toMatchObject({ status: 'error', message: expect.stringContaining('not a review gate') });
    expect(gateFiles(clean, ['*.c', 'Kbuild', 'none.h'])).toEqual({ files: [join(clean, 'Kbuild'), join(clean, SOURCE)], unmatched: ['none.h'] });
  });

  it('sparse on a module that does not compile is a skip, and without sparse an error with the fix', async () => {
    const broken = moduleWith((s) => s.replace('struct nla_bitfield32 marks = {};', 'struct nla_bitfield32 marks = {}'));
    expect(await gate('sparse', broken)).toEqual({ status: 'skip', message: 'not run: sparse did not run: the module does not compile' });
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await gate('sparse', clean)).toEqual({ status: 'error', message: 'sparse is not installed: run npm run setup (or apt-get install sparse)' });
    } finally {
      process.env.PATH = path;
    }
  });

  it('runs each tool once for all who ask', () => {
    const runs = styleRuns(clean, kernel!);
    expect(runs.checkpatch()).toBe(runs.checkpatch());
    expect(runs.sparse()).toBe(runs.sparse());
    expect(runs.kernelDoc([join(clean, SOURCE)])).toBe(runs.kernelDoc([join(clean, SOURCE)]));
  });

  it('a grade scores the gates on the host, as the style section reports them', async () => {
    const student = join(work, 'student');
    cpSync(moduleWith((s) => s.replace('e->port = nla_get_be16(', 'e->port = nla_get_u16(')), join(student, 'kernel'), { recursive: true });
    const gates = (['checkpatch', 'sparse', 'kernel-doc'] as const).map((builtin) => ({ id: builtin, title: builtin, hint: builtin, points: 1, side: 'kernel' as const, todos: [], builtin, ...(builtin === 'kernel-doc' ? { files: ['*.c'] } : {}) }));
    // The module side only: no client to compile, no check that needs a guest.
    const { client: _client, ...moduleOnly } = lesson;
    const r = await gradeLesson({ lesson: { ...moduleOnly, starterDir: student, checks: [...lesson.checks.filter((c) => c.builtin === 'kernel-builds'), ...gates] }, target: 'starter', kernel: kernel! });
    expect(r.timings.boots).toBe(0);
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['builds', 'pass'],
      ['checkpatch', 'pass'],
      ['sparse', 'fail'],
      ['kernel-doc', 'pass'],
    ]);
    const sparse = r.checks.find((c) => c.id === 'sparse')!;
    expect(sparse.evidence?.notes).toEqual(r.style!.findings.filter((f) => f.tool === 'sparse').map((f) => `${f.file}:${f.line}:${f.column}: sparse ${f.severity}: ${f.message}`));
  });
});

// The `generated` builtin on a copy of lesson 16's solution: its generated files are what the
// tools make of its spec; a hand edit of one, or a spec the schema refuses, fails the check.
describe('the generated-files check on a copy of the lesson-16 solution', () => {
  const l16 = loadLesson('lesson-16');
  const copy = join(work, 'generated');
  for (const part of ['kernel', 'client'] as const) cpSync(sideDir(l16, 'solution', part), join(copy, part), { recursive: true });
  const at = (rel: string) => join(copy, rel);
  const entries = l16.generated ?? [];

  it('passes on the solution, and names the file and line of a hand edit', async () => {
    expect(entries.length).toBeGreaterThanOrEqual(4);
    expect(await generatedVerdict(entries, at)).toEqual({ status: 'pass' });
    const table = at('kernel/nlab_kv-nl.c');
    const before = readFileSync(table, 'utf8');
    writeFileSync(table, before.replace('NLA_POLICY_RANGE(NLA_U8, 1, 7)', 'NLA_POLICY_RANGE(NLA_U8, 1, 6)'));
    try {
      const v = await generatedVerdict(entries, at);
      const line = before.split('\n').findIndex((l) => l.includes('NLA_POLICY_RANGE(NLA_U8, 1, 7)')) + 1;
      expect(v.status).toBe('fail');
      expect(v.notes).toEqual([`kernel/nlab_kv-nl.c:${line}: committed "\\t[NLAB_A_PRIORITY] = NLA_POLICY_RANGE(NLA_U8, 1, 6),", ynl-gen-c makes "\\t[NLAB_A_PRIORITY] = NLA_POLICY_RANGE(NLA_U8, 1, 7),"`]);
    } finally {
      writeFileSync(table, before);
    }
  }, 120_000);

  it("fails with the generator's words on a spec its schema refuses", async () => {
    const spec = at('client/nlab_kv.yaml');
    const before = readFileSync(spec, 'utf8');
    writeFileSync(spec, before.replace('protocol: genetlink-legacy', 'protocol: genetlink'));
    try {
      const v = await generatedVerdict(entries, at);
      expect(v).toMatchObject({ status: 'fail', message: 'ynl-gen-c refuses client/nlab_kv.yaml' });
      expect(v.notes?.join('\n')).toMatch(/bitfield32/);
    } finally {
      writeFileSync(spec, before);
    }
  }, 120_000);
});
