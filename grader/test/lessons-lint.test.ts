// `lessons check` on the host: planted mistakes in temporary copies of real lessons are each
// reported as file:line, and the real repository is lint-clean.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAllLessons } from '../src/lesson/load.js';
import { jsonErrorOffset, lintLessons, type LessonLint } from '../src/lesson/lint.js';
import { collectTodos } from '../src/lesson/lint-todos.js';
import { loadLessonFrom } from '../src/lesson/load.js';
import { headings, slugify } from '../src/lesson/markdown-headings.js';
import { formatProblem } from '../src/lesson/problems.js';
import { parseVariants, readVariants } from '../src/lesson/variants.js';
import { copyLessons } from './lesson-copy.js';

/** Edits a file of the temporary tree; returns the 1-based line where `marker` ends up. */
function edit(root: string, rel: string, change: (text: string) => string, marker?: string): number {
  const path = join(root, rel);
  const text = change(readFileSync(path, 'utf8'));
  writeFileSync(path, text);
  return marker ? text.split('\n').findIndex((l) => l.includes(marker)) + 1 : 0;
}

const messages = (r: LessonLint | undefined): string[] => (r?.problems ?? []).map(formatProblem);

describe('planted mistakes, each in its own copy of a real lesson', () => {
  let byId: Map<string, LessonLint>;
  let root: string;
  const at: Record<string, number> = {};

  beforeAll(() => {
    // lesson-3 stays clean; lesson-2: a leftover TODO 4 below the new TODO 5; lesson-1: todos [3];
    // lesson-4: pages without check anchors, a Chinese heading that lost its anchor; lesson-6:
    // checks.ts out of step with lesson.json and a type error.
    root = copyLessons(['lesson-1', 'lesson-2', 'lesson-3', 'lesson-4', 'lesson-5', 'lesson-6']);
    at.leftover = edit(root, 'lessons/lesson-2/solution/client/main.ts', (t) => `${t.trimEnd()}\n// TODO 4: A leftover from the lesson this one started from.\nconsole.log('left over');\n// END TODO\n`, 'TODO 4: A leftover');
    at.firstFour = readFileSync(join(root, 'lessons/lesson-2/solution/client/main.ts'), 'utf8').split('\n').findIndex((l) => l.includes('TODO 4: Open')) + 1;
    at.todos3 = edit(root, 'lessons/lesson-1/lesson.json', (t) => t.replace(/"todos": \[2\]/, '"todos": [3]'), '"todos": [3]');
    at.todo2 = readFileSync(join(root, 'lessons/lesson-1/solution/kernel/nlab_hello.c'), 'utf8').split('\n').findIndex((l) => l.includes('TODO 2:')) + 1;
    edit(root, 'docs/lessons/lesson-4.md', (t) => t.replace(/<!-- @checks lesson-4 -->/, ''));
    at.zhHeading = edit(root, 'docs/zh-CN/lessons/lesson-4.md', (t) => t.replace(/^(## [^\n{]+?) \{#concepts\}$/m, '$1'), '## 概念');
    at.renamed = edit(root, 'lessons/lesson-6/lesson.json', (t) => t.replace('"id": "max-size"', '"id": "insmod-works"'), '"insmod-works"');
    at.typeError = edit(root, 'lessons/lesson-6/checks.ts', (t) => `${t.trimEnd()}\nconst broken: number = 'not a number';\nvoid broken;\n`, 'const broken');
    at.loadsFn = readFileSync(join(root, 'lessons/lesson-6/checks.ts'), 'utf8').split('\n').findIndex((l) => /^\s*(async )?'max-size'/.test(l)) + 1;
    byId = new Map(lintLessons({ lessonsDir: join(root, 'lessons'), docsDir: join(root, 'docs'), displayRoot: root }).map((r) => [r.id, r]));
  }, 120_000);

  it('finds nothing wrong with an untouched copy (checks.ts compiles outside the repository too)', () => {
    expect(messages(byId.get('lesson-5'))).toEqual([]);
  });

  it("names, in the next lesson, code that its base gained and it did not (lesson 2's leftover)", () => {
    const m = messages(byId.get('lesson-3'));
    expect(m).toHaveLength(1);
    expect(m[0]).toMatch(/^lessons\/lesson-3\/solution\/client\/main\.ts:\d+: drops 1 line\(s\) of lesson-2's \("console\.log\('left over'\);"\), a change CHANGES\.md does not declare/);
  });

  it('names a leftover TODO whose number collides with a new one, and the first one', () => {
    const file = 'lessons/lesson-2/solution/client/main.ts';
    expect(messages(byId.get('lesson-2'))).toContain(`${file}:${at.leftover}: TODO 4 is numbered again (first at ${file}:${at.firstFour}); numbers are unique within a lesson`);
  });

  it('names a check whose "todos" lists a TODO that does not exist', () => {
    const m = messages(byId.get('lesson-1'));
    expect(m).toContain(`lessons/lesson-1/lesson.json:${at.todos3}: check "farewell" names TODO 3, which the solution does not have (its TODOs: 1, 2)`);
    expect(m).toContain(`lessons/lesson-1/solution/kernel/nlab_hello.c:${at.todo2}: TODO 2 is named by no check's "todos" in lesson.json, so no check shows that a starter leaves it undone`);
    expect(m).toHaveLength(2);
  });

  it('names checks without an anchor on a page, and a Chinese heading that lost its English anchor', () => {
    const m = messages(byId.get('lesson-4'));
    const { checks } = loadLessonFrom(join(root, 'lessons'), 'lesson-4'); // the common checks too
    for (const c of checks) expect(m.some((x) => x.startsWith('lessons/lesson-4/lesson.json:') && x.includes(`check "${c.id}" has no anchor check-${c.id} on docs/lessons/lesson-4.md`))).toBe(true);
    expect(m).toContain(`docs/zh-CN/lessons/lesson-4.md:${at.zhHeading}: heading "概念" has no {#anchor}; give it the English heading's anchor`);
    expect(m.some((x) => /^docs\/lessons\/lesson-4\.md:\d+: heading "Concepts" \(#concepts\) has no heading with \{#concepts\} on docs\/zh-CN\/lessons\/lesson-4\.md$/.test(x))).toBe(true);
    expect(m, m.join("\n")).toHaveLength(checks.length + 2);
  });

  it('names a check id without a function, the function no check lists, and a type error', () => {
    const m = messages(byId.get('lesson-6'));
    expect(m).toContain(`lessons/lesson-6/lesson.json:${at.renamed}: check "insmod-works" has no function in lessons/lesson-6/checks.ts`);
    expect(at.loadsFn).toBeGreaterThan(0);
    expect(m).toContain(`lessons/lesson-6/checks.ts:${at.loadsFn}: defines check "max-size", which lesson.json does not list`);
    expect(m.some((x) => x.startsWith(`lessons/lesson-6/checks.ts:${at.typeError}: does not compile: Type 'string' is not assignable to type 'number'`))).toBe(true);
  });
});

describe("planted mistakes in a lesson's mutants", () => {
  it('names a check that does not exist, a diff that no longer applies, a Says that does not compile, and a check no mutant catches', () => {
    const root = copyLessons(['lesson-5']);
    const file = 'lessons/lesson-5/MUTANTS.md';
    const heading = edit(root, file, (t) => t.replace('Fails: `client-wrong-type`', 'Fails: `client-wrong-kind`'), '## `client-ignores-type`');
    const fence = edit(root, file, (t) => t.replace('    // MSG_TRUNC: only the first', '    // MSG_TRUNC: only some'), 'MSG_TRUNC: only some') - 2;
    const says = edit(root, file, (t) => t.replace('Says: `/did not say that the answer was truncated/`', 'Says: `/(did not say/`'), '## `client-ignores-msg-trunc`');
    // The only mutant of `unknown-type`, a check without TODOs, is gone.
    edit(root, file, (t) => t.slice(0, t.indexOf('\n## `unknown-type-ignored`') + 1));
    const unknownType = readFileSync(join(root, 'lessons/lesson-5/lesson.json'), 'utf8').split('\n').findIndex((l) => l.includes('"id": "unknown-type"')) + 1;
    const m = messages(lintLessons({ lessonsDir: join(root, 'lessons'), docsDir: join(root, 'docs'), displayRoot: root }, ['lesson-5'])[0]);
    expect(m).toContain(`${file}:${heading}: \`client-ignores-type\` fails \`client-wrong-kind\`, which is not a check of lesson-5`);
    expect(m, m.join('\n')).toContain(`${file}:${fence}: \`client-ignores-msg-trunc\`: this hunk no longer applies to the solution (its context or removed lines are not there): write the diff again against the solution`);
    expect(m.some((x) => x.startsWith(`${file}:${says}: \`client-ignores-msg-trunc\`: Says does not compile: `))).toBe(true);
    expect(m).toContain(`lessons/lesson-5/lesson.json:${unknownType}: check "unknown-type" has no TODO (no starter fails it) and no mutant in MUTANTS.md: nothing shows that it can fail`);
    expect(m, m.join('\n')).toHaveLength(4);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('the repository', () => {
  it('has a correct alternative for every lesson (lessons check only warns, so that a new lesson passes it)', () => {
    const without = loadAllLessons().filter((l) => !readVariants(l, 'alternative').variants.length).map((l) => l.id);
    expect(without).toEqual([]);
  });

  it('is lint-clean: no errors in any lesson (warnings are listed, not failed)', () => {
    const results = lintLessons();
    expect(results.length).toBeGreaterThanOrEqual(12);
    expect(results.flatMap((r) => r.problems.filter((p) => !p.warning).map(formatProblem))).toEqual([]);
  }, 120_000);
});

describe('TODO numbering and headings (pure)', () => {
  it('fails a TODO numbered below the one before it, and places an unbalanced marker', () => {
    const c = ['/* TODO 2: b */', 'x();', '/* END TODO */', '/*', ' * TODO 1: a', ' */', 'y();', '/* END TODO */'].join('\n');
    const { todos, problems } = collectTodos([{ path: 'm.c', text: c, lang: 'c' }, { path: 'main.ts', text: 'a;\n// TODO 3: c\nb;\n', lang: 'ts' }]);
    expect(todos.map((t) => `${t.file}:${t.line}:${t.n}`)).toEqual(['m.c:1:2', 'm.c:5:1']);
    expect(problems.map(formatProblem)).toEqual(['m.c:5: TODO 1 comes after TODO 2 (line 1); numbers must increase through a file, in the order a learner meets them', 'main.ts:2: TODO 3 has no END TODO']);
    expect(problems.filter((p) => p.warning)).toEqual([]);
  });

  it('gives headings the anchors VitePress gives them', () => {
    const hs = headings(['# Title', '## Sending it back', '```md', '## not a heading', '```', '### `nlmsg_put()`: the header', '## Sending it back', '## 概念 {#concepts}'].join('\n'));
    expect(hs.map((h) => `${h.line}:${h.anchor}`)).toEqual(['1:title', '2:sending-it-back', '6:nlmsg-put-the-header', '7:sending-it-back-1', '8:concepts']);
    expect(slugify('Who may change the store? 2 ways')).toBe('who-may-change-the-store-2-ways');
  });
});

describe('a lesson.json that does not load', () => {
  it('finds the first error even when later text ends like a partial literal (a "-", an "n")', () => {
    const text = `{\n  "id": "x",\n  "part",: 1,\n  "hint": "${'- n '.repeat(400)}"\n}\n`;
    expect(jsonErrorOffset(text)).toBeLessThanOrEqual(text.indexOf(',:') + 1);
    expect(jsonErrorOffset(text)).toBeGreaterThanOrEqual(text.indexOf('"part"'));
  });

  it('is one problem at the line that is wrong', () => {
    const root = copyLessons(['lesson-4', 'lesson-5']);
    const roots = { lessonsDir: join(root, 'lessons'), docsDir: join(root, 'docs'), displayRoot: root };
    const lint = (): string[] => lintLessons(roots, ['lesson-5']).flatMap((r) => r.problems.map(formatProblem));
    const zero = edit(root, 'lessons/lesson-5/lesson.json', (t) => t.replace('"points": 2', '"points": 0'), '"points": 0');
    const id = readFileSync(join(root, 'lessons/lesson-5/lesson.json'), 'utf8').split('\n').slice(0, zero).findLastIndex((l) => l.includes('"id"')) + 1;
    expect(lint()).toEqual([`lessons/lesson-5/lesson.json:${id}: checks[${JSON.parse(readFileSync(join(root, 'lessons/lesson-5/lesson.json'), 'utf8')).checks.findIndex((c: { points: number }) => c.points === 0)}]: "points" must be a positive number`]);
    const comma = edit(root, 'lessons/lesson-5/lesson.json', (t) => t.replace('"part":', '"part",:'), '"part",:');
    expect(lint()).toEqual([`lessons/lesson-5/lesson.json:${comma}: not valid JSON (the first error is on this line)`]);
  });
});

describe('the site data a lesson needs', () => {
  it('names a check without its Chinese texts, a part that parts.json lacks, and a missing zh-CN.json', () => {
    const root = copyLessons(['lesson-6', 'lesson-7', 'lesson-8', 'lesson-9']);
    const zhPath = join(root, 'lessons/lesson-7/zh-CN.json');
    const zh = JSON.parse(readFileSync(zhPath, 'utf8')) as { checks: Record<string, unknown> };
    delete zh.checks['no-such-key'];
    writeFileSync(zhPath, JSON.stringify(zh, null, 2));
    const partLine = edit(root, 'lessons/lesson-7/lesson.json', (t) => t.replace(/"part": \d+/, '"part": 9'), '"part": 9');
    // A common check's Chinese comes with it, unless the lesson overrides its English hint.
    const loadsLine = edit(root, 'lessons/lesson-7/lesson.json', (t) => t.replace('  "checks": [', '  "common": { "loads": { "hint": "Return 0 from init." } },\n  "checks": ['), '"common"');
    const ownLine = readFileSync(join(root, 'lessons/lesson-7/lesson.json'), 'utf8').split('\n').findIndex((l) => l.includes('"id": "no-such-key"')) + 1;
    rmSync(join(root, 'lessons/lesson-9/zh-CN.json'));
    const found = new Map(lintLessons({ lessonsDir: join(root, 'lessons'), docsDir: join(root, 'docs'), displayRoot: root }, ['lesson-7', 'lesson-9']).map((r) => [r.id, messages(r)]));
    expect(found.get('lesson-7')).toEqual([
      `lessons/lesson-7/lesson.json:${partLine}: part 9 has no title and summary in lessons/parts.json`,
      `lessons/lesson-7/lesson.json:${loadsLine}: check "loads" has no Chinese title and hint in lessons/lesson-7/zh-CN.json`,
      `lessons/lesson-7/lesson.json:${ownLine}: check "no-such-key" has no Chinese title and hint in lessons/lesson-7/zh-CN.json`,
    ]);
    expect(found.get('lesson-9')).toEqual(['lessons/lesson-9/lesson.json:1: no zh-CN.json beside it: the lesson\'s Chinese title, summary, check titles and hints, and TODO texts']);
  }, 120_000);

  it('names a check with TODOs that lacks its level-2 hint, in lesson.json or in zh-CN.json', () => {
    const root = copyLessons(['lesson-4']);
    const jsonPath = join(root, 'lessons/lesson-4/lesson.json');
    const meta = JSON.parse(readFileSync(jsonPath, 'utf8')) as { checks: { id: string; todos: number[]; hint2?: string }[] };
    const [first, second] = meta.checks.filter((c) => c.todos.length);
    delete first!.hint2;
    writeFileSync(jsonPath, JSON.stringify(meta, null, 2));
    const zhPath = join(root, 'lessons/lesson-4/zh-CN.json');
    const zh = JSON.parse(readFileSync(zhPath, 'utf8')) as { checks: Record<string, { hint2?: string }> };
    delete zh.checks[second!.id]!.hint2;
    writeFileSync(zhPath, JSON.stringify(zh, null, 2));
    const line = (id: string) => readFileSync(jsonPath, 'utf8').split('\n').findIndex((l) => l.includes(`"id": "${id}"`)) + 1;
    const found = lintLessons({ lessonsDir: join(root, 'lessons'), docsDir: join(root, 'docs'), displayRoot: root }).flatMap(messages);
    expect(found).toEqual([
      `lessons/lesson-4/lesson.json:${line(first!.id)}: check "${first!.id}" depends on TODOs but has no "hint2" (the more specific hint \`grade --hint ${first!.id}\` prints)`,
      `lessons/lesson-4/lesson.json:${line(second!.id)}: check "${second!.id}" has no Chinese "hint2" in lessons/lesson-4/zh-CN.json`,
    ]);
  }, 120_000);

  it('every check with TODOs has a level-2 hint in both languages, more than its first hint', () => {
    const missing: string[] = [];
    for (const l of loadAllLessons()) {
      const zh = JSON.parse(readFileSync(join(l.dir, 'zh-CN.json'), 'utf8')) as { checks: Record<string, { hint?: string; hint2?: string }> };
      for (const c of l.checks.filter((x) => x.todos.length)) {
        if (!c.hint2 || c.hint2 === c.hint) missing.push(`${l.id} ${c.id}: English`);
        const z = zh.checks[c.id];
        if (!z?.hint2 || z.hint2 === z.hint) missing.push(`${l.id} ${c.id}: Chinese`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('MUTANTS.md and ALTERNATIVES.md (pure)', () => {
  it('reads fields in code spans of any width, and names what cannot be read at its line', () => {
    // Two entries: one with a Says in a double-backtick span, one that cannot be read.
    const text = readFileSync(new URL('fixtures/MUTANTS-unreadable.md', import.meta.url), 'utf8');
    const { variants, problems } = parseVariants(text, 'lesson-9', 'M.md');
    expect(variants[0]).toMatchObject({ name: 'quoted', why: 'Why it breaks.', line: 3, fails: { check: 'client-count', says: /`count c` did not print/ }, files: [{ rel: 'client/main.ts', hunks: [{ header: '@@ -1,1 +1,1 @@', lines: ['-a', '+b'], line: 12 }] }] });
    expect(problems.map(formatProblem)).toEqual([
      'M.md:21: a ```diff block starts with its @@ line',
      'M.md:18: `orphan-says` changes nothing: give it a `### `file`` heading and a ```diff block',
      'M.md:18: `orphan-says`: Says and Blames belong to a mutant, which names the check it fails: add `Fails: `check-id``',
    ]);
  });
});
