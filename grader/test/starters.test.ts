// Committed starters must be exactly what their solutions generate.
import { describe, expect, it } from 'vitest';
import { loadAllLessons, type Lesson } from '../src/lesson/load.js';
import { runGenerator } from '../src/lesson/generators.js';
import { generateStarter, solutionDrift, starterDrift, writeSolutionFiles, writeStarter } from '../src/lesson/starters.js';
import { todoBlocks, markerLanguage } from '../src/lesson/todo-markers.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const lessons = loadAllLessons();

describe.each(lessons.map((l) => [l.id, l] as const))('%s', (_id, lesson) => {
  it('has a committed starter identical to the one its solution generates', () => {
    expect(starterDrift(lesson)).toEqual([]);
  });

  it('has generated files that are what their tools make from the same copy\'s inputs', () => {
    expect(solutionDrift(lesson)).toEqual([]);
    for (const g of lesson.generated ?? []) {
      for (const copy of ['solution', 'starter']) {
        const dir = join(lesson.dir, copy);
        expect(readFileSync(join(dir, g.file), 'utf8'), `${copy}/${g.file}`).toBe(runGenerator(g, readFileSync(join(dir, g.from), 'utf8'), dir));
      }
    }
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

describe('generated files', () => {
  const SPEC = (ops: string) => ['name: x', 'protocol: genetlink', 'doc: X.', 'attribute-sets:', '  - { name: a, attributes: [ { name: k, type: u32 } ] }', 'operations:', '  list:', ops, ''].join('\n');
  const SOLUTION_SPEC = SPEC(['    - { name: get, doc: Get., attribute-set: a, do: { request: { attributes: [ k ] } } }', '    # TODO 1: Add "put".', '    - { name: put, doc: Put., attribute-set: a, do: { request: { attributes: [ k ] } } }', '    # END TODO'].join('\n'));

  function fixture(): Lesson {
    const dir = mkdtempSync(join(tmpdir(), 'nlab-generated-'));
    mkdirSync(join(dir, 'solution/client'), { recursive: true });
    writeFileSync(join(dir, 'solution/client/main.ts'), 'import "./x-ynl.js";\n');
    writeFileSync(join(dir, 'solution/client/x.yaml'), SOLUTION_SPEC);
    // Stale, and with what would be an unbalanced marker: a generated file is never parsed for markers.
    writeFileSync(join(dir, 'solution/client/x-ynl.ts'), '// TODO 9: stale\n');
    const meta = { ...lessons[0]!, dir, generated: [{ file: 'client/x-ynl.ts', from: 'client/x.yaml', tool: 'ynl-gen' as const }] };
    return meta;
  }

  it('makes the starter\'s from the starter\'s input, not a copy of the solution\'s', () => {
    const lesson = fixture();
    const starter = generateStarter(lesson);
    const starterSpec = starter.get(join('starter', 'client/x.yaml'))!;
    expect(starterSpec).not.toMatch(/name: put/);
    const made = starter.get(join('starter', 'client/x-ynl.ts'))!;
    expect(made).toBe(runGenerator(lesson.generated![0]!, starterSpec, 'starter'));
    expect(made).toMatch(/export async function get\(/);
    expect(made).not.toMatch(/function put\(/);
  });

  it('reports a stale solution file, and sync rewrites both copies', () => {
    const lesson = fixture();
    expect(solutionDrift(lesson)).toEqual([join('solution', 'client/x-ynl.ts')]);
    expect(writeSolutionFiles(lesson)).toEqual([join('solution', 'client/x-ynl.ts')]);
    expect(solutionDrift(lesson)).toEqual([]);
    expect(readFileSync(join(lesson.dir, 'solution/client/x-ynl.ts'), 'utf8')).toMatch(/function put\(/);
    writeStarter(lesson);
    expect(starterDrift(lesson)).toEqual([]);
    expect(existsSync(join(lesson.dir, 'starter/client/x-ynl.ts'))).toBe(true);
    writeFileSync(join(lesson.dir, 'starter/client/x-ynl.ts'), readFileSync(join(lesson.dir, 'solution/client/x-ynl.ts')));
    expect(starterDrift(lesson)).toEqual([join('starter', 'client/x-ynl.ts')]);
  });

  it('says which input is missing, or which spec a tool cannot read', () => {
    const lesson = fixture();
    expect(() => generateStarter({ ...lesson, generated: [...lesson.generated!, { file: 'client/y.ts', from: 'client/y.yaml', tool: 'ynl-gen' }] })).toThrow(/made from client\/y\.yaml, which solution\/ does not have/);
    writeFileSync(join(lesson.dir, 'solution/client/x.yaml'), 'name: [\n');
    expect(() => solutionDrift(lesson)).toThrow(/solution\/client\/x\.yaml: ynl-gen cannot make client\/x-ynl\.ts/);
  });
});
