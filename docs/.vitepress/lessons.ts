// Lesson data for the site, all from lessons/: each lesson's lesson.json (read by the grader's
// own loader) and zh-CN.json, and the part titles in lessons/parts.json. A new lesson appears
// in the sidebar, the course map and the directives without touching the site's code.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllLessons, loadLessonFrom } from '../../grader/src/lesson/load.js';
import { PARTS_FILE, ZH_FILE } from '../../grader/src/lesson/lint-site-data.js';
import type { LessonCheck, LessonMeta } from '../../grader/src/lesson/schema.js';

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

/** The number in "lesson-12", for sorting and labels. */
export const lessonNumber = (id: string): number => Number(/(\d+)$/.exec(id)?.[1] ?? NaN);

/** Every lesson folder with a lesson.json, in lesson order. */
export const listLessons = (dir = lessonsDir()): Lesson[] => (existsSync(dir) ? loadAllLessons(dir) : []);

export const readLesson = (id: string, dir = lessonsDir()): Lesson => loadLessonFrom(dir, id);

/** The markdown file of a lesson page in a locale, relative to docs/. */
export const lessonPagePath = (id: string, locale: Locale): string =>
  `${locale === 'en' ? '' : `${locale}/`}lessons/${id}.md`;

export const lessonPageExists = (id: string, locale: Locale): boolean => existsSync(join(docsDir, lessonPagePath(id, locale)));

/** A part of the course (lessons/parts.json): its title and one sentence, in English and zh-CN. */
interface PartText {
  title: string;
  summary: string;
}
type PartEntry = PartText & { 'zh-CN': PartText };

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** The part's title and summary in a locale; a lesson naming a part that parts.json lacks fails the build. */
export function partText(part: number, locale: Locale, dir = lessonsDir()): PartText {
  const file = join(dir, PARTS_FILE);
  const entry = existsSync(file) ? readJson<Record<string, PartEntry>>(file)[String(part)] : undefined;
  const text = locale === 'en' ? entry : entry?.['zh-CN'];
  if (!text?.title || !text.summary) throw new Error(`${file}: part ${part} has no ${locale} title and summary`);
  return { title: text.title, summary: text.summary };
}

const ROMAN: [number, string][] = [[10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];
const HAN_DIGITS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const roman = (n: number): string => ROMAN.reduce((out, [v, s]) => { for (; n >= v; n -= v) out += s; return out; }, '');
const hanNumber = (n: number): string => (n < 10 ? HAN_DIGITS[n]! : `${n >= 20 ? HAN_DIGITS[Math.floor(n / 10)] : ''}十${HAN_DIGITS[n % 10]}`);
/** "Part III" / "第三部分". */
export const partLabel = (part: number, locale: Locale): string => (locale === 'en' ? `Part ${roman(part)}` : `第${hanNumber(part)}部分`);

/** The parts of the course with their lessons, in order: the sidebar, the course map and the home page's overview. */
export function courseParts(lessons: Lesson[] = listLessons()): { part: number; lessons: Lesson[] }[] {
  const parts = [...new Set(lessons.map((l) => l.part))].sort((a, b) => a - b);
  return parts.map((part) => ({ part, lessons: lessons.filter((l) => l.part === part) }));
}

/** A zh-CN text with the English it translates (a TODO's comment, a CHANGES.md note), so a changed English is noticed. */
type ZhText = { en: string; 'zh-CN': string };
type ZhLesson = {
  title?: string;
  summary?: string;
  checks?: Record<string, { title?: string; hint?: string; hint2?: string }>;
  /** TODO instructions, by TODO number. */
  todos?: Record<string, ZhText>;
  /** CHANGES.md's note of each file, by its path inside solution/. */
  changes?: Record<string, ZhText>;
};
const zhCache = new Map<string, Record<string, ZhLesson>>();
/** The zh-CN titles, summaries, checks and TODO instructions of every lesson, by id (lessons/<id>/zh-CN.json). */
export function zhLessons(dir = lessonsDir()): Record<string, ZhLesson> {
  let all = zhCache.get(dir);
  if (!all) {
    all = {};
    for (const l of listLessons(dir)) {
      const file = join(dir, l.id, ZH_FILE);
      if (existsSync(file)) all[l.id] = readJson<ZhLesson>(file);
    }
    zhCache.set(dir, all);
  }
  return all;
}

/** A lesson's title in a locale, falling back to English. */
export function lessonTitle(id: string, locale: Locale, lesson?: Lesson): string {
  if (locale === 'zh-CN') {
    const t = zhLessons()[id]?.title;
    if (t) return t;
  }
  return lesson?.title ?? '';
}

export function checkText(lessonId: string, check: Check, locale: Locale): { title: string; hint: string; hint2: string | undefined } {
  const zh = locale === 'zh-CN' ? zhLessons()[lessonId]?.checks?.[check.id] : undefined;
  // A common check carries its Chinese texts (grader/src/lesson/common-checks.ts); a lesson's own win.
  const common = locale === 'zh-CN' ? check.zh : undefined;
  return { title: zh?.title ?? common?.title ?? check.title, hint: zh?.hint ?? common?.hint ?? check.hint, hint2: zh?.hint2 ?? check.hint2 };
}

/**
 * `english` in a locale. A zh-CN page shows `zh`'s translation only while `zh.en` is `english`:
 * with no translation, or one written for different English, it returns `translated: false`
 * with the English, and the caller makes that visible (i18n.test.ts fails on it too).
 */
function translated(zh: ZhText | undefined, english: string, locale: Locale): { text: string; translated: boolean } {
  if (locale === 'en') return { text: english, translated: true };
  if (zh && zh.en === english && zh['zh-CN']) return { text: zh['zh-CN'], translated: true };
  return { text: english, translated: false };
}

/** A TODO's instruction in a locale (the code keeps its English comment; zh-CN.json's `todos` translates it). */
export const todoText = (lessonId: string, n: number, english: string, locale: Locale): { text: string; translated: boolean } =>
  translated(zhLessons()[lessonId]?.todos?.[String(n)], english, locale);

/** CHANGES.md's note on one file (`rel`, inside solution/) in a locale (zh-CN.json's `changes` translates it). */
export const changeNote = (lessonId: string, rel: string, english: string, locale: Locale): { text: string; translated: boolean } =>
  translated(zhLessons()[lessonId]?.changes?.[rel], english, locale);
