// The classroom workflow's Grade step, run here against forks: a fork's edited checks,
// lesson.json and grader change nothing, and the fork's starter is what gets graded.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../kernel/src/index.js';
import { loadLesson } from '../src/lesson/load.js';

const CLI = join(REPO_ROOT, 'dist/grader/src/cli.js');
const LESSON = loadLesson('lesson-1');

interface Step {
  name?: string;
  run?: string;
  'working-directory'?: string;
}

/** The workflow's grade command, as its words after `npm run grade`. */
function gradeStep(): string[] {
  const wf = parse(readFileSync(join(REPO_ROOT, 'grader/classroom/grade.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
  const grade = steps.filter((s) => s.run?.includes('npm run grade'));
  expect(grade).toHaveLength(1);
  expect(grade[0]!['working-directory']).toBe('course');
  const words = grade[0]!.run!.trim().split(/\s+/);
  expect(words.slice(0, 3)).toEqual(['npm', 'run', 'grade']);
  return words.slice(3).filter((w) => w !== '--');
}

/** A student's repository: the course's lesson-1 starter, plus whatever `edit` does to it. */
function fork(edit: (root: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'lab-fork-'));
  const dir = join(root, 'lessons', LESSON.id);
  mkdirSync(dir, { recursive: true });
  cpSync(join(LESSON.dir, 'starter'), join(dir, 'starter'), { recursive: true });
  cpSync(join(LESSON.dir, 'lesson.json'), join(dir, 'lesson.json'));
  cpSync(join(LESSON.dir, 'checks.ts'), join(dir, 'checks.ts'));
  edit(root);
  return root;
}

/** The Grade step with the workspace's paths put in, narrowed to lesson 1. */
async function runGradeStep(student: string, extra: string[] = []) {
  const junit = join(mkdtempSync(join(tmpdir(), 'lab-junit-')), 'grade-results.xml');
  const args = gradeStep().map((w) => (w === 'all' ? LESSON.id : w === '../student' ? student : w === '../grade-results.xml' ? junit : w));
  expect(args).toContain(student);
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args, ...extra], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 32 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr, junit: existsSync(junit) ? readFileSync(junit, 'utf8') : '' };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr, junit: existsSync(junit) ? readFileSync(junit, 'utf8') : '' };
  }
}

const failedIn = (junit: string): string[] => [...junit.matchAll(/<testcase classname="[^"]+" name="([^:"]+):[^"]*"[^>]*>\s*<failure/g)].map((m) => m[1]!);

describe('the classroom workflow', () => {
  it("grades a fork's starter with the course's checks: the fork's edited checks, lesson.json and grader count for nothing", async () => {
    const student = fork((root) => {
      const dir = join(root, 'lessons', LESSON.id);
      // Every check passes, at 100 points each, and the grader always says full marks.
      writeFileSync(join(dir, 'checks.ts'), `import { defineChecks } from 'netlink-lab/grader';\nexport default defineChecks({ ${LESSON.checks.map((c) => `'${c.id}': async () => {}`).join(', ')} });\n`);
      const meta = JSON.parse(readFileSync(join(dir, 'lesson.json'), 'utf8')) as { checks: { points: number; todos: number[] }[] };
      for (const c of meta.checks) Object.assign(c, { points: 100, todos: [] });
      writeFileSync(join(dir, 'lesson.json'), JSON.stringify(meta));
      mkdirSync(join(root, 'grader/src'), { recursive: true });
      writeFileSync(join(root, 'grader/src/grade.ts'), 'export const gradeLesson = async () => ({ score: 1, total: 1 });\n');
      // A link out of the starter is not followed.
      symlinkSync(join(LESSON.dir, 'solution/kernel', `${LESSON.module}.c`), join(dir, 'starter/kernel/solution.c'));
    });
    const r = await runGradeStep(student);
    expect(r.code).toBe(1);
    // Exactly what the course's starter fails: the checks that name a TODO.
    expect(failedIn(r.junit)).toEqual(LESSON.checks.filter((c) => c.todos.length > 0).map((c) => c.id));
    const total = LESSON.checks.reduce((s, c) => s + c.points, 0);
    expect(r.stdout).toMatch(new RegExp(`Score: \\d+/${total}\\b`));
    expect(r.stderr).toMatch(/lesson-1: not graded: kernel\/solution\.c \(a symbolic link\)/);
  }, 600_000);

  it("grades the fork's code: a starter that holds a solution gets the points", async () => {
    const student = fork((root) => cpSync(join(LESSON.dir, 'solution'), join(root, 'lessons', LESSON.id, 'starter'), { recursive: true }));
    const r = await runGradeStep(student, ['--only', 'greeting']);
    expect(failedIn(r.junit)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ .*\[greeting\]/);
  }, 600_000);

  it('says what --student needs when the folder is not a checkout of the course', async () => {
    const r = await runGradeStep(mkdtempSync(join(tmpdir(), 'lab-empty-')));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/lessons\/lesson-1\/starter does not exist/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
