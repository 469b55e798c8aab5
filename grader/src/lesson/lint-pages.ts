// Lint of a lesson's two pages: both exist, every check has its `check-<id>` anchor on each,
// the page's directives name TODOs and files the lesson has, and the Chinese page's headings
// keep the English page's anchors (so a link works in either locale); a lesson with a base
// shows its CHANGES.md (a warning otherwise). Pure: texts in.

import type { Problem } from './problems.js';
import { headings, type Heading } from './markdown-headings.js';
import type { LessonCheck } from './schema.js';

export interface Page {
  /** The path shown in problems. */
  path: string;
  /** Undefined when the page does not exist. */
  text: string | undefined;
}

export interface PageLintInput {
  lessonId: string;
  checks: readonly LessonCheck[];
  /** The TODO numbers of the lesson's solution. */
  todos: ReadonlySet<number>;
  /** Whether a file of the lesson exists, by path relative to the lesson folder (solution/…). */
  hasFile: (rel: string) => boolean;
  /** The lesson has a base: its pages show what it changes there (`<!-- @changes -->`). */
  hasBase?: boolean;
  /** lesson.json's path, and where in it the lesson's and each check's id are. */
  json: { path: string; idLine: number; checkLine: (id: string) => number };
  en: Page;
  zh: Page;
}

const DIRECTIVE = /^<!--\s*@(todo|code|checks|changes)\s+(\S+)(?:\s+(\S+))?\s*-->\s*$/;

interface Directive {
  kind: 'todo' | 'code' | 'checks' | 'changes';
  lesson: string;
  arg: string | undefined;
  line: number;
}

function directives(markdown: string): Directive[] {
  const out: Directive[] = [];
  let fence: string | undefined;
  for (const [i, line] of markdown.split('\n').entries()) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      fence = fence ? (f[1]!.startsWith(fence) ? undefined : fence) : f[1]!;
      continue;
    }
    const d = fence ? null : DIRECTIVE.exec(line);
    if (d) out.push({ kind: d[1] as Directive['kind'], lesson: d[2]!, arg: d[3], line: i + 1 });
  }
  return out;
}

function directiveProblems(page: Page & { text: string }, o: PageLintInput, found: Directive[]): Problem[] {
  const problems: Problem[] = [];
  for (const d of found) {
    const at = { file: page.path, line: d.line };
    if (d.kind === 'checks' && d.lesson !== o.lessonId) problems.push({ ...at, message: `<!-- @checks ${d.lesson} --> lists another lesson's checks; this page is ${o.lessonId}'s` });
    if (d.lesson !== o.lessonId) continue;
    if (d.kind === 'changes' && !o.hasFile('CHANGES.md')) problems.push({ ...at, message: `<!-- @changes ${d.lesson} -->: the lesson has no CHANGES.md (a lesson with a "base" gets one from \`npm run lessons -- sync\`)` });
    if (d.kind === 'todo' && !o.todos.has(Number(d.arg))) problems.push({ ...at, message: `<!-- @todo ${d.lesson} ${d.arg ?? ''} -->: the solution has no TODO ${d.arg ?? '(no number given)'}` });
    // The site renders a starter file from the solution's.
    if (d.kind === 'code' && !(d.arg && /^(solution|starter)\//.test(d.arg) && o.hasFile(d.arg.replace(/^starter\//, 'solution/'))))
      problems.push({ ...at, message: `<!-- @code ${d.lesson} ${d.arg ?? ''} -->: the lesson has no such file` });
  }
  return problems;
}

/** Anchors a reader can land on: headings, plus the check headings `@checks` renders. */
function anchorsOf(hs: readonly Heading[], found: readonly Directive[], o: PageLintInput): Set<string> {
  const anchors = new Set(hs.map((h) => h.anchor));
  if (found.some((d) => d.kind === 'checks' && d.lesson === o.lessonId)) for (const c of o.checks) anchors.add(`check-${c.id}`);
  return anchors;
}

/** The Chinese page gives each heading (below the title) the English page's anchor explicitly. */
function localeAnchorProblems(en: Page & { text: string }, enHeadings: Heading[], zh: Page & { text: string }, zhHeadings: Heading[]): Problem[] {
  const problems: Problem[] = [];
  const enAnchors = new Map(enHeadings.filter((h) => h.level > 1).map((h) => [h.anchor, h]));
  const zhAnchors = new Set<string>();
  for (const h of zhHeadings.filter((h) => h.level > 1)) {
    if (!h.explicit) {
      problems.push({ file: zh.path, line: h.line, message: `heading "${h.text}" has no {#anchor}; give it the English heading's anchor` });
      continue;
    }
    zhAnchors.add(h.explicit);
    if (!enAnchors.has(h.explicit)) problems.push({ file: zh.path, line: h.line, message: `{#${h.explicit}} is no heading's anchor on ${en.path}; its anchors: ${[...enAnchors.keys()].join(', ')}` });
  }
  for (const h of enAnchors.values()) {
    if (!zhAnchors.has(h.anchor)) problems.push({ file: en.path, line: h.line, message: `heading "${h.text}" (#${h.anchor}) has no heading with {#${h.anchor}} on ${zh.path}` });
  }
  return problems;
}

export function pageProblems(o: PageLintInput): Problem[] {
  const problems: Problem[] = [];
  const parsed = new Map<Page, { page: Page & { text: string }; hs: Heading[] }>();
  for (const page of [o.en, o.zh]) {
    if (page.text === undefined) {
      problems.push({ file: o.json.path, line: o.json.idLine, message: `the lesson has no page ${page.path} (every lesson has an English and a Chinese page)` });
      continue;
    }
    const p = { ...page, text: page.text };
    const found = directives(p.text);
    const hs = headings(p.text);
    problems.push(...directiveProblems(p, o, found));
    if (o.hasBase && !found.some((d) => d.kind === 'changes' && d.lesson === o.lessonId))
      problems.push({ file: p.path, line: 1, warning: true, message: `shows nothing of what ${o.lessonId} changes in its base: add a section with <!-- @changes ${o.lessonId} --> (its CHANGES.md, the diffs folded), as the other lessons' pages have` });
    const anchors = anchorsOf(hs, found, o);
    for (const c of o.checks.filter((c) => !anchors.has(`check-${c.id}`)))
      problems.push({ file: o.json.path, line: o.json.checkLine(c.id), message: `check "${c.id}" has no anchor check-${c.id} on ${p.path} (add <!-- @checks ${o.lessonId} --> or a heading ending in {#check-${c.id}})` });
    parsed.set(page, { page: p, hs });
  }
  const en = parsed.get(o.en);
  const zh = parsed.get(o.zh);
  if (en && zh) problems.push(...localeAnchorProblems(en.page, en.hs, zh.page, zh.hs));
  return problems;
}
