// `lessons new lesson-N --from lesson-M`: a new lesson that starts from what lesson M's
// solution ends with (its code, without M's TODO markers), a lesson.json with M as its base
// (and M's overrides of the common checks), a CHANGES.md, a checks.ts and both pages, ready
// for `lessons check`.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ZH_FILE } from './lint-site-data.js';
import { loadLessonFrom, resolveLessonId, type Lesson } from './load.js';
import type { LessonMeta } from './schema.js';
import { writeSolutionFiles, writeStarter } from './starters.js';
import { CHANGES_FILE, formatChanges } from './changes-file.js';
import { solutionFiles } from './inherit.js';
import { actualChanges } from './progression.js';
import { markerLanguage, toSolutionView } from './todo-markers.js';

export class ScaffoldError extends Error {
  override name = 'ScaffoldError';
}

export interface ScaffoldOptions {
  id: string;
  from: string;
  lessonsDir: string;
  docsDir: string;
}

const lessonNumber = (id: string): number => Number(/^lesson-(\d+)$/.exec(id)?.[1]);

/** Lesson M's own name in its files (paths, "Netlink Lab, lesson M:" headers) becomes the new one's. */
export function renameLesson(text: string, from: string, to: string): string {
  const [m, n] = [lessonNumber(from), lessonNumber(to)];
  return text
    .replace(new RegExp(`(?<![\\w-])${from}(?![\\w])`, 'g'), to)
    .replace(new RegExp(`(Netlink Lab,? [Ll]esson )${m}(?!\\d)`, 'g'), `$1${n}`);
}

const CHECKS_TS = (id: string, from: string): string => `// ${id} checks. Each function is one check of lesson.json, by id; it runs in the guest.
// Started from ${from}'s code: add a check per thing the student builds, and name its TODOs.
// The common checks (builds, client-builds, loads) are the grader's: list none of them here.
import { defineChecks } from 'netlink-lab/grader';

export default defineChecks({});
`;

/** Headings of a new page: English text, Chinese text, and the anchor both use. */
const SECTIONS = (base: number) =>
  [
    { en: 'Concepts', zh: '概念', anchor: 'concepts' },
    { en: `What changes from lesson ${base}`, zh: `与第 ${base} 课相比的改动`, anchor: 'changes' },
    { en: 'Your TODOs', zh: '你的 TODO', anchor: 'your-todos' },
    { en: 'Grade it', zh: '评分', anchor: 'grade-it' },
    { en: 'Checks', zh: '检查项', anchor: 'checks' },
  ] as const;

function page(meta: LessonMeta, locale: 'en' | 'zh-CN'): string {
  const n = lessonNumber(meta.id);
  const zh = locale === 'zh-CN';
  const body: Record<ReturnType<typeof SECTIONS>[number]['anchor'], string> = {
    concepts: '',
    changes: `<!-- @changes ${meta.id} -->`,
    'your-todos': '',
    'grade-it': `\`npm run grade ${meta.id}\``,
    checks: `<!-- @checks ${meta.id} -->`,
  };
  return [
    zh ? `# 第 ${n} 课 · ${meta.title}` : `# Lesson ${n} · ${meta.title}`,
    '',
    meta.summary,
    '',
    ...SECTIONS(lessonNumber(meta.base!)).flatMap((s) => [zh ? `## ${s.zh} {#${s.anchor}}` : `## ${s.en}${s.anchor === 'changes' ? ' {#changes}' : ''}`, '', ...(body[s.anchor] ? [body[s.anchor], ''] : [])]),
  ].join('\n');
}


/**
 * The new lesson's Chinese texts: placeholders to rewrite, those of the common checks `source`
 * overrides, and the translation of each CHANGES.md note (`notes`, by file: English and Chinese).
 */
function zhStub(source: Lesson, meta: LessonMeta, notes: Record<string, { en: string; 'zh-CN': string }>): object {
  const path = join(source.dir, ZH_FILE);
  const from = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { checks?: Record<string, unknown> }) : {};
  const checks = Object.fromEntries(Object.keys(meta.common ?? {}).flatMap((id) => (from.checks?.[id] ? [[id, from.checks[id]]] : [])));
  return { title: `草稿（接续 ${source.id}）`, summary: `从 ${source.id} 的参考答案开始；用一句话说明学员要添加什么。`, checks, changes: notes };
}

