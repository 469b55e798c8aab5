// `npm run lessons -- sync|check|new` on temporary copies of real lessons (NLAB_LESSONS_DIR,
// NLAB_DOCS_DIR), through the built command as an instructor runs it. Host only.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kernel/src/index.js';
import { todoBlocks } from '../src/lesson/todo-markers.js';
import { parseChanges } from '../src/lesson/changes-file.js';
import { copyLessons } from './lesson-copy.js';
import { loadLessonFrom } from '../src/lesson/load.js';

function lessons(root: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/grader/src/lessons-cli.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NLAB_LESSONS_DIR: join(root, 'lessons'), NLAB_DOCS_DIR: join(root, 'docs') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lessons sync', () => {
  it('says so when nothing changes, and names only the files it rewrote', () => {
    const root = copyLessons(['lesson-1', 'lesson-2', 'lesson-3']);
    expect(lessons(root, 'sync')).toMatchObject({ code: 0, stdout: '✓ 3 lessons: nothing to change\n' });
    const main = join(root, 'lessons/lesson-3/solution/client/main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace(/\/\/ TODO 3: /, '// TODO 3: (reworded) '));
    const r = lessons(root, 'sync', 'lesson-3');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^✓ lesson-3: starter\/client\/main\.ts$/), expect.stringMatching(/1 file\(s\) rewritten in lesson-3/)]);
    expect(readFileSync(join(root, 'lessons/lesson-3/starter/client/main.ts'), 'utf8')).toContain('// TODO 3: (reworded) ');
    expect(lessons(root, 'check', 'lesson-3')).toMatchObject({ code: 0 });
  }, 60_000);
});

