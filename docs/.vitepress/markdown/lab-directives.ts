// A markdown-it plugin that renders lesson files into pages, so code is never pasted.
//
//   <!-- @todo lesson-3 2 -->                         TODO 2 of lesson-3: starter, then the solution folded
//   <!-- @code lesson-3 starter/client/main.ts -->      a whole file as the student gets it, the solution folded below
//   <!-- @code lesson-3 solution/kernel/nlab_reply.c --> only the folded solution (a file without TODOs: shown as is)
//   <!-- @checks lesson-3 -->                         every check: heading {#check-<id>}, points, side, hint
//   <!-- @changes lesson-12 -->                       what the lesson changes in its base's code: a note per file (zh-CN.json translates it), its diff folded (CHANGES.md)
//   <!-- @lesson lesson-4 -->                         a link to the lesson page, or "(coming)" if it has none yet
//   <!-- @course -->                                  the course map: parts, lessons, summaries, checks, points, TODOs
//   <!-- @bytes lesson-8 set -->                      a lesson's message as a byte table, encoded by the client (gen/byte-tables.ts)
//   <!-- @bytes lesson-7 hex=3c00… -->                recorded bytes as a byte table, named with the lesson's family
//   <!-- @parts -->                                   the parts of the course, one line each, with their lessons (home page)
//
// Directives are expanded into markdown before parsing, so the output goes through
// VitePress's own pipeline: headings get anchors and an outline entry, fences get
// highlighting and copy buttons, and local search indexes it all.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { MarkdownRenderer } from "vitepress";
import { CHANGES_FILE, parseChanges } from '../../../grader/src/lesson/changes-file.ts';
import { solutionFiles } from '../../../grader/src/lesson/inherit.ts';
import { isGuestBuiltin } from '../../../grader/src/lesson/schema.ts';
import { markerLanguage, todoBlocks, toSolutionView, toStarter, type TodoBlock } from '../../../grader/src/lesson/todo-markers.ts';
import { renderBytes } from '../gen/byte-tables.ts';
import { changeNote, checkText, courseParts, lessonNumber, todoText, lessonPageExists, lessonsDir, lessonTitle, listLessons, localePrefix, partLabel, partText, readLesson, zhLessons, type Locale } from '../lessons.ts';

const UI = {
  en: {
    todo: 'TODO',
    edit: 'Edit',
    line: 'line',
    starter: 'What you start with',
    showSolution: 'Show solution',
    printSolution: 'Solution',
    solutionNote: 'Lines marked red are the starter’s, green the solution’s.',
    points: (n: number) => `${n} ${n === 1 ? 'point' : 'points'}`,
    side: { kernel: 'judges your module', client: 'judges your client', both: 'judges both sides (all three pairings)' },
    builtin: 'runs on the host',
    guestBuiltin: 'built into the grader, runs in the lab VM',
    hint: 'Hint',
    showHint2: 'Still stuck? A more specific hint',
    printHint2: 'A more specific hint',
    hint2Cli: 'The grader prints it too:',
    dependsOn: 'Depends on',
    noTodo: 'depends on no TODO',
    listSep: ', ',
    lesson: (n: number) => `Lesson ${n}`,
    coming: 'coming',
    showReference: (file: string) => `Show the reference solution (whole ${file})`,
    printReference: (file: string) => `The reference solution (whole ${file})`,
    referenceNote: 'The finished file, TODO markers removed. Try the TODOs below first.',
    changesFrom: (base: string) => `What changes in ${base}'s code, outside the TODOs (each shown as «TODO n»):`,
    showDiff: 'Show the diff',
    printDiff: 'The diff',
    newFile: 'new in this lesson',
    renamedFrom: (file: string) => `renamed from ${file}`,
    aside: (s: string) => ` (${s})`,
    permalink: (n: number) => `Permalink to TODO ${n}`,
    lessons: (first: number, last: number) => (first === last ? `lesson ${first}` : `lessons ${first}–${last}`),
    course: { head: '| Lesson | What it teaches | Checks | Points | TODOs |', total: (l: number, c: number, p: number, t: number) => `${l} lessons, ${c} checks, ${p} points, ${t} TODOs in all.` },
  },
  'zh-CN': {
    todo: 'TODO',
    edit: '修改',
    line: '第',
    starter: '起始代码',
    showSolution: '显示答案',
    printSolution: '答案',
    solutionNote: '红色行是起始代码，绿色行是答案。',
    points: (n: number) => `${n} 分`,
    side: { kernel: '评判你的内核模块', client: '评判你的客户端', both: '两边都评判（三种组合）' },
    builtin: '在宿主机上运行',
    guestBuiltin: '评分器内置，在实验虚拟机中运行',
    hint: '提示',
    showHint2: '还是卡住了？更具体的提示',
    printHint2: '更具体的提示',
    hint2Cli: '评分器也会打印它：',
    dependsOn: '依赖',
    noTodo: '不依赖任何 TODO',
    listSep: '、',
    lesson: (n: number) => `第 ${n} 课`,
    coming: '即将推出',
    showReference: (file: string) => `显示参考答案（完整的 ${file}）`,
    printReference: (file: string) => `参考答案（完整的 ${file}）`,
    referenceNote: '完成后的文件，已去掉 TODO 标记。请先自己完成下面的 TODO。',
    changesFrom: (base: string) => `在 ${base} 代码基础上、TODO 之外的改动（每个 TODO 显示为 «TODO n»）：`,
    showDiff: '显示差异',
    printDiff: '差异',
    newFile: '本课新增',
    renamedFrom: (file: string) => `由 ${file} 改名而来`,
    aside: (s: string) => `（${s}）`,
    permalink: (n: number) => `TODO ${n} 的链接`,
    lessons: (first: number, last: number) => (first === last ? `第 ${first} 课` : `第 ${first}–${last} 课`),
    course: { head: '| 课程 | 学什么 | 检查项 | 分数 | TODO |', total: (l: number, c: number, p: number, t: number) => `共 ${l} 节课、${c} 个检查项、${p} 分、${t} 个 TODO。` },
  },
} as const;

