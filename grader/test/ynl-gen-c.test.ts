// The kernel's own C generator, tools/net/ynl/ynl-gen-c.py from the 6.12 tree that
// `npm run setup` extracts into .lab/ynl, on lesson 12's spec: it must accept the spec, and the
// headers it writes must define every name the lesson's module declares for the family, with
// the same values. Then lesson 15's committed C files, which the generator makes: they drift
// when the spec changes. Host only, a few seconds: python3 and the generator, no guest.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LAB_STATE, REPO_ROOT } from '../../kernel/src/index.js';
import { solutionFiles } from '../src/lesson/inherit.js';
import { loadLesson } from '../src/lesson/load.js';
import { runGenerator } from '../src/lesson/generators.js';
import { solutionDrift } from '../src/lesson/starters.js';

const YNL = join(LAB_STATE, 'ynl');
const GEN = join(YNL, 'tools/net/ynl/ynl-gen-c.py');
const LESSON = join(REPO_ROOT, 'lessons/lesson-12/solution');
const present = existsSync(GEN);

/**
 * Names the module declares that no generated header has, and why. Everything else it
 * declares with the NLAB_ prefix must come out of the generator.
 */
const MODULE_ONLY: Record<string, string> = {
  NLAB_CMD_UNSPEC: 'the generator numbers commands from 1 and leaves 0 unnamed',
  NLAB_A_UNSPEC: 'likewise for attributes',
  NLAB_MAX_KEYS: "a limit of the module's store, not part of the wire format",
};

/** `NAME → value` for every #define and enum member of a C file (values only where they are numbers). */
function declared(c: string): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  const body = c.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  for (const m of body.matchAll(/^#define[ \t]+(\w+)(?:[ \t]+(.*))?$/gm)) {
    const v = (m[2] ?? '').trim();
    out.set(m[1]!, /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : undefined);
  }
  for (const e of body.matchAll(/\benum(?:\s+\w+)?\s*\{([^}]*)\}/g)) {
    let next: number | undefined = 0;
    for (const item of e[1]!.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [name, expr] = item.split('=').map((s) => s.trim());
      let value = next;
      if (expr !== undefined) value = /^(0x[0-9a-f]+|\d+)$/i.test(expr) ? Number(expr) : undefined;
      out.set(name!, value);
      next = value === undefined ? undefined : value + 1;
    }
  }
  return out;
}

/**
 * A kernel tree the generator can work in: it finds the schema at ../genetlink.yaml from the
 * spec and the tree's root by a MAINTAINERS file above it (without one it loops forever).
 */
function kernelTree(): { root: string; spec: string } {
  const root = mkdtempSync(join(tmpdir(), 'nlab-ynl-gen-c-'));
  const specs = join(root, 'Documentation/netlink/specs');
  mkdirSync(specs, { recursive: true });
  writeFileSync(join(root, 'MAINTAINERS'), '');
  symlinkSync(join(YNL, 'Documentation/netlink/genetlink.yaml'), join(root, 'Documentation/netlink/genetlink.yaml'));
  const spec = join(specs, 'nlab_kv.yaml');
  writeFileSync(spec, readFileSync(join(LESSON, 'client/nlab_kv.yaml')));
  return { root, spec };
}

