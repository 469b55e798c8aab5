// Spare node processes for client runs (grader/src/guest/spares.ts): a client run from a spare
// must be what `node CLIENT ARGS` is — arguments, environment, exit code, uncaught errors,
// signals, output — only without waiting for node to start. Plain processes, so this runs on
// the host; the lesson and mutant tests run the same code in the guest.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kernel/src/index.js';

// The built module: it finds client-spare.js beside itself, as the bundled runner does.
const { dropSpares, keepSpares, spareFits, sparesTaken, takeSpare, waitingSpares } = (await import(join(REPO_ROOT, 'dist/grader/src/guest/spares.js'))) as typeof import('../src/guest/spares.js');

const dir = mkdtempSync(join(tmpdir(), 'spares-'));
function client(name: string, code: string): string {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(path, code);
  return path;
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function finish(p: Pick<ChildProcess, 'stdout' | 'stderr' | 'on'>): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  p.stdout!.on('data', (d: Buffer) => (stdout += d));
  p.stderr!.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const fresh = (path: string, args: string[], env: Record<string, string>) => finish(spawn(process.execPath, [path, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));

async function fromSpare(path: string, args: string[], env: Record<string, string>): Promise<Ran> {
  keepSpares(1);
  const p = takeSpare(path, args, env);
  expect(p, 'a spare was waiting').toBeDefined();
  return finish(p!);
}

const SHOW = client('show', `console.log(JSON.stringify({ argv: process.argv.slice(1), x: process.env.LAB_X, cwd: process.cwd() })); process.exitCode = 7;`);

describe('client runs from a spare node process', () => {
  it('see the arguments, environment and directory that node CLIENT ARGS sees, and exit the same', async () => {
    const args = ['set', 'key with space', 'é'];
    const [a, b] = [await fresh(SHOW, args, { LAB_X: 'yes' }), await fromSpare(SHOW, args, { LAB_X: 'yes' })];
    expect(b).toEqual(a);
    expect(JSON.parse(b.stdout)).toMatchObject({ argv: [SHOW, ...args], x: 'yes' });
    expect(b.code).toBe(7);
  });

  it.each([
    ['an uncaught error', `console.log('before'); throw new Error('boom');`],
    ['a rejected top-level await', `await Promise.reject(new Error('boom'));`],
    ['process.exit(3) right after printing', `process.stdout.write('x'.repeat(4000)); process.exit(3);`],
    ['a signal it sends itself', `process.kill(process.pid, 'SIGKILL');`],
  ])('end as node does on %s', async (_what, code) => {
    const path = client(`case-${code.length}`, code);
    const [a, b] = [await fresh(path, [], {}), await fromSpare(path, [], {})];
    expect({ code: b.code, signal: b.signal, stdout: b.stdout.length }).toEqual({ code: a.code, signal: a.signal, stdout: a.stdout.length });
    expect(b.stderr.includes('boom')).toBe(a.stderr.includes('boom'));
  });

  it('keeps a spare started after each run, and leaves wrapped runs and node options to a fresh node', async () => {
    await fromSpare(SHOW, [], {});
    await new Promise((r) => setImmediate(r));
    expect(takeSpare(SHOW, [], {})?.pid).toBeTypeOf('number');
    expect(spareFits(undefined, { LAB_X: '1' })).toBe(true);
    expect(spareFits(['setpriv', '--bounding-set=-all'], undefined)).toBe(false);
    expect(spareFits(undefined, { NODE_OPTIONS: '--import x' })).toBe(false);
  });

  it('waits at the lowest priority and runs its program at the normal one', async () => {
    dropSpares();
    keepSpares(1);
    const [pid] = waitingSpares();
    expect(getPriority(pid!)).toBe(19);
    const p = takeSpare(SHOW, [], {});
    expect(p!.pid).toBe(pid);
    // Taken: back to nice 0 before its program runs (as root, like the guest's runner).
    expect(getPriority(pid!)).toBe(0);
    await finish(p!);
    dropSpares();
  });

  it('keeps as many spares as the last request took, at most three', async () => {
    dropSpares();
    sparesTaken();
    keepSpares(5);
    const pids = [0, 1, 2].map(() => takeSpare(SHOW, [], {})?.pid);
    expect(new Set(pids).size).toBe(3);
    expect(pids.every((p) => typeof p === 'number')).toBe(true);
    // The pool was capped at three: the fourth had to wait for the refill (and counts as wanted).
    expect(takeSpare(SHOW, [], {})).toBeUndefined();
    expect(sparesTaken()).toBe(4);
    expect(sparesTaken()).toBe(0);
    dropSpares();
  });

  it("hands a client the library already loaded, which reads the run's trace file when it is used", async () => {
    // Inside the repository, where `netlink-lab/client` resolves as it does for lesson clients.
    const inRepo = mkdtempSync(join(REPO_ROOT, '.lab', 'spares-'));
    const trace = join(inRepo, 'trace');
    const path = join(inRepo, 'main.mjs');
    writeFileSync(path, `import { NETLINK, openSocket } from 'netlink-lab/client';\nopenSocket(NETLINK.GENERIC).close();\nconsole.log('ok');\n`);
    keepSpares(1);
    await new Promise((r) => setTimeout(r, 1500)); // the spare has imported the library by now
    const ran = await finish(takeSpare(path, [], { LAB_NETLINK_TRACE: trace })!);
    expect(ran.stdout.trim()).toBe('ok');
    expect(readFileSync(trace, 'utf8')).toMatch(/^open 16 \d+\n(option .*\n)*close 16 \d+\n$/);
    rmSync(inRepo, { recursive: true, force: true });
    dropSpares();
  });
});

describe('python3 runs from a spare python process', () => {
  const py = (name: string, code: string) => {
    const path = join(dir, `${name}.py`);
    writeFileSync(path, code);
    return path;
  };
  // A sibling module: `python3 SCRIPT` puts the script's folder first on sys.path (cli.py imports its lib/ so).
  writeFileSync(join(dir, 'sibling.py'), 'VALUE = 42\n');
  const freshPy = (path: string, args: string[], env: Record<string, string>) => finish(spawn('python3', [path, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
  async function fromPySpare(path: string, args: string[], env: Record<string, string>): Promise<Ran> {
    keepSpares(1, 'python');
    const p = takeSpare(path, args, env, 'python');
    expect(p, 'a spare was waiting').toBeDefined();
    return finish(p!);
  }

  it.each([
    ['its arguments, environment, sys.path[0] and exit status', `import sys, os, json, sibling\nprint(json.dumps([sys.argv, os.environ.get('LAB_X'), sibling.VALUE, __name__]))\nsys.exit(5)\n`],
    ['an uncaught exception', `print('before')\nraise ValueError('boom')\n`],
    ['a signal it sends itself', `import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n`],
  ])('sees and ends as python3 SCRIPT does: %s', async (_what, code) => {
    const path = py(`py-${code.length}`, code);
    const args = ['--do', 'get', 'a b'];
    const [a, b] = [await freshPy(path, args, { LAB_X: 'yes' }), await fromPySpare(path, args, { LAB_X: 'yes' })];
    expect({ code: b.code, signal: b.signal, stdout: b.stdout }).toEqual({ code: a.code, signal: a.signal, stdout: a.stdout });
    expect(b.stderr.includes('ValueError: boom')).toBe(a.stderr.includes('ValueError: boom'));
  });

  it('leaves runs with PYTHON* variables or a wrapper to a fresh python3', () => {
    expect(spareFits(undefined, { LAB_X: '1' }, 'python')).toBe(true);
    expect(spareFits(undefined, { PYTHONPATH: '/x' }, 'python')).toBe(false);
    expect(spareFits(['setpriv'], undefined, 'python')).toBe(false);
    dropSpares();
  });
});