const localeOf = (relativePath: string | undefined): Locale => (relativePath?.startsWith('zh-CN/') ? 'zh-CN' : 'en');

/** A fence long enough not to be closed by the code inside it. */
function fence(lang: string, code: string, info = ''): string {
  const longest = Math.max(2, ...[...code.matchAll(/^\s*(`{3,})/gm)].map((m) => m[1]!.length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}${info ? ` ${info}` : ''}\n${code.replace(/\n+$/, '')}\n${f}`;
}

const FENCE_LANG: Record<string, string> = { c: 'c', h: 'c', ts: 'ts', mts: 'ts', json: 'json', sh: 'sh', yaml: 'yaml' };
const langOf = (file: string): string => {
  const base = file.split('/').pop()!;
  if (base === 'Kbuild' || base === 'Makefile') return 'make';
  return FENCE_LANG[base.split('.').pop() ?? ''] ?? 'txt';
};

const escapeMd = (s: string): string => s.replace(/([\\`*_[\]<>{}|])/g, '\\$1');
/** Escapes markdown but keeps `backticked` names as code (check titles name functions and fields). */
const escapeMdKeepCode = (s: string): string =>
  s.split(/(`[^`]+`)/).map((p) => (p.length > 2 && p.startsWith('`') && p.endsWith('`') ? p : escapeMd(p))).join('');
const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Backticked names stay code, the rest is escaped for HTML. */
const inlineHtml = (s: string): string =>
  s.split(/(`[^`]+`)/).map((p) => (p.startsWith('`') && p.endsWith('`') && p.length > 1 ? `<code>${escapeHtml(p.slice(1, -1))}</code>` : escapeHtml(p))).join('');

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

/** The TODO block numbered n in a lesson's solution files, with the file it is in. */
export function findTodo(lessonId: string, n: number): { file: string; block: TodoBlock; source: string } {
  const root = join(lessonsDir(), lessonId, 'solution');
  for (const path of walk(root)) {
    const lang = markerLanguage(path);
    if (!lang) continue;
    const source = readFileSync(path, 'utf8');
    const block = todoBlocks(source, lang, path).find((b) => b.n === n);
    if (block) return { file: relative(join(lessonsDir(), lessonId), path), block, source };
  }
  throw new Error(`@todo ${lessonId} ${n}: no TODO ${n} in ${root}`);
}

/** Every TODO number in a lesson's solution, in order. */
export function lessonTodos(lessonId: string): number[] {
  const root = join(lessonsDir(), lessonId, 'solution');
  return walk(root).flatMap((p) => {
    const lang = markerLanguage(p);
    return lang ? todoBlocks(readFileSync(p, 'utf8'), lang, p).map((b) => b.n) : [];
  });
}

/** A fold's summary: a button on screen; on paper, where the fold prints open, a label (custom.css). */
const foldSummary = (screen: string, print: string): string =>
  `<summary><span class="nlab-screen">${screen}</span><span class="nlab-print">${print}</span></summary>`;

/**
 * Marks a run of lines as added or removed with the notation VitePress's highlighter turns
 * into diff lines: a comment on its own line applies to the next N lines and disappears.
 */
const mark = (lines: string[], kind: '++' | '--'): string[] => (lines.length ? [`// [!code ${kind}:${lines.length}]`, ...lines] : []);

function renderTodo(lessonId: string, n: number, locale: Locale): string {
  const t = UI[locale];
  const { file, block, source } = findTodo(lessonId, n);
  const lang = markerLanguage(file)!;
  const starterFile = file.replace(/^solution\//, 'starter/');
  // Where the TODO is in the file the student edits.
  const starterLines = toStarter(source, lang, file).split('\n');
  // The line that names the TODO (a kernel-style comment may open with a bare "/*" above it).
  const at = starterLines.findIndex((l) => new RegExp(`\\bTODO ${block.n}:`).test(l)) + 1;
  const where = locale === 'en' ? `${t.line} ${at}` : `${t.line} ${at} 行`;
  const starter = [...block.comment, ...block.starter].join('\n');
  const solution = [...block.comment, ...mark(block.starter, '--'), ...mark(block.solution, '++')].join('\n');
  const { text, translated } = todoText(lessonId, n, block.text, locale);
  // Not silent: the build says so, the card is marked, and content.test.ts fails.
  if (!translated) console.warn(`@todo ${lessonId} ${n}: no ${locale} translation of "${block.text}" in lessons/${lessonId}/zh-CN.json`);
  return [
    `<div class="nlab-todo">`,
    // A real heading, so the TODO is in the outline, in search and in a screen reader's list of headings;
    // the outline shows only "TODO n" (VitePress leaves .ignore-header out of it).
    `<h3 class="nlab-todo-head" id="todo-${n}" tabindex="-1"><span class="nlab-todo-n">${t.todo} ${n}</span> <code class="ignore-header">${escapeHtml(starterFile)}</code> <span class="nlab-todo-line ignore-header">${where}</span> <a class="header-anchor" href="#todo-${n}" aria-label="${t.permalink(n)}">\u200b</a></h3>`,
    `<p class="nlab-todo-text"${translated ? '' : ' data-untranslated'}>${inlineHtml(text)}</p>`,
    '',
    `<p class="nlab-todo-label">${t.starter}</p>`,
    '',
    fence(langOf(file), starter),
    '',
    `<details class="nlab-solution">${foldSummary(t.showSolution, t.printSolution)}`,
    '',
    `<p class="nlab-todo-label">${t.solutionNote}</p>`,
    '',
    fence(langOf(file), solution),
    '',
    '</details>',
    '</div>',
  ].join('\n');
}

/**
 * A whole lesson file. `starter/…` shows what the student edits, with the reference solution
 * folded below it when the two differ; `solution/…` shows a file with TODOs only folded, so a
 * page never shows an answer before the student asks for it. Files without TODOs (Kbuild,
 * Makefile) are the same in both and are shown as they are.
 */
function renderCode(lessonId: string, file: string, locale: Locale): string {
  const t = UI[locale];
  const base = join(lessonsDir(), lessonId);
  const wantsStarter = file.startsWith('starter/');
  // Starters are generated from solutions: read the solution and derive, so the page never drifts.
  const solutionFile = wantsStarter ? file.replace(/^starter\//, 'solution/') : file;
  const path = join(base, solutionFile);
  // The lesson's own file, or one it takes from its base (lesson.json "fromBase").
  const source = solutionFiles({ ...readLesson(lessonId), dir: base }).get(solutionFile.replace(/^solution\//, ''))?.text;
  if (source === undefined) throw new Error(`@code ${lessonId} ${file}: no such file ${path}`);
  const lang = markerLanguage(path);
  const name = file.split('/').pop()!;
  const starterPath = file.replace(/^solution\//, 'starter/');
  if (!lang) return titledFence(langOf(file), source, file);
  const starter = toStarter(source, lang, path);
  const solution = toSolutionView(source, lang, path);
  if (starter === solution) return titledFence(langOf(file), solution, file);
  const folded = [
    `<details class="nlab-solution nlab-reference">${foldSummary(t.showReference(escapeHtml(name)), t.printReference(escapeHtml(name)))}`,
    '',
    `<p class="nlab-todo-label">${t.referenceNote}</p>`,
    '',
    titledFence(langOf(file), solution, solutionFile),
    '',
    '</details>',
  ];
  if (!wantsStarter) return folded.join('\n');
  return [titledFence(langOf(file), starter, starterPath), '', ...folded].join('\n');
}

/** A code block with its file path shown above it (VitePress shows fence titles only in code groups). */
function titledFence(lang: string, code: string, file: string): string {
  return [`<div class="nlab-file"><div class="nlab-file-name"><code>${escapeHtml(file)}</code></div>`, '', fence(lang, code), '', '</div>'].join('\n');
}

function renderChecks(lessonId: string, locale: Locale, pageSource: string): string {
  const t = UI[locale];
  const lesson = readLesson(lessonId);
  const onPage = new Set([...pageSource.matchAll(new RegExp(`<!--\\s*@todo\\s+${lessonId}\\s+(\\d+)\\s*-->`, 'g'))].map((m) => Number(m[1])));
  return lesson.checks
    .map((c) => {
      const { title, hint, hint2 } = checkText(lessonId, c, locale);
      const todos = c.todos.length
        ? `${t.dependsOn} ${c.todos.map((n) => (onPage.has(n) ? `[TODO ${n}](#todo-${n})` : `TODO ${n}`)).join(t.listSep)}`
        : t.noTodo;
      const meta = [`**${t.points(c.points)}**`, t.side[c.side], ...(c.builtin ? [`${isGuestBuiltin(c.builtin) ? t.guestBuiltin : t.builtin} (\`${c.builtin}\`)`] : []), todos];
      return [
        `### ${escapeMdKeepCode(title)} {#check-${c.id}}`,
        '',
        `<p class="nlab-check-meta"><code>${c.id}</code></p>`,
        '',
        meta.join(' · '),
        '',
        `::: tip ${t.hint}`,
        hint,
        ':::',
        // The second step of help, folded: what `grade --hint` prints (grader/README.md, "Staged help").
        ...(hint2
          ? [
              '',
              `<details class="nlab-solution nlab-hint2">${foldSummary(t.showHint2, t.printHint2)}`,
              '',
              escapeMdKeepCode(hint2),
              '',
              `<p class="nlab-hint2-cli">${t.hint2Cli} <code>npm run grade ${lessonId} -- --hint ${c.id}</code></p>`,
              '',
              '</details>',
            ]
          : []),
      ].join('\n');
    })
    .join('\n\n');
}

/**
 * CHANGES.md of a lesson: each file's path (new, or renamed from the base's), its note (in Chinese
 * from zh-CN.json's `changes` on a zh-CN page) and its diff folded below. The diff shows the
 * lesson's TODO blocks as «TODO n» lines, so it gives no answer away.
 */
function renderChanges(lessonId: string, locale: Locale): string {
  const t = UI[locale];
  const path = join(lessonsDir(), lessonId, CHANGES_FILE);
  const doc = existsSync(path) ? parseChanges(readFileSync(path, 'utf8')) : undefined;
  if (!doc) throw new Error(`@changes ${lessonId}: no ${path} (npm run lessons -- sync writes it)`);
  const out = [t.changesFrom(doc.base), ''];
  for (const f of doc.files) {
    const what = f.isNew ? t.newFile : f.renamedFrom ? t.renamedFrom(`<code>${escapeHtml(f.renamedFrom)}</code>`) : '';
    const note = changeNote(lessonId, f.rel, f.note, locale);
    // Not silent: the build says so, the note is marked, and i18n.test.ts fails.
    if (!note.translated) console.warn(`@changes ${lessonId}: no ${locale} translation of the note on ${f.rel} in lessons/${lessonId}/zh-CN.json ("changes")`);
    out.push(`<div class="nlab-file"><div class="nlab-file-name"><code>${escapeHtml(f.rel)}</code>${what ? t.aside(what) : ''}</div>`, '');
    out.push(`<div class="nlab-change-note"${note.translated ? '' : ' data-untranslated'}>`, '', note.text, '', '</div>', '');
    if (f.hunks.length) {
      const diff = f.hunks.flatMap((h) => [h.header, ...h.lines]).join('\n');
      out.push(`<details class="nlab-solution nlab-changes">${foldSummary(t.showDiff, t.printDiff)}`, '', fence('diff', diff), '', '</details>', '');
    }
    out.push('</div>', '');
  }
  return out.join('\n');
}

function renderLessonLink(lessonId: string, locale: Locale): string {
  const t = UI[locale];
  const n = lessonNumber(lessonId);
  let lesson;
  try {
    lesson = readLesson(lessonId);
  } catch {
    lesson = undefined;
  }
  const title = lessonTitle(lessonId, locale, lesson);
  const label = title ? `${t.lesson(n)} · ${title}` : t.lesson(n);
  if (lessonPageExists(lessonId, locale)) return `[${escapeMd(label)}](${localePrefix(locale)}/lessons/${lessonId})`;
  return `${escapeMd(label)} *(${t.coming})*`;
}

/** The course map: every lesson of lessons/*\/lesson.json, by part, with its checks, points and TODOs. */
function renderCourse(locale: Locale): string {
  const t = UI[locale];
  const lessons = listLessons();
  const stats = new Map(lessons.map((l) => [l.id, { todos: lessonTodos(l.id).length, points: l.checks.reduce((a, c) => a + c.points, 0) }]));
  const sum = (f: (l: (typeof lessons)[number]) => number): number => lessons.reduce((a, l) => a + f(l), 0);
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const summary = (id: string, en: string): string => (locale === 'zh-CN' ? zhLessons()[id]?.summary ?? en : en);
  const out = [t.course.total(lessons.length, sum((l) => l.checks.length), sum((l) => stats.get(l.id)!.points), sum((l) => stats.get(l.id)!.todos)), ''];
  for (const { part, lessons: inPart } of courseParts(lessons)) {
    const text = partText(part, locale);
    out.push(`## ${partLabel(part, locale)} · ${escapeMd(text.title)} {#part-${part}}`, '', escapeMd(text.summary), '', t.course.head, '| --- | --- | ---: | ---: | ---: |');
    for (const l of inPart) {
      const { todos, points } = stats.get(l.id)!;
      const label = `${lessonNumber(l.id)}. ${escapeMd(lessonTitle(l.id, locale, l))}`;
      const link = lessonPageExists(l.id, locale) ? `[${label}](${localePrefix(locale)}/lessons/${l.id})` : label;
      out.push(`| ${link} | ${cell(escapeMd(summary(l.id, l.summary)))} | ${l.checks.length} | ${points} | ${todos} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** The home page's overview: one line per part, with its lessons and what it covers, linked to the course map. */
function renderParts(locale: Locale): string {
  const t = UI[locale];
  return courseParts()
    .map(({ part, lessons }) => {
      const numbers = lessons.map((l) => lessonNumber(l.id));
      const text = partText(part, locale);
      const head = `${partLabel(part, locale)}${locale === 'en' ? ', ' : '，'}${t.lessons(Math.min(...numbers), Math.max(...numbers))}${locale === 'en' ? ': ' : '：'}${escapeMd(text.title)}`;
      return `- [**${head}**](${localePrefix(locale)}/lessons/#part-${part})${locale === 'en' ? ' — ' : '——'}${escapeMd(text.summary)}`;
    })
    .join('\n');
}

const COURSE = /^<!--\s*@course\s*-->\s*$/;
const PARTS = /^<!--\s*@parts\s*-->\s*$/;
const BLOCK = /^<!--\s*@(todo|code|checks|bytes|changes)\s+([^\s]+)(?:\s+([^\s]+))?\s*-->\s*$/;
const INLINE = /<!--\s*@lesson\s+([\w-]+)\s*-->/g;

/** Expands the directives of one page's markdown; fenced code is left alone. */
export function expandDirectives(src: string, relativePath?: string): string {
  const locale = localeOf(relativePath);
  let inFence: string | null = null;
  return src
    .split('\n')
    .map((line) => {
      const f = /^\s*(`{3,}|~{3,})/.exec(line);
      if (f) {
        if (!inFence) inFence = f[1]!;
        else if (f[1]!.startsWith(inFence)) inFence = null;
        return line;
      }
      if (inFence) return line;
      if (COURSE.test(line)) return renderCourse(locale);
      if (PARTS.test(line)) return renderParts(locale);
      const m = BLOCK.exec(line);
      if (m) {
        const [, kind, lessonId, arg] = m;
        if (kind === 'todo') return renderTodo(lessonId!, Number(arg), locale);
        if (kind === 'code') return renderCode(lessonId!, arg!, locale);
        if (kind === 'bytes') return renderBytes(lessonId!, arg!, locale);
        if (kind === 'changes') return renderChanges(lessonId!, locale);
        return renderChecks(lessonId!, locale, src);
      }
      return line.replace(INLINE, (_, id: string) => renderLessonLink(id, locale));
    })
    .join('\n');
}

/**
 * In tables of three or more columns each cell gets its column's name in data-label, so a phone
 * can show every row as a card (custom.css, `table:has(td[data-label])`) instead of a squeezed grid.
 * (VitePress renders <table> itself, so the table cannot carry a class.)
 */
function labelTableCells(md: MarkdownRenderer): void {
  md.core.ruler.push('nlab_table_labels', (state) => {
    let labels: string[] = [];
    let column = 0;
    for (let i = 0; i < state.tokens.length; i++) {
      const tok = state.tokens[i]!;
      if (tok.type === 'table_open') labels = [];
      else if (tok.type === 'th_open') labels.push((state.tokens[i + 1]?.content ?? '').replace(/[`*_\\]/g, '').trim());
      else if (tok.type === 'tr_open') column = 0;
      else if (tok.type === 'td_open') {
        const label = labels[column++];
        if (labels.length >= 3 && label) tok.attrSet('data-label', label);
      }
    }
  });
}

/**
 * The copy button's tooltip in the page's language. VitePress has one site-wide
 * `codeCopyButtonTitle`, so the fence renderer rewrites it on zh-CN pages (its "Copied"
 * toast is already per-language, from the CSS).
 */
export const COPY_TITLE: Record<Locale, string> = { en: 'Copy Code', 'zh-CN': '复制代码' };
/** Characters a terminal gives two columns (Chinese, fullwidth punctuation). */
const WIDE = /[\p{Script=Han}\u3000-\u303f\uff01-\uff60\uffe0-\uffe6]/gu;
/**
 * In a code block each wide character gets a box of exactly two columns (custom.css,
 * `.nlab-w2`): a Chinese font draws them narrower than two monospace columns, which would
 * shift everything after a Chinese label in a diagram or byte table. The text is unchanged.
 */
export const widenCjk = (html: string): string =>
  html.replace(/<pre\b[\s\S]*?<\/pre>/g, (pre) => pre.replace(/>([^<]+)</g, (_, text: string) => `>${text.replace(WIDE, (c) => `<span class="nlab-w2">${c}</span>`)}<`));

function localizeFences(md: MarkdownRenderer): void {
  const fence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, idx, options, env: { relativePath?: string }, self) => {
    const html = widenCjk(fence(tokens, idx, options, env, self));
    const locale = localeOf(env?.relativePath);
    return locale === 'en' ? html : html.replace(`<button title="${COPY_TITLE.en}" class="copy">`, `<button title="${COPY_TITLE[locale]}" class="copy">`);
  };
}

/**
 * The heading permalinks' screen-reader label in the page's language (VitePress writes
 * `Permalink to "…"` on every page), without the `{#id}` that VitePress leaves in the title.
 */
const PERMALINK: Record<Locale, (title: string) => string> = { en: (t) => `Permalink to "${t}"`, 'zh-CN': (t) => `“${t}”的永久链接` };
function localizePermalinks(md: MarkdownRenderer): void {
  md.core.ruler.push('nlab_permalink_labels', (state) => {
    const locale = localeOf((state.env as { relativePath?: string } | undefined)?.relativePath);
    for (const tok of state.tokens) {
      for (const child of tok.type === 'inline' ? (tok.children ?? []) : []) {
        const label = child.type === 'link_open' && /\bheader-anchor\b/.test(child.attrGet('class') ?? '') ? child.attrGet('aria-label') : null;
        const title = label ? /^Permalink to "([\s\S]*)"$/.exec(label)?.[1] : undefined;
        if (title !== undefined) child.attrSet('aria-label', PERMALINK[locale](title.replace(/\s*\{#[^}]*\}\s*$/, '')));
      }
    }
  });
}

export function labDirectives(md: MarkdownRenderer): void {
  const parse = md.parse.bind(md);
  md.parse = (src: string, env: { relativePath?: string } | undefined) => parse(expandDirectives(src, env?.relativePath), env);
  labelTableCells(md);
  localizeFences(md);
  localizePermalinks(md);
}
