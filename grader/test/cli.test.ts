// The grade command as a student or a CI job runs it: exit codes, --json, --junit, bad input.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findKernel, REPO_ROOT } from '../../kernel/src/index.js';
import { gradeLesson } from '../src/grade.js';
import type { GradeReport } from '../src/report/types.js';
import { mutantLesson } from './mutant-lesson.js';
import { schemaErrors } from './report-schema.js';
import { gone, waitForQemu } from '../../kernel/test/processes.js';
import { loadLesson } from '../src/lesson/load.js';

const CLI = join(REPO_ROOT, 'dist/grader/src/cli.js');

async function grade(...args: string[]) {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 32 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('npm run grade', () => {
  it('prints a schema-valid --json report and a JUnit file for a real run', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'junit-')), 'r.xml');
    const r = await grade('lesson-1', '--solution', '--json', '--junit', junit, '--only', 'greeting');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as GradeReport;
    expect(schemaErrors(report)).toEqual([]);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([['greeting', 'pass']]);
    expect(report.score).toBe(report.total);
    expect(readFileSync(report.logFile, 'utf8')).toMatch(/guest 1/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="lesson-1 \(solution, [^"]+\)" tests="1" failures="0" errors="0" skipped="0"/);
    expect(xml).toMatch(/<testcase classname="lesson-1" name="greeting: The greeting appears in the kernel log"/);
  }, 300_000);

  it('lets a fresh guest power off by itself after its last client run', async () => {
    // A spare node process (guest/spares.ts) or a capture left running would keep the runner
    // alive, and the host would wait 15 s and kill the guest: a warning, not a verdict.
    const r = await grade('lesson-3', '--solution', '--no-warm', '--no-style', '--only', 'output-line');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/did not power off/);
  }, 300_000);

  it('exits non-zero below full score and writes the failure into JUnit', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'junit-')), 'r.xml');
    const r = await grade('lesson-1', '--junit', junit, '--only', 'farewell');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ rmmod unloads it, with a farewell in the log/);
    // The local site when docs:dev runs, else the built site, else the address docs:dev serves.
    expect(r.stdout).toMatch(/hint: .* → (http:\/\/localhost:\d+\/lessons\/lesson-1|file:\/\/\S+\/lessons\/lesson-1\.html)#check-farewell/);
    expect(r.stdout).toMatch(/Score: 0\/2/);
    // farewell depends on a TODO, so it has a second hint, and the footer says how to get it.
    expect(r.stdout).toMatch(/stuck\? npm run grade lesson-1 -- --hint farewell/);
    expect(readFileSync(junit, 'utf8')).toMatch(/<failure message="no farewell in the kernel log after rmmod">/);
  }, 300_000);

  it.each([
    [['lesson-99'], /there is no lesson "lesson-99"; the lessons are: lesson-1/],
    [['lesson-1', '--only', 'nope'], /lesson-1 has no check "nope"; its checks are: builds, loads, greeting, farewell/],
    [['lesson-1', '--kernel', '9.9'], /unknown kernel "9\.9"/],
    [['lesson-1', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['lesson-1', '--backend', 'host'], /the host backend needs --i-understand-this-loads-code-into-my-kernel/],
    [['lesson-1', '--backend', 'host', '--i-understand-this-loads-code-into-my-kernel'], /no loadable-module support/],
  ])('explains bad input %j in one line, without a stack trace', async (args, message) => {
    const r = await grade(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('leaves no QEMU behind when the grader gets SIGINT during a boot', async () => {
    const child = spawn(process.execPath, [CLI, 'lesson-1', '--solution'], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    const qemu = await waitForQemu(child.pid!);
    expect(qemu).toHaveLength(1);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(await gone(qemu[0]!)).toBe(true);
  }, 120_000);

  it('lists lessons with the last result when no lesson is named', async () => {
    const r = await grade();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/lesson-1\s+A module in a throwaway kernel/);
  });
});

describe('npm run grade LESSON -- --hint CHECK', () => {
  const lesson = loadLesson('lesson-3'); // the common checks the loader adds included
  const zh = JSON.parse(readFileSync(join(REPO_ROOT, 'lessons/lesson-3/zh-CN.json'), 'utf8')) as { checks: Record<string, { hint: string; hint2?: string }> };
  const withTodos = lesson.checks.find((c) => c.todos.length)!;

  it('prints both levels of a check\'s help and where the solution is folded, without grading', async () => {
    const started = Date.now();
    const r = await grade('lesson-3', '--hint', withTodos.id);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`hint 1: ${withTodos.hint}`);
    expect(r.stdout).toContain(`hint 2: ${withTodos.hint2!}`);
    expect(r.stdout).toMatch(new RegExp(`still stuck: the page folds the solution under TODO ${withTodos.todos.join(', ')}: \\S+/lessons/lesson-3(\\.html)?#check-${withTodos.id}`));
    expect(r.stderr).not.toMatch(/grading|booting/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('speaks Chinese to a zh_CN locale, and accepts the lesson number', async () => {
    const r = await promisify(execFile)(process.execPath, [CLI, '3', '--hint', withTodos.id], { env: { ...process.env, NO_COLOR: '1', LANG: 'zh_CN.UTF-8', LC_ALL: '' } });
    expect(r.stdout).toContain(`提示 2: ${zh.checks[withTodos.id]!.hint2!}`);
  });

  it('says a check without TODOs has no second hint', async () => {
    const plain = lesson.checks.find((c) => !c.todos.length)!;
    const r = await grade('lesson-3', '--hint', plain.id);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`hint 1: ${plain.hint}`);
    expect(r.stdout).toMatch(/no second hint/);
  });

  it.each([
    [['lesson-3', '--hint', 'nope'], new RegExp(`lesson-3 has no check "nope"; its checks are: ${lesson.checks.map((c) => c.id).join(', ')}`)],
    [['lesson-99', '--hint', 'builds'], /there is no lesson "lesson-99"; the lessons are: lesson-1, /],
    [['--hint', 'builds'], /--hint needs one lesson/],
    [['all', '--hint', 'builds'], /--hint needs one lesson/],
  ])('explains %j in one line, without a stack trace', async (args, message) => {
    const r = await grade(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a module that does not compile', () => {
  it('fails "builds" with file:line and skips the checks that need the module', async () => {
    const lesson = mutantLesson('lesson-1', 'syntax-error', [{ file: 'kernel/nlab_hello.c', find: 'return 0;', replace: 'return 0' }]);
    const r = await gradeLesson({ lesson, target: 'starter', kernel: findKernel() });
    const builds = r.checks.find((c) => c.id === 'builds')!;
    expect(builds.status).toBe('fail');
    expect(builds.evidence?.notes?.[0]).toMatch(new RegExp(`${lesson.dir}/starter/kernel/nlab_hello\\.c:\\d+:\\d+: error: expected ‘;’`));
    expect(r.checks.filter((c) => c.id !== 'builds').map((c) => c.status)).toEqual(['skip', 'skip', 'skip']);
    expect(r.timings.boots).toBe(0);
  }, 120_000);
});
