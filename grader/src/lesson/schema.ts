// lesson.json: a lesson's metadata and checks (documented in lessons/README.md).
// Validation is by hand so that an instructor's typo gets a sentence, not a stack trace.

export type Side = 'kernel' | 'client' | 'both';
export type Builtin = 'kernel-builds' | 'client-builds';

export interface LessonCheck {
  id: string;
  title: string;
  points: number;
  side: Side;
  /** One short sentence; the grader adds the link to the docs section. */
  hint: string;
  /** TODO numbers this check depends on. */
  todos: number[];
  /** A check the grader runs on the host instead of a function in checks.ts. */
  builtin?: Builtin;
  timeoutMs?: number;
}

export interface LessonMeta {
  id: string;
  title: string;
  part: number;
  summary: string;
  /** The kernel module's name (the .ko built from solution/kernel). */
  module: string;
  netlink: { unit: number } | { family: string };
  /** The client's entry file in client/, when the lesson has a client. */
  client?: string;
  checks: LessonCheck[];
}

export class LessonFormatError extends Error {
  override name = 'LessonFormatError';
}

const ID = /^[a-z0-9][a-z0-9-]*$/;

function need(cond: unknown, where: string, what: string): asserts cond {
  if (!cond) throw new LessonFormatError(`${where}: ${what}`);
}

/** Checks a parsed lesson.json; `where` names the file in messages. */
export function validateLesson(raw: unknown, where: string): LessonMeta {
  need(raw && typeof raw === 'object', where, 'must be a JSON object');
  const l = raw as Record<string, unknown>;
  for (const key of ['id', 'title', 'summary', 'module'] as const) need(typeof l[key] === 'string' && l[key], where, `"${key}" must be a non-empty string`);
  need(Number.isInteger(l.part), where, '"part" must be an integer');
  const nl = l.netlink as Record<string, unknown> | undefined;
  need(nl && (Number.isInteger(nl.unit) || typeof nl.family === 'string'), where, '"netlink" must be { "unit": N } or { "family": "name" }');
  need(l.client === undefined || typeof l.client === 'string', where, '"client" must be a file name');
  need(Array.isArray(l.checks) && l.checks.length > 0, where, '"checks" must be a non-empty array');
  const ids = new Set<string>();
  for (const [i, c] of (l.checks as Record<string, unknown>[]).entries()) {
    const at = `${where}: checks[${i}]`;
    need(typeof c.id === 'string' && ID.test(c.id), at, '"id" must be lowercase words joined by dashes');
    need(!ids.has(c.id), at, `duplicate check id "${c.id}"`);
    ids.add(c.id);
    need(typeof c.title === 'string' && c.title, at, '"title" is required');
    need(typeof c.points === 'number' && c.points > 0, at, '"points" must be a positive number');
    need(c.side === 'kernel' || c.side === 'client' || c.side === 'both', at, '"side" must be kernel, client or both');
    need(typeof c.hint === 'string' && c.hint, at, '"hint" is required');
    need(Array.isArray(c.todos) && c.todos.every(Number.isInteger), at, '"todos" must be an array of TODO numbers');
    need(c.builtin === undefined || c.builtin === 'kernel-builds' || c.builtin === 'client-builds', at, '"builtin" must be kernel-builds or client-builds');
    need(c.timeoutMs === undefined || (typeof c.timeoutMs === 'number' && c.timeoutMs > 0), at, '"timeoutMs" must be positive');
    need(c.side !== 'client' || l.client, at, 'a client-side check needs a lesson with a "client"');
  }
  return l as unknown as LessonMeta;
}
