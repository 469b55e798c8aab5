// Tests that need no browser: the directives, translations, locale parity, and check anchors in the built site.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { editLinkPattern } from '../.vitepress/config.ts';
import { renderReference } from '../.vitepress/gen/client-reference.ts';
import { tokenize } from '../.vitepress/theme/search-tokenize.ts';
import { listLessons, lessonPageExists, partText, zhLessons } from '../.vitepress/lessons.ts';
import { expandDirectives } from '../.vitepress/markdown/lab-directives.ts';
import { solutionFiles } from '../../grader/src/lesson/inherit.ts';
import { markerLanguage, todoBlocks, toStarter } from '../../grader/src/lesson/todo-markers.ts';
import { distDir, docsDir, pageFiles, resolveUrl } from './helpers.ts';

const realLessons = listLessons(join(docsDir, '../lessons'));

describe('directives (fixture lesson)', () => {
  let saved: string | undefined;
  beforeAll(() => {
    const root = mkdtempSync(join(tmpdir(), 'nlab-docs-'));
    const l = join(root, 'lesson-9');
    mkdirSync(join(l, 'solution/kernel'), { recursive: true });
    mkdirSync(join(l, 'solution/client'), { recursive: true });
    writeFileSync(
      join(l, 'lesson.json'),
      JSON.stringify({
        id: 'lesson-9', title: 'Fixture', part: 4, summary: 'A fixture lesson.', module: 'm', netlink: { unit: 31 }, client: 'main.ts',
        // One check of its own and none of the common ones the loader would add.
        common: { builds: false, 'client-builds': false, loads: false },
        checks: [{ id: 'answer-arrives', title: 'The answer arrives', points: 2, side: 'both', hint: 'Use nlmsg_unicast().', todos: [1] }],
      }),
    );
    writeFileSync(join(l, 'solution/kernel/m.c'), ['int x;', '\t/* TODO 1: Create the socket with netlink_kernel_create(). */', '\tsk = netlink_kernel_create(&init_net, 31, &cfg);', '\t/* STARTER: sk = NULL; */', '\t/* END TODO */', 'int y;'].join('\n'));
    writeFileSync(join(l, 'solution/client/main.ts'), ['const a = 1;', '// TODO 2: Send it.', 'sock.send(m);', '// END TODO', ''].join('\n'));
    writeFileSync(join(l, 'zh-CN.json'), JSON.stringify({ title: '夹具课', checks: {}, todos: {}, changes: { 'kernel/m.c': { en: 'The socket is created in init now.', 'zh-CN': '套接字现在在 init 中创建。' } } }));
    writeFileSync(
      join(l, 'CHANGES.md'),
      [
        ...['# What `lesson-9` changes in `lesson-8`', '', '## `kernel/m.c`', '', 'The socket is created in init now.', '', '```diff', '@@ -1,2 +1,3 @@', ' int x;', '+\t«TODO 1»', ' int y;', '```', ''],
        ...['## `client/main.ts` (renamed from `client/old.ts`)', '', 'Lesson 8\'s client, renamed.', '', '```diff', '@@ -1,1 +1,1 @@', '-const a = 0;', '+const a = 1;', '```', ''],
      ].join('\n'),
    );
    writeFileSync(
      join(root, 'parts.json'),
      JSON.stringify({ 4: { title: 'Fixture part', summary: 'One fixture lesson.', 'zh-CN': { title: '夹具部分', summary: '一节夹具课。' } } }),
    );
    saved = process.env.NLAB_LESSONS_DIR;
    process.env.NLAB_LESSONS_DIR = root;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.NLAB_LESSONS_DIR;
    else process.env.NLAB_LESSONS_DIR = saved;
  });

  it('renders a TODO: starter visible, solution folded with diff notation', () => {
    const out = expandDirectives('<!-- @todo lesson-9 1 -->', 'lessons/lesson-9.md');
    expect(out).toContain('id="todo-1"');
    expect(out).toContain('starter/kernel/m.c');
    expect(out).toContain('line 2');
    const [visible, folded] = out.split('<details');
    expect(visible).toContain('\tsk = NULL;');
    expect(visible).not.toContain('netlink_kernel_create(&init_net');
    expect(folded).toContain('// [!code --:1]\n\tsk = NULL;');
    expect(folded).toContain('// [!code ++:1]\n\tsk = netlink_kernel_create(&init_net, 31, &cfg);');
    expect(folded).toContain('</details>');
  });

  it('renders what a lesson changes in its base: each file\'s note, its diff folded', () => {
    const out = expandDirectives('<!-- @changes lesson-9 -->', 'lessons/lesson-9.md');
    expect(out).toContain("What changes in lesson-8's code");
    expect(out).toContain('<code>kernel/m.c</code>');
    const [visible, folded] = out.split('<details');
    expect(visible).toContain('The socket is created in init now.');
    expect(folded).toContain('```diff\n@@ -1,2 +1,3 @@\n int x;\n+\t«TODO 1»\n int y;\n```');
    expect(expandDirectives('<!-- @changes lesson-9 -->', 'zh-CN/lessons/lesson-9.md')).toContain('在 lesson-8 代码基础上');
    expect(out).toContain('<code>client/main.ts</code> (renamed from <code>client/old.ts</code>)');
  });

  it('shows the notes in Chinese on a zh-CN page, and an untranslated one in English, marked and warned about', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const zh = expandDirectives('<!-- @changes lesson-9 -->', 'zh-CN/lessons/lesson-9.md');
      expect(zh).toContain('<div class="nlab-change-note">\n\n套接字现在在 init 中创建。\n');
      expect(zh).not.toContain('The socket is created in init now.');
      expect(zh).toContain('<code>client/main.ts</code>（由 <code>client/old.ts</code> 改名而来）');
      expect(zh).toContain('<div class="nlab-change-note" data-untranslated>\n\nLesson 8\'s client, renamed.\n');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('@changes lesson-9: no zh-CN translation of the note on client/main.ts'));
    } finally {
      warn.mockRestore();
    }
  });

  it('renders a whole file as the starter, with the solution only folded and under its file name', () => {
    const starter = expandDirectives('<!-- @code lesson-9 starter/kernel/m.c -->');
    const [visible, folded] = starter.split('<details');
    expect(visible).toContain('<code>starter/kernel/m.c</code>');
    expect(visible).toMatch(/```c\nint x;\n\t\/\* TODO 1: Create the socket with netlink_kernel_create\(\). \*\/\n\tsk = NULL;\nint y;\n```/);
    expect(visible).not.toContain('netlink_kernel_create(&init_net');
    expect(folded).toContain('<code>solution/kernel/m.c</code>');
    expect(folded).toMatch(/```c\nint x;\n\tsk = netlink_kernel_create\(&init_net, 31, &cfg\);\nint y;\n```/);
    // Naming the solution shows nothing unfolded.
    const sol = expandDirectives('<!-- @code lesson-9 solution/client/main.ts -->');
    expect(sol.trimStart().startsWith('<details')).toBe(true);
    expect(sol).toContain('sock.send(m);');
  });

  it('renders checks with explicit anchors, in both locales', () => {
    const en = expandDirectives('<!-- @todo lesson-9 1 -->\n<!-- @checks lesson-9 -->', 'lessons/lesson-9.md');
    expect(en).toContain('### The answer arrives {#check-answer-arrives}');
    expect(en).toContain('**2 points**');
    expect(en).toContain('[TODO 1](#todo-1)');
    expect(en).toContain('Use nlmsg_unicast().');
    const zh = expandDirectives('<!-- @checks lesson-9 -->', 'zh-CN/lessons/lesson-9.md');
    expect(zh).toContain('{#check-answer-arrives}');
    expect(zh).toContain('**2 分**');
  });

  it('leaves directives inside code fences alone, and names missing lessons as coming', () => {
    const src = '```md\n<!-- @todo lesson-9 1 -->\n```';
    expect(expandDirectives(src)).toBe(src);
    expect(expandDirectives('See <!-- @lesson lesson-99 -->.')).toBe('See Lesson 99 *(coming)*.');
    // The title comes from the lesson's own zh-CN.json.
    expect(expandDirectives('<!-- @lesson lesson-9 -->', 'zh-CN/x.md')).toBe('[第 9 课 · 夹具课](/zh-CN/lessons/lesson-9)');
  });

  it('builds the course map and the home page\'s parts from lesson.json, the TODO markers and parts.json', () => {
    const course = {
      'lessons/index.md': ['1 lessons, 1 checks, 2 points, 2 TODOs in all.', '## Part IV · Fixture part {#part-4}\n\nOne fixture lesson.', '| [9. Fixture](/lessons/lesson-9) | A fixture lesson. | 1 | 2 | 2 |'],
      'zh-CN/lessons/index.md': ['## 第四部分 · 夹具部分 {#part-4}\n\n一节夹具课。', '[9. 夹具课](/zh-CN/lessons/lesson-9)'],
    };
    for (const [page, wanted] of Object.entries(course)) {
      const md = expandDirectives('<!-- @course -->', page);
      for (const w of wanted) expect(md, page).toContain(w);
    }
    expect(expandDirectives('<!-- @parts -->', 'index.md')).toBe('- [**Part IV, lesson 9: Fixture part**](/lessons/#part-4) — One fixture lesson.');
    expect(expandDirectives('<!-- @parts -->', 'zh-CN/index.md')).toBe('- [**第四部分，第 9 课：夹具部分**](/zh-CN/lessons/#part-4)——一节夹具课。');
    // A part that parts.json does not describe stops the build with the file's name.
    expect(() => partText(7, 'en')).toThrow(/parts\.json: part 7 has no en title/);
  });

  it('shows a TODO without a current zh-CN translation in English, marked and warned about', () => {
    // The fixture's zh-CN.json translates no TODO.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const zh = expandDirectives('<!-- @todo lesson-9 1 -->', 'zh-CN/lessons/lesson-9.md');
      expect(zh).toContain('<p class="nlab-todo-text" data-untranslated>Create the socket with netlink_kernel_create().</p>');
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/@todo lesson-9 1: no zh-CN translation/));
      expect(expandDirectives('<!-- @todo lesson-9 1 -->', 'lessons/lesson-9.md')).not.toContain('data-untranslated');
    } finally {
      warn.mockRestore();
    }
  });

  it('fails loudly on a TODO that does not exist', () => {
    expect(() => expandDirectives('<!-- @todo lesson-9 7 -->')).toThrow(/no TODO 7/);
  });
});

