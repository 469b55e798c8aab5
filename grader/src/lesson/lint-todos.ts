// Lint of a lesson's TODO markers: well formed, numbers unique in the lesson and increasing
// through each file, and every TODO tied to a check (and every check's TODO real).
// Pure: file texts in, problems out.

import type { LessonCheck } from './schema.js';
import { lineAt, type Problem } from './problems.js';
import { MarkerError, parseMarkers, type MarkerLanguage } from './todo-markers.js';

export interface MarkedFile {
  /** The path shown in problems. */
  path: string;
  text: string;
  lang: MarkerLanguage;
}

/** Where one TODO is: the line that says "TODO n:". */
export interface TodoSite {
  n: number;
  file: string;
  line: number;
}

export function collectTodos(files: readonly MarkedFile[]): { todos: TodoSite[]; problems: Problem[] } {
  const todos: TodoSite[] = [];
  const problems: Problem[] = [];
  const first = new Map<number, TodoSite>();
  for (const f of files) {
    let blocks;
    try {
      blocks = parseMarkers(f.text, f.lang, f.path).flatMap((s) => (s.kind === 'todo' ? [s.block] : []));
    } catch (e) {
      if (!(e instanceof MarkerError)) throw e;
      problems.push({ file: f.path, line: e.line, message: e.message.slice(`${e.file}:${e.line}: `.length) });
      continue;
    }
    let previous: TodoSite | undefined;
    for (const b of blocks) {
      // A kernel-style comment opens with a bare "/*": point at the line with the number.
      const site = { n: b.n, file: f.path, line: b.line + (/TODO \d+:/.test(b.comment[0]!) ? 0 : 1) };
      const earlier = first.get(b.n);
      if (earlier) problems.push({ ...at(site), message: `TODO ${b.n} is numbered again (first at ${earlier.file}:${earlier.line}); numbers are unique within a lesson` });
      else first.set(b.n, site);
      if (previous && b.n <= previous.n && !earlier) problems.push({ ...at(site), message: `TODO ${b.n} comes after TODO ${previous.n} (line ${previous.line}); numbers must increase through a file, in the order a learner meets them` });
      previous = site;
      todos.push(site);
    }
  }
  return { todos, problems };
}

const at = (s: TodoSite): Pick<Problem, 'file' | 'line'> => ({ file: s.file, line: s.line });

export interface CheckLines {
  /** Line of the check's "id" in lesson.json. */
  line: number;
  /** Line of its "todos" (its "id" line when it has none). */
  todosLine: number;
}

/** Each check's TODOs exist, and each TODO is named by some check (a starter must fail a check for it). */
export function todoReferenceProblems(checks: readonly LessonCheck[], todos: readonly TodoSite[], jsonPath: string, lines: ReadonlyMap<string, CheckLines>): Problem[] {
  const problems: Problem[] = [];
  const known = new Set(todos.map((t) => t.n));
  const list = [...known].sort((a, b) => a - b).join(', ') || 'none';
  for (const c of checks) {
    for (const n of c.todos.filter((n) => !known.has(n)))
      problems.push({ file: jsonPath, line: lines.get(c.id)?.todosLine ?? 1, message: `check "${c.id}" names TODO ${n}, which the solution does not have (its TODOs: ${list})` });
  }
  const named = new Set(checks.flatMap((c) => c.todos));
  for (const t of todos.filter((t) => !named.has(t.n)))
    problems.push({ ...at(t), message: `TODO ${t.n} is named by no check's "todos" in lesson.json, so no check shows that a starter leaves it undone` });
  return problems;
}

/** Where each check's "id" and "todos" are in lesson.json's text, by check id. */
export function checkLines(json: string): Map<string, CheckLines> {
  const out = new Map<string, CheckLines>();
  const start = json.search(/"checks"\s*:/);
  if (start < 0) return out;
  const ids = [...json.slice(start).matchAll(/"id"\s*:\s*"([^"]*)"/g)].map((m) => ({ id: m[1]!, at: start + m.index! }));
  for (const [i, { id, at }] of ids.entries()) {
    const end = ids[i + 1]?.at ?? json.length;
    const todos = json.slice(at, end).search(/"todos"\s*:/);
    const line = lineAt(json, at);
    out.set(id, { line, todosLine: todos < 0 ? line : lineAt(json, at + todos) });
  }
  return out;
}