/** What the generator writes, as the tree's tools/net/ynl/generated/ would hold it. */
function generate(tree: { root: string; spec: string }, mode: 'uapi' | 'kernel' | 'user', part: '--header' | '--source'): string {
  const out = join(tree.root, `nlab_kv-${mode}${part === '--header' ? '.h' : '.c'}`);
  try {
    execFileSync('python3', [GEN, '--mode', mode, '--spec', tree.spec, part, '-o', out], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return readFileSync(out, 'utf8');
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`ynl-gen-c.py --mode ${mode} ${part} failed on lesson 12's spec:\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  }
}

const title = present ? "lesson 12's spec through the kernel's ynl-gen-c.py" : `lesson 12's spec through the kernel's ynl-gen-c.py (skipped: ${GEN} is missing; npm run setup extracts it from linux-source-6.12)`;

describe.skipIf(!present)(title, () => {
  const tree = present ? kernelTree() : undefined;
  afterAll(() => tree && rmSync(tree.root, { recursive: true, force: true }));

  it('generates the uAPI header, which defines the constants, attributes and commands the module uses', () => {
    const uapi = generate(tree!, 'uapi', '--header');
    const kernelHeader = generate(tree!, 'kernel', '--header');
    const generated = new Map([...declared(uapi), ...declared(kernelHeader)]);
    // Lesson 12 takes its module from lesson 11 with the changes its CHANGES.md lists.
    const module = declared(solutionFiles(loadLesson('lesson-12')).get('kernel/nlab_kv.c')!.text);
    const names = [...module.keys()].filter((n) => /^_*NLAB_/.test(n) && !(n in MODULE_ONLY));
    expect(names).toEqual(expect.arrayContaining(['NLAB_KV_FAMILY_NAME', 'NLAB_A_KEY', 'NLAB_CMD_SET_NTF', 'NLAB_CMD_DEL_NTF', 'NLAB_KV_KEY_MAX_LEN', 'NLAB_KV_NLGRP_EVENTS']));
    expect(names.filter((n) => !generated.has(n)), 'declared by the module, made by no generated header').toEqual([]);
    const differ = names.filter((n) => module.get(n) !== undefined && module.get(n) !== generated.get(n));
    expect(differ.map((n) => `${n}: module ${module.get(n)}, header ${generated.get(n)}`)).toEqual([]);
    expect([...module.keys()].filter((n) => n in MODULE_ONLY).sort()).toEqual(Object.keys(MODULE_ONLY).sort());
  });

  it('generates the kernel policy the lesson page quotes, and the user-space C library', () => {
    const source = generate(tree!, 'kernel', '--source');
    // Both pages quote the generated policy of SET in their first C block ("Types and checks").
    for (const page of ['docs/lessons/lesson-12.md', 'docs/zh-CN/lessons/lesson-12.md']) {
      const block = /```c\n([\s\S]*?)```/.exec(readFileSync(join(REPO_ROOT, page), 'utf8'))?.[1];
      expect(block, `${page} has no C block`).toBeDefined();
      const lines = source.split('\n');
      expect(block!.split('\n').filter(Boolean).filter((l) => !lines.includes(l)), `${page}: lines ynl-gen-c.py did not write`).toEqual([]);
    }
    expect(source).toContain('[NLAB_A_KEY] = { .type = NLA_NUL_STRING, .len = NLAB_KV_KEY_MAX_LEN, },');
    expect(source).toContain('[NLAB_A_VALUE] = { .type = NLA_BINARY, },');
    expect(source).toContain('[NLAB_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x1),');
    expect(source).toMatch(/\.cmd\t+= NLAB_CMD_SET,\n\t+\.doit\t+= nlab_kv_nl_set_doit,\n\t+\.policy\t+= nlab_kv_set_nl_policy,\n\t+\.maxattr\t+= NLAB_A_FLAGS,\n\t+\.flags\t+= GENL_ADMIN_PERM \| GENL_CMD_CAP_DO,/);
    expect(generate(tree!, 'user', '--header')).toContain('struct nlab_kv_get_rsp {');
    expect(generate(tree!, 'user', '--source')).toContain('nlab_kv_list_dump(struct ynl_sock *ys');
  });

  it('fails on what the page says the spec must avoid: another licence, a binary max-len, and pastes "key-size - 1"', () => {
    const spec = readFileSync(tree!.spec, 'utf8');
    const variant = (text: string) => {
      writeFileSync(tree!.spec, text);
      try {
        return generate(tree!, 'kernel', '--source');
      } catch (e) {
        return (e as Error).message;
      } finally {
        writeFileSync(tree!.spec, spec);
      }
    };
    expect(variant(spec.replace(/^# SPDX-License-Identifier: .*$/m, '# SPDX-License-Identifier: GPL-2.0'))).toMatch(/License must be: \(\(GPL-2.0 WITH Linux-syscall-note\) OR BSD-3-Clause\)/);
    expect(variant(spec.replace('        type: binary\n', '        type: binary\n        checks:\n          max-len: value-max\n'))).toMatch(/binary type checks not implemented/);
    const minusOne = spec.replace(/name: key-max-len\n    value: 63/, 'name: key-size\n    value: 64').replaceAll('max-len: key-max-len', 'max-len: key-size - 1');
    expect(variant(minusOne)).toContain('.len = KEY_SIZE _ 1,');
  });
});

// Lesson 15 commits what the generator makes of its spec: the uAPI header and the kernel's
// tables. A change to the spec without a new run of the generator must show as drift, which is
// what makes `lessons check` (and starters.test.ts) fail.
describe.skipIf(!present)("lesson 15's generated C files", () => {
  const lesson = loadLesson('lesson-15');
  const C_FILES = ['kernel/include/uapi/linux/nlab_kv.h', 'kernel/nlab_kv-nl.h', 'kernel/nlab_kv-nl.c'];

  it('are listed as made by ynl-gen-c from the spec, in both modes', () => {
    const c = (lesson.generated ?? []).filter((g) => g.tool === 'ynl-gen-c');
    expect(c.map((g) => g.file)).toEqual(C_FILES);
    expect(c.map((g) => g.mode)).toEqual(['uapi', 'kernel', 'kernel']);
  });

  it('drift when the spec changes and the generator does not run again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlab-l15-'));
    try {
      cpSync(join(lesson.dir, 'solution'), join(dir, 'solution'), { recursive: true });
      const copy = { ...lesson, dir };
      expect(solutionDrift(copy)).toEqual([]);
      // COUNT made admin-only in the spec: the kernel's table changes, its header and the uAPI do not.
      const spec = join(dir, 'solution/client/nlab_kv.yaml');
      const text = readFileSync(spec, 'utf8');
      const changed = text.replace('      name: count\n      doc: How many', '      name: count\n      flags: [ admin-perm ]\n      doc: How many');
      expect(changed).not.toBe(text);
      writeFileSync(spec, changed);
      expect(solutionDrift(copy).sort()).toEqual([join('solution', 'client/nlab_kv-ynl.ts'), join('solution', 'kernel/nlab_kv-nl.c')].sort());
      const g = lesson.generated!.find((x) => x.file === 'kernel/nlab_kv-nl.c')!;
      expect(runGenerator(g, changed, dir)).toMatch(/\.cmd\t+= NLAB_CMD_COUNT,\n(?:.*\n){3}\t+\.flags\t+= GENL_ADMIN_PERM \| GENL_CMD_CAP_DO,/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the spec a generator run cannot read, with what the generator said', () => {
    const g = lesson.generated!.find((x) => x.file === 'kernel/nlab_kv-nl.c')!;
    const spec = readFileSync(join(lesson.dir, 'solution', g.from), 'utf8');
    expect(() => runGenerator(g, spec.replace('protocol: genetlink-legacy', 'protocol: genetlink'), 'lessons/x/solution')).toThrow(
      /^lessons\/x\/solution\/client\/nlab_kv\.yaml: ynl-gen-c cannot make kernel\/nlab_kv-nl\.c from it: ynl-gen-c\.py --mode kernel --source failed: .*'bitfield32' is not one of/,
    );
  });
});