describe('locales', () => {
  it('every page exists in English and in Simplified Chinese', () => {
    const pages = pageFiles();
    const en = pages.filter((p) => !p.startsWith('zh-CN/'));
    const zh = new Set(pages.filter((p) => p.startsWith('zh-CN/')).map((p) => p.slice('zh-CN/'.length)));
    expect(en.length).toBeGreaterThan(5);
    expect(en.filter((p) => !zh.has(p))).toEqual([]);
    expect([...zh].filter((p) => !en.includes(p))).toEqual([]);
  });

  it('every lesson and every check has a zh-CN translation', () => {
    const zh = zhLessons();
    const missing: string[] = [];
    for (const l of realLessons) {
      if (!zh[l.id]?.title) missing.push(`${l.id}: title`);
      for (const c of l.checks) {
        // A common check brings its own (c.zh) unless the lesson overrides its English.
        if (!(zh[l.id]?.checks?.[c.id]?.title ?? c.zh?.title)) missing.push(`${l.id}/${c.id}: title`);
        if (!(zh[l.id]?.checks?.[c.id]?.hint ?? c.zh?.hint)) missing.push(`${l.id}/${c.id}: hint`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('what each lesson changes in its base (@changes)', () => {
  /** Lines a lesson's TODO solutions have and its starters do not: the answers. */
  const answers = (id: string): Set<string> => {
    const own = [...solutionFiles({ ...readLessonMeta(id), dir: join(lessonsRoot, id) })].filter(([rel, f]) => f.from === id && markerLanguage(rel));
    const starters = new Set(own.flatMap(([rel, f]) => toStarter(f.text, markerLanguage(rel)!, rel).split('\n').map((l) => l.trim())));
    return new Set(own.flatMap(([rel, f]) => todoBlocks(f.text, markerLanguage(rel)!, rel).flatMap((b) => b.solution.map((l) => l.trim()))).filter((l) => l && !starters.has(l)));
  };
  const lessonsRoot = join(docsDir, '../lessons');
  const readLessonMeta = (id: string) => realLessons.find((l) => l.id === id)!;

  it('no diff of a lesson with a base gives a TODO\'s answer away: each TODO is a «TODO n» line', () => {
    const based = realLessons.filter((l) => l.base);
    expect(based.length).toBeGreaterThan(10);
    for (const l of based) {
      const out = expandDirectives(`<!-- @changes ${l.id} -->`, `lessons/${l.id}.md`);
      const shown = [...out.matchAll(/^`{3,}diff\n([^]*?)\n`{3,}$/gm)].flatMap((m) => m[1]!.split('\n')).filter((x) => x.startsWith('+') || x.startsWith(' ')).map((x) => x.slice(1).trim());
      expect(shown.length, l.id).toBeGreaterThan(0);
      const secret = answers(l.id);
      expect(shown.filter((x) => secret.has(x)), `${l.id}: answer lines in its @changes diffs`).toEqual([]);
      if (secret.size) expect(shown.some((x) => /^«TODO \d+»$/.test(x)), l.id).toBe(true);
    }
  });
});

describe('the client reference', () => {
  it('says what each attribute kind decodes to, in both locales', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const md = renderReference(locale, join(docsDir, '../client/src/index.ts'));
      expect(md).toContain('{#decoded-values}');
      expect(md).toContain('| `binary` | `Buffer` |');
      expect(md).toContain('| `string` | `string` |');
      expect(md).toContain('| `u64` | `bigint` | 8 |');
      expect(md).toContain('| `flag` | `boolean` | 0 |');
    }
  });
});

describe('the search tokenizer', () => {
  it('cuts Chinese into words, so a query shares terms with the page; other text splits as MiniSearch does', () => {
    const page = '每个网络命名空间都有自己的存储';
    // MiniSearch's default split keeps the sentence as one term: 命名空间 could never match it.
    expect(page.split(/[\n\r\p{Z}\p{P}]+/u)).toEqual([page]);
    const terms = new Set(tokenize(page));
    for (const q of ['命名空间', '存储', '网络命名空间']) {
      const query = tokenize(q);
      expect(query.length, q).toBeGreaterThan(0);
      expect(query.some((t) => terms.has(t)), q).toBe(true);
    }
    expect(tokenize('nlmsg_unicast(sock, skb)')).toEqual(['nlmsg', 'unicast', 'sock', 'skb']);
  });
});

describe('edit links', () => {
  it('come from DOCS_REPO_URL or the git remote, and are left out when neither is known', () => {
    expect(editLinkPattern({ DOCS_REPO_URL: 'https://github.com/o/netlink-lab' }, undefined)).toBe('https://github.com/o/netlink-lab/edit/main/docs/:path');
    expect(editLinkPattern({}, 'git@github.com:o/netlink-lab.git')).toBe('https://github.com/o/netlink-lab/edit/main/docs/:path');
    expect(editLinkPattern({}, undefined)).toBeUndefined();
  });
});

describe('the grader’s hint links land on a heading of the built site', () => {
  it('the site is built', () => expect(existsSync(join(distDir, 'index.html'))).toBe(true));
  for (const l of realLessons) {
    it(`${l.id} has a page in both locales`, () => {
      expect(lessonPageExists(l.id, 'en'), `docs/lessons/${l.id}.md`).toBe(true);
      expect(lessonPageExists(l.id, 'zh-CN'), `docs/zh-CN/lessons/${l.id}.md`).toBe(true);
    });
    for (const c of l.checks) {
      for (const prefix of ['', '/zh-CN']) {
        it(`${prefix}/lessons/${l.id}#check-${c.id}`, () => {
          // The grader prints docs/lessons/<lesson>.md#check-<id>; on the site that is /lessons/<lesson>#check-<id>.
          const file = resolveUrl(`${prefix}/lessons/${l.id}`);
          expect(file, `built page for ${prefix}/lessons/${l.id}`).toBeDefined();
          const html = readFileSync(file!, 'utf8');
          expect(html).toMatch(new RegExp(`<h[1-6][^>]* id="check-${c.id}"`));
        });
      }
    }
  }
});
