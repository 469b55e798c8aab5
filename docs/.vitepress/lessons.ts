// Lesson data for the site: read from lessons/<id>/lesson.json, so new lessons
// appear in the sidebar and in directives without touching the site's config.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateLesson, type LessonCheck, type LessonMeta } from '../../grader/src/lesson/schema.js';

export const docsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(docsDir, '..');
/** Where lessons live; NLAB_LESSONS_DIR overrides it (tests use a fixture). */
export const lessonsDir = (): string => process.env.NLAB_LESSONS_DIR ?? join(repoRoot, 'lessons');

export type Locale = 'en' | 'zh-CN';
export const LOCALES: Locale[] = ['en', 'zh-CN'];
/** URL and docs-folder prefix of a locale. */
export const localePrefix = (l: Locale): string => (l === 'en' ? '' : '/zh-CN');

/** A lesson and its checks: the grader's own schema, so the site and the grader agree. */
export type Check = LessonCheck;
export type Lesson = LessonMeta;

function parseLesson(file: string): Lesson {
  return validateLesson(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** The number in "lesson-12", for sorting and labels. */
export const lessonNumber = (id: string): number => Number(/(\d+)$/.exec(id)?.[1] ?? NaN);

/** Every lesson folder with a lesson.json, in lesson order. */
export function listLessons(dir = lessonsDir()): Lesson[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'lesson.json')))
    .map((d) => parseLesson(join(dir, d.name, 'lesson.json')))
    .sort((a, b) => lessonNumber(a.id) - lessonNumber(b.id));
}

export function readLesson(id: string, dir = lessonsDir()): Lesson {
  const file = join(dir, id, 'lesson.json');
  if (!existsSync(file)) throw new Error(`no lesson ${id} (looked for ${file})`);
  return parseLesson(file);
}

/** The markdown file of a lesson page in a locale, relative to docs/. */
export const lessonPagePath = (id: string, locale: Locale): string =>
  `${locale === 'en' ? '' : `${locale}/`}lessons/${id}.md`;

export const lessonPageExists = (id: string, locale: Locale): boolean => existsSync(join(docsDir, lessonPagePath(id, locale)));

/** The parts of the course, with their titles. Lessons name their part in lesson.json. */
export const PARTS: Record<number, { range: string; en: string; 'zh-CN': string }> = {
  1: { range: '1–3', en: "The article's round trip", 'zh-CN': '文章里的一次往返' },
  2: { range: '4–5', en: 'What the article got wrong', 'zh-CN': '文章错在哪里' },
  3: { range: '6–8', en: 'Attributes, extended ACK, generic netlink', 'zh-CN': '属性、扩展 ACK 与通用 netlink' },
  4: { range: '9–12', en: 'Dumps, notifications, permissions, a spec-driven client', 'zh-CN': 'Dump、通知、权限与按规格生成的客户端' },
};

/** Titles of lessons that are planned but may not exist yet ("coming"). */
export const PLANNED: Record<string, { en: string; 'zh-CN': string }> = {
  'lesson-4': { en: "Don't trust the header", 'zh-CN': '别相信消息头' },
  'lesson-5': { en: 'ACKs and sequence numbers', 'zh-CN': 'ACK 与序列号' },
  'lesson-11': { en: 'Network namespaces', 'zh-CN': '网络命名空间' },
};

/** A TODO's zh-CN instruction, with the English text it translates (the code's TODO comment), so a changed TODO is noticed. */
type ZhTodo = { en: string; 'zh-CN': string };
type ZhLesson = { title?: string; summary?: string; checks?: Record<string, { title?: string; hint?: string }>; todos?: Record<string, ZhTodo> };
let zhCache: Record<string, ZhLesson> | undefined;
/** The zh-CN translations of lesson titles, summaries and checks (docs/.vitepress/i18n/lessons.zh-CN.json). */
export function zhLessons(): Record<string, ZhLesson> {
  zhCache ??= JSON.parse(readFileSync(join(docsDir, '.vitepress/i18n/lessons.zh-CN.json'), 'utf8')) as Record<string, ZhLesson>;
  return zhCache;
}

/** A lesson's title in a locale, falling back to English, then to the planned title. */
export function lessonTitle(id: string, locale: Locale, lesson?: Lesson): string {
  if (locale === 'zh-CN') {
    const t = zhLessons()[id]?.title;
    if (t) return t;
  }
  return lesson?.title ?? PLANNED[id]?.[locale] ?? PLANNED[id]?.en ?? '';
}

export function checkText(lessonId: string, check: Check, locale: Locale): { title: string; hint: string } {
  const zh = locale === 'zh-CN' ? zhLessons()[lessonId]?.checks?.[check.id] : undefined;
  return { title: zh?.title ?? check.title, hint: zh?.hint ?? check.hint };
}

/**
 * A TODO's instruction in a locale. The code keeps its English comment; a zh-CN page shows the
 * translation from lessons.zh-CN.json. With no translation, or one written for different English
 * text, it returns `translated: false` with the English, and the caller makes that visible
 * (content.test.ts fails on it too).
 */
export function todoText(lessonId: string, n: number, english: string, locale: Locale): { text: string; translated: boolean } {
  if (locale === 'en') return { text: english, translated: true };
  const zh = zhLessons()[lessonId]?.todos?.[String(n)];
  if (zh && zh.en === english && zh['zh-CN']) return { text: zh['zh-CN'], translated: true };
  return { text: english, translated: false };
}
