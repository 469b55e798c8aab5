// `lessons check`: what the site needs from a lesson besides its pages — its part's title in
// lessons/parts.json, its Chinese title, summary and check texts in <lesson>/zh-CN.json, and
// a level-2 hint (`hint2`, shown by `grade --hint`) in both languages for every check with TODOs.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lesson } from './load.js';
import { lineAt, type Problem } from './problems.js';

export const PARTS_FILE = 'parts.json';
export const ZH_FILE = 'zh-CN.json';

interface ZhLesson {
  title?: string;
  summary?: string;
  checks?: Record<string, { title?: string; hint?: string; hint2?: string }>;
}

function readJson<T>(path: string): T | Error {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    return e as Error;
  }
}

/** Problems with the lesson's site data; `json` is its lesson.json text, `checkLine` a check's line there. */
export function siteDataProblems(
  lesson: Lesson,
  lessonsDir: string,
  json: { path: string; text: string; checkLine: (id: string) => number },
  show: (p: string) => string,
): Problem[] {
  const problems: Problem[] = [];
  const partsPath = join(lessonsDir, PARTS_FILE);
  const parts = existsSync(partsPath) ? readJson<Record<string, unknown>>(partsPath) : undefined;
  if (parts instanceof Error) problems.push({ file: show(partsPath), line: 1, message: `not valid JSON (${parts.message})` });
  else if (!parts?.[String(lesson.part)]) {
    const line = lineAt(json.text, Math.max(0, json.text.indexOf('"part"')));
    problems.push({ file: json.path, line, message: `part ${lesson.part} has no title and summary in ${show(partsPath)}` });
  }

  for (const c of lesson.checks)
    if (c.todos.length && !c.hint2) problems.push({ file: json.path, line: json.checkLine(c.id), message: `check "${c.id}" depends on TODOs but has no "hint2" (the more specific hint \`grade --hint ${c.id}\` prints)` });

  const zhPath = join(lesson.dir, ZH_FILE);
  if (!existsSync(zhPath)) {
    problems.push({ file: json.path, line: 1, message: `no ${ZH_FILE} beside it: the lesson's Chinese title, summary, check titles and hints, and TODO texts` });
    return problems;
  }
  const zh = readJson<ZhLesson>(zhPath);
  if (zh instanceof Error) return [...problems, { file: show(zhPath), line: 1, message: `not valid JSON (${zh.message})` }];
  for (const key of ['title', 'summary'] as const) if (!zh[key]) problems.push({ file: show(zhPath), line: 1, message: `has no Chinese ${key}` });
  for (const c of lesson.checks) {
    // A common check brings its Chinese texts, except those the lesson overrides in English.
    const t = { title: zh.checks?.[c.id]?.title ?? c.zh?.title, hint: zh.checks?.[c.id]?.hint ?? c.zh?.hint, hint2: zh.checks?.[c.id]?.hint2 };
    if (!t.title || !t.hint) problems.push({ file: json.path, line: json.checkLine(c.id), message: `check "${c.id}" has no Chinese title and hint in ${show(zhPath)}` });
    else if (c.todos.length && !t.hint2) problems.push({ file: json.path, line: json.checkLine(c.id), message: `check "${c.id}" has no Chinese "hint2" in ${show(zhPath)}` });
  }
  return problems;
}