/** Creates the lesson; returns the paths it wrote. Nothing is left behind when it fails. */
export function scaffoldLesson(o: ScaffoldOptions): string[] {
  if (!/^lesson-\d+$/.test(o.id)) throw new ScaffoldError(`a new lesson's id is lesson-N, not "${o.id}"`);
  const dir = join(o.lessonsDir, o.id);
  const pages = { en: join(o.docsDir, 'lessons', `${o.id}.md`), 'zh-CN': join(o.docsDir, 'zh-CN', 'lessons', `${o.id}.md`) };
  for (const p of [dir, pages.en, pages['zh-CN']]) if (existsSync(p)) throw new ScaffoldError(`${o.id} exists already (${p})`);
  const source = loadLessonFrom(o.lessonsDir, resolveLessonId(o.lessonsDir, o.from));
  const meta: LessonMeta = {
    id: o.id,
    title: `Draft (after ${source.id})`,
    part: source.part,
    base: source.id,
    summary: `Starts from ${source.id}'s solution; say in one sentence what the student adds.`,
    module: source.module,
    netlink: source.netlink,
    ...(source.client ? { client: source.client } : {}),
    ...(source.common ? { common: source.common } : {}),
    checks: [],
    ...(source.generated ? { generated: source.generated } : {}),
    ...(source.fuzz ? { fuzz: source.fuzz } : {}),
  };
  const written: string[] = [];
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.push(path);
  };
  try {
    const outputs = new Set((source.generated ?? []).map((g) => join(g.file)));
    // The source's whole solution: its own files and those it takes from its base.
    // A file that renaming leaves as it is (Makefile, Kbuild) is taken from the source, not copied.
    const fromBase: string[] = [];
    for (const [rel, { text }] of solutionFiles(source)) {
      if (outputs.has(join(rel))) continue; // remade below from the renamed input
      const lang = markerLanguage(rel);
      const finished = lang ? toSolutionView(text, lang, join(source.id, 'solution', rel)) : text;
      const renamed = renameLesson(finished, source.id, o.id);
      if (renamed === text) fromBase.push(rel);
      else write(join(dir, 'solution', rel), renamed);
    }
    if (fromBase.length) meta.fromBase = fromBase;
    const { id, title, part, base, ...rest } = meta;
    write(join(dir, 'lesson.json'), `${JSON.stringify({ id, title, part, base, ...rest }, null, 2)}\n`);
    write(join(dir, 'checks.ts'), CHECKS_TS(o.id, source.id));
    const lesson: Lesson = { ...meta, dir };
    written.push(...writeSolutionFiles(lesson).map((f) => join(dir, f)));
    written.push(...writeStarter(lesson).map((f) => join(dir, f)));
    // So far the new lesson changes only its own name in the base's code; say so for each file.
    const changes = actualChanges(lesson, source);
    const note = { en: `${o.id}'s own name in headers and paths, where ${source.id} has its own; nothing else yet.`, 'zh-CN': `文件头和路径中的 ${source.id} 换成 ${o.id} 自己的名字；此外还没有改动。` };
    const diffs = changes.map((c) => ({ rel: c.file.rel, isNew: c.isNew, hunks: c.hunks }));
    write(join(dir, CHANGES_FILE), formatChanges(o.id, source.id, diffs, { base: source.id, files: diffs.map((d) => ({ ...d, note: note.en, hunks: [], line: 0 })) }));
    write(join(dir, ZH_FILE), `${JSON.stringify(zhStub(source, meta, Object.fromEntries(diffs.map((d) => [d.rel, note]))), null, 2)}\n`);
    write(pages.en, page(meta, 'en'));
    write(pages['zh-CN'], page(meta, 'zh-CN'));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    for (const p of Object.values(pages)) if (written.includes(p)) rmSync(p, { force: true });
    throw e;
  }
  return [...new Set(written)];
}
