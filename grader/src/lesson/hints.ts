// Staged help for a check: level 1 is its `hint` (shown after a failure), level 2 its `hint2`
// (on request: `npm run grade LESSON -- --hint ID`), level 3 the folded solution on the page.
// Both levels in the student's language, from lesson.json and the lesson's zh-CN.json.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lesson } from './load.js';
import type { LessonCheck } from './schema.js';

export type HintLocale = 'en' | 'zh-CN';

/** A check id the lesson does not have; the message lists the ones it has. */
export class UnknownCheck extends Error {
  override name = 'UnknownCheck';
  constructor(readonly lesson: string, readonly wanted: string, readonly known: readonly string[]) {
    super(`${lesson} has no check "${wanted}"; its checks are: ${known.join(', ')}`);
  }
}

export interface CheckHints {
  check: LessonCheck;
  title: string;
  hint: string;
  /** Undefined when the check has no level-2 hint (checks without TODOs need none). */
  hint2: string | undefined;
}

type ZhChecks = Record<string, { title?: string; hint?: string; hint2?: string }>;

function zhChecks(lesson: Lesson): ZhChecks {
  const file = join(lesson.dir, 'zh-CN.json');
  if (!existsSync(file)) return {};
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { checks?: ZhChecks }).checks ?? {};
  } catch {
    return {};
  }
}

/** A check's hints in `locale`; English where a Chinese text is missing. */
export function checkHints(lesson: Lesson, id: string, locale: HintLocale = 'en'): CheckHints {
  const check = lesson.checks.find((c) => c.id === id);
  if (!check) throw new UnknownCheck(lesson.id, id, lesson.checks.map((c) => c.id));
  const zh = locale === 'zh-CN' ? zhChecks(lesson)[id] : undefined;
  // A common check brings its own Chinese (common-checks.ts) unless the lesson overrides it.
  const common = locale === 'zh-CN' ? check.zh : undefined;
  return { check, title: zh?.title || common?.title || check.title, hint: zh?.hint || common?.hint || check.hint, hint2: zh?.hint2 || check.hint2 };
}

/** The ids of a lesson's checks that have a level-2 hint. */
export function checksWithMoreHelp(lesson: Lesson): Set<string> {
  return new Set(lesson.checks.filter((c) => c.hint2).map((c) => c.id));
}
