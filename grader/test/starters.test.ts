// Committed starters must be exactly what their solutions generate.
import { describe, expect, it } from 'vitest';
import { loadAllLessons } from '../src/lesson/load.js';
import { starterDrift } from '../src/lesson/starters.js';
import { todoBlocks, markerLanguage } from '../src/lesson/todo-markers.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const lessons = loadAllLessons();

describe.each(lessons.map((l) => [l.id, l] as const))('%s', (_id, lesson) => {
  it('has a committed starter identical to the one its solution generates', () => {
    expect(starterDrift(lesson)).toEqual([]);
  });

  it('names only TODOs that exist, and every TODO is covered by a check', () => {
    const dir = join(lesson.dir, 'solution');
    const todos = readdirSync(dir, { recursive: true, encoding: 'utf8' }).flatMap((f) => {
      const lang = markerLanguage(f);
      return lang ? todoBlocks(readFileSync(join(dir, f), 'utf8'), lang, f).map((b) => b.n) : [];
    });
    expect(new Set(todos).size).toBe(todos.length);
    const named = new Set(lesson.checks.flatMap((c) => c.todos));
    expect([...named].filter((n) => !todos.includes(n))).toEqual([]);
    expect(todos.filter((n) => !named.has(n))).toEqual([]);
  });
});