describe('lessons new', () => {
  const root = copyLessons(['lesson-3', 'lesson-12']); // and lesson 12's bases

  it('makes a lesson from another one\'s solution that lessons check accepts', () => {
    const made = lessons(root, 'new', 'lesson-13', '--from', 'lesson-12');
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const dir = join(root, 'lessons/lesson-13');
    const json = JSON.parse(readFileSync(join(dir, 'lesson.json'), 'utf8')) as { id: string; base: string; fromBase: string[]; checks: { id: string }[]; common: unknown; generated: unknown[] };
    expect(json.id).toBe('lesson-13');
    expect(json.base).toBe('lesson-12');
    // CHANGES.md: so far only the lesson's own name differs from lesson 12's code.
    expect(readFileSync(join(dir, 'CHANGES.md'), 'utf8')).toMatch(/^# What `lesson-13` changes in `lesson-12`[^]*\n-.*lesson 12: [^]*\n\+.*lesson 13: /);
    // The common checks are the grader's: none is written out, lesson 12's override is kept.
    expect(json.checks).toEqual([]);
    expect(json.common).toEqual(JSON.parse(readFileSync(join(root, 'lessons/lesson-12/lesson.json'), 'utf8')).common);
    expect(loadLessonFrom(join(root, 'lessons'), 'lesson-13').checks.map((c) => c.id)).toEqual(['builds', 'client-builds', 'loads']);
    expect(json.generated).toHaveLength(1);
    // Lesson 12's code, without its markers or stubs, and named after the new lesson.
    for (const f of readdirSync(join(dir, 'solution'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(c|ts|yaml)$/.test(f))) {
      const text = readFileSync(join(dir, 'solution', f), 'utf8');
      if (f.endsWith('-ynl.ts')) continue; // generated: it quotes the spec
      expect(text, f).not.toMatch(/TODO \d+:|END TODO|STARTER:/);
      expect(text, f).not.toMatch(/lesson-12\b/);
    }
    expect(readFileSync(join(dir, 'solution/kernel/nlab_kv.c'), 'utf8')).toMatch(/Netlink Lab, lesson 13:/);
    const kept = todoBlocks(readFileSync(join(root, 'lessons/lesson-12/solution/client/main.ts'), 'utf8'), 'ts').find((b) => b.n === 3)!.solution.join('\n');
    expect(kept.length).toBeGreaterThan(20);
    expect(readFileSync(join(dir, 'solution/client/main.ts'), 'utf8')).toContain(kept);
    expect(readFileSync(join(dir, 'solution/client/nlab_kv.yaml'), 'utf8')).toContain('lessons/lesson-13/starter/client/nlab_kv.yaml');
    expect(readFileSync(join(root, 'docs/lessons/lesson-13.md'), 'utf8')).toContain('<!-- @checks lesson-13 -->');
    expect(readFileSync(join(root, 'docs/zh-CN/lessons/lesson-13.md'), 'utf8')).toContain('## 检查项 {#checks}');
    // Its Chinese texts: placeholders to rewrite, and those of the common check lesson 12 overrides.
    const zh = JSON.parse(readFileSync(join(dir, 'zh-CN.json'), 'utf8')) as { title: string; checks: Record<string, { title: string }>; changes?: Record<string, { en: string }> };
    const zh12 = JSON.parse(readFileSync(join(root, 'lessons/lesson-12/zh-CN.json'), 'utf8')) as { checks: Record<string, { title: string }> };
    expect(zh.title).toMatch(/草稿/);
    expect(Object.keys(zh.checks)).toEqual(['client-builds']);
    expect(zh.checks['client-builds']).toEqual(zh12.checks['client-builds']);
    // Both pages show CHANGES.md, and its notes have their Chinese (the site's i18n test wants one per file).
    expect(readFileSync(join(root, 'docs/lessons/lesson-13.md'), 'utf8')).toContain('## What changes from lesson 12 {#changes}\n\n<!-- @changes lesson-13 -->');
    expect(readFileSync(join(root, 'docs/zh-CN/lessons/lesson-13.md'), 'utf8')).toContain('## 与第 12 课相比的改动 {#changes}\n\n<!-- @changes lesson-13 -->');
    const notes = parseChanges(readFileSync(join(dir, 'CHANGES.md'), 'utf8'))!.files;
    expect(Object.keys(zh.changes ?? {})).toEqual(notes.map((f) => f.rel));
    for (const f of notes) expect(zh.changes?.[f.rel]?.en).toBe(f.note);
    const checked = lessons(root, 'check', 'lesson-13');
    // Until the instructor writes its TODOs, each file it holds is a warning: the learner edits
    // none of them. So is the lesson's missing alternative, until ALTERNATIVES.md has one.
    expect(checked.stdout).toMatch(/^✓ lesson-13: no problems \(4 warnings\)/m);
    expect(checked.stdout).toContain('lessons/lesson-13/lesson.json:1: no correct alternative in ALTERNATIVES.md');
    expect(checked.stdout).toContain('lessons/lesson-13/solution/kernel/nlab_kv.c:1: the learner does not edit this file in lesson-13');
    expect(json.fromBase).toEqual(['kernel/Kbuild', 'kernel/Makefile']);
    expect(checked.code).toBe(0);
  }, 60_000);

  it('refuses a lesson that exists already, or a --from that does not, in one line', () => {
    for (const [args, message] of [
      [['new', 'lesson-3', '--from', 'lesson-12'], /^✗ lesson-3 exists already \(.*lessons\/lesson-3\)\n$/],
      [['new', 'lesson-14', '--from', 'lesson-99'], /^✗ there is no lesson "lesson-99"; the lessons are: lesson-1, lesson-2, .*, lesson-12.*\n$/],
      [['new', 'lesson-14'], /^✗ usage: npm run lessons -- new lesson-N --from lesson-M\n$/],
      [['new', 'fourteen', '--from', 'lesson-3'], /^✗ a new lesson's id is lesson-N, not "fourteen"\n$/],
    ] as const) {
      const r = lessons(root, ...args);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code).toBe(2);
    }
    expect(existsSync(join(root, 'lessons/lesson-14'))).toBe(false);
  }, 60_000);
});

describe('lessons variant', () => {
  it('copies the finished solution to edit, then records the edits as a mutant that lessons check reads', () => {
    const root = copyLessons(['lesson-5']);
    const draft = join(root, '.lab/variants/lesson-5/echo-drops-nul');
    const made = lessons(root, 'variant', 'lesson-5', 'echo-drops-nul');
    expect(made.code, made.stderr).toBe(0);
    const c = join(draft, 'kernel/nlab_reply.c');
    const solution = readFileSync(c, 'utf8');
    expect(solution).not.toMatch(/TODO \d+:|END TODO/);
    expect(lessons(root, 'variant', 'lesson-5', 'echo-drops-nul', '--fails', 'echo', '--says', '/ping/')).toMatchObject({ code: 2, stderr: expect.stringMatching(/is still the solution: edit it first/) });

    writeFileSync(c, solution.replace('nlmsg_data(nlh),\n\t\t\t\t   len + 1);', 'nlmsg_data(nlh),\n\t\t\t\t   len);'));
    const r = lessons(root, 'variant', 'lesson-5', 'echo-drops-nul', '--fails', 'echo', '--says', '/was not answered with "ping"/', '--why', 'ECHO answers without the NUL.');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/echo-drops-nul recorded in lessons\/lesson-5\/MUTANTS\.md/);
    const md = readFileSync(join(root, 'lessons/lesson-5/MUTANTS.md'), 'utf8');
    expect(md).toContain('## `echo-drops-nul`\n\nFails: `echo`\nSays: `/was not answered with "ping"/`\n\nECHO answers without the NUL.\n\n### `kernel/nlab_reply.c`\n\n```diff\n');
    expect(md).toMatch(/\n-\t\t\t\t   len \+ 1\);\n\+\t\t\t\t   len\);\n/);

    // Recording again replaces the entry; the other mutants stay.
    const again = lessons(root, 'variant', 'lesson-5', 'echo-drops-nul', '--fails', 'echo', '--says', '/ping/');
    expect(again.code).toBe(0);
    const after = readFileSync(join(root, 'lessons/lesson-5/MUTANTS.md'), 'utf8');
    expect(after.split('## `echo-drops-nul`')).toHaveLength(2);
    expect(after).toContain('Says: `/ping/`');
    expect(after.match(/^## `/gm)?.length).toBe(md.match(/^## `/gm)!.length);
    expect(lessons(root, 'check', 'lesson-5')).toMatchObject({ code: 0 });
  }, 60_000);

  it('refuses a check that does not exist at its line, and a draft that exists already', () => {
    const root = copyLessons(['lesson-5']);
    expect(lessons(root, 'variant', 'lesson-5', 'typo').code).toBe(0);
    expect(lessons(root, 'variant', 'lesson-5', 'typo')).toMatchObject({ code: 2, stderr: expect.stringMatching(/exists already: edit it and record it, or delete it to start again/) });
    const c = join(root, '.lab/variants/lesson-5/typo/kernel/nlab_reply.c');
    writeFileSync(c, readFileSync(c, 'utf8').replace('return -EOPNOTSUPP;', 'return -EINVAL;'));
    const r = lessons(root, 'variant', 'lesson-5', 'typo', '--fails', 'unknown-typ', '--says', '/EOPNOTSUPP/');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ lessons\/lesson-5\/MUTANTS\.md:\d+: `typo` fails `unknown-typ`, which is not a check of lesson-5/);
  }, 60_000);
});
