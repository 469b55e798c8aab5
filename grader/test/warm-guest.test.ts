// The warm guest that `npm run grade` invocations share (grader/src/shared-guest/): reused for
// the same kernel and module, retired for another kernel, another module or any health event,
// never attached while another grader uses it, and never outliving its daemon or its idle time.
import { SLOT } from './warm-guest-slot.js'; // first: the slot must be set before the lab's modules load
import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { findKernel, probeKernel, REPO_ROOT } from '../../kernel/src/index.js';
import { alive, gone, qemuChildren } from '../../kernel/test/processes.js';
import { gradeLesson, type Progress } from '../src/grade.js';
import type { GradeReport } from '../src/report/types.js';
import type { Session } from '../src/vm-session.js';
import { mutantLesson } from './mutant-lesson.js';

const CLI = join(REPO_ROOT, 'dist/grader/src/cli.js');
const LAB = join(REPO_ROOT, 'dist/kernel/src/cli.js');
const env = { ...process.env, NO_COLOR: '1', NETLINK_LAB_SHARED_GUEST: SLOT, NETLINK_LAB_SHARED_IDLE_S: '600' };
const kernel = findKernel();
const other = ['6.1', '6.12'].map((s) => probeKernel(s)).find((k) => !(k instanceof Error) && k.release !== kernel.release);

async function grade(args: string[], extraEnv: Record<string, string> = {}): Promise<GradeReport> {
  const r = await promisify(execFile)(process.execPath, [CLI, ...args, '--warm', '--json', '--no-style', '--kernel', kernel.selector], { env: { ...env, ...extraEnv }, maxBuffer: 32 << 20 }).catch((e: { stdout: string; stderr: string }) => e);
  try {
    return JSON.parse(r.stdout) as GradeReport;
  } catch {
    throw new Error(`no JSON report: ${r.stderr}`);
  }
}

/** The daemon's pid from its pid file, if it is running. */
function daemon(): number | undefined {
  try {
    const pid = Number(readFileSync(join(SLOT, 'daemon.pid'), 'utf8'));
    return alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function stopDaemon(): Promise<void> {
  await promisify(execFile)(process.execPath, [LAB, 'down'], { env });
}

afterAll(async () => {
  await stopDaemon();
  rmSync(SLOT, { recursive: true, force: true });
});

const full = (r: GradeReport) => [r.score, r.total];

describe('the warm guest shared between grades', () => {
  it('serves the next grade of the same module without a boot, and its QEMU belongs to the daemon', async () => {
    const first = await grade(['lesson-3', '--solution', '--only', 'output-line']);
    expect(full(first)).toEqual([first.total, first.total]);
    expect(first.timings).toMatchObject({ boots: 1 });
    expect(first.timings.warmGuest).toBeUndefined();
    const pid = daemon();
    expect(pid, 'a daemon keeps the guest after the grader exited').toBeDefined();
    expect(qemuChildren(pid!)).toHaveLength(1);

    const second = await grade(['lesson-3', '--solution', '--only', 'output-line']);
    expect(full(second)).toEqual([second.total, second.total]);
    expect(second.timings).toMatchObject({ boots: 0, warmGuest: true });
    expect(daemon()).toBe(pid);
  }, 300_000);

  it('lets a second grader boot its own guest instead of attaching to one in use', async () => {
    const pid = daemon();
    const both = await Promise.all([grade(['lesson-3', '--solution', '--only', 'output-line']), grade(['lesson-3', '--solution', '--only', 'output-line'])]);
    expect(both.map(full)).toEqual(both.map((r) => [r.total, r.total]));
    const warm = both.filter((r) => r.timings.warmGuest);
    expect(warm, 'exactly one of them had the warm guest').toHaveLength(1);
    expect(both.find((r) => !r.timings.warmGuest)!.timings.boots).toBe(1);
    expect(daemon(), 'the other grader left the shared guest alone').toBe(pid);
  }, 300_000);

  it('retires the guest when the module changes', async () => {
    const old = daemon()!;
    const [qemu] = qemuChildren(old);
    const r = await grade(['lesson-3', '--only', 'loads']); // the starter: other sources
    expect(r.timings.boots).toBe(1);
    expect(r.timings.warmGuest).toBeUndefined();
    expect(await gone(old, 20_000)).toBe(true);
    expect(await gone(qemu!)).toBe(true);
    expect(daemon()).not.toBe(old);
  }, 300_000);

  it.skipIf(!other)('retires the guest when another kernel is asked for', async () => {
    const old = daemon()!;
    const [qemu] = qemuChildren(old);
    const r = await promisify(execFile)(process.execPath, [CLI, 'lesson-3', '--only', 'loads', '--warm', '--json', '--no-style', '--kernel', (other as { selector: string }).selector], { env, maxBuffer: 32 << 20 }).catch((e: { stdout: string }) => e);
    const report = JSON.parse(r.stdout) as GradeReport;
    expect(report.kernel).not.toBe(kernel.release);
    expect(report.timings.boots).toBe(1);
    expect(await gone(old)).toBe(true);
    expect(await gone(qemu!)).toBe(true);
  }, 300_000);

  it('retires the guest after a health event', async () => {
    await stopDaemon();
    // A WARNING leaves the guest answering, so it is the grader's verdict that must retire it.
    const mutant = mutantLesson('lesson-3', 'warm-warning', [
      { file: 'kernel/nlab_reply.c', find: '\tconst struct nlmsghdr *nlh = nlmsg_hdr(skb);\n\tint err;\n', replace: '\tconst struct nlmsghdr *nlh = nlmsg_hdr(skb);\n\tint err;\n\n\tWARN_ON(nlh);\n' },
    ]);
    const warm: { session?: Session } = {};
    let pid: number | undefined;
    const onProgress = (p: Progress) => void (p.phase === 'check-start' && (pid = daemon()));
    const r = await gradeLesson({ lesson: mutant, target: 'starter', kernel, only: 'answer-arrives', style: false, warm, sharedGuest: true, onProgress });
    expect(r.health.map((h) => h.kind)).toContain('warning');
    await warm.session?.release();
    expect(pid, 'the check ran in the shared guest').toBeDefined();
    expect(await gone(pid!), 'no daemon keeps a guest that logged a WARNING').toBe(true);
    expect(daemon()).toBeUndefined();
    expect(readFileSync(join(SLOT, 'daemon.log'), 'utf8')).toMatch(/\] kill\n.*exiting: kill/);
  }, 300_000);

  it('ends with a guest that panicked', async () => {
    const mutant = mutantLesson('lesson-3', 'warm-panic', [
      { file: 'kernel/nlab_reply.c', find: '\tconst struct nlmsghdr *nlh = nlmsg_hdr(skb);\n\tint err;\n', replace: '\tconst struct nlmsghdr *nlh = nlmsg_hdr(skb);\n\tint err;\n\n\tpanic("nlab: a deliberate panic");\n' },
    ]);
    const warm: { session?: Session } = {};
    let pid: number | undefined;
    const onProgress = (p: Progress) => void (p.phase === 'check-start' && (pid ??= daemon()));
    const r = await gradeLesson({ lesson: mutant, target: 'starter', kernel, only: 'answer-arrives', style: false, warm, sharedGuest: true, onProgress });
    expect(r.health.map((h) => h.kind)).toContain('panic');
    await warm.session?.release();
    expect(pid).toBeDefined();
    expect(await gone(pid!)).toBe(true);
    expect(readFileSync(join(SLOT, 'daemon.log'), 'utf8')).toMatch(/exiting: the guest ended \(guest panic\)/);
  }, 300_000);

  it('takes its QEMU along when the daemon is killed with SIGKILL', async () => {
    await grade(['lesson-3', '--solution', '--only', 'loads']);
    const pid = daemon()!;
    const [qemu] = qemuChildren(pid);
    expect(qemu).toBeDefined();
    process.kill(pid, 'SIGKILL');
    expect(await gone(qemu!)).toBe(true);
  }, 300_000);

  it('ends the guest when its grader is killed in the middle of a grade', async () => {
    await grade(['lesson-3', '--solution', '--only', 'loads']); // a daemon, booted
    const pid = daemon()!;
    const [qemu] = qemuChildren(pid);
    const child = spawn(process.execPath, [CLI, 'lesson-3', '--solution', '--warm', '--no-style', '--kernel', kernel.selector], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    // Kill it once a check has started in the shared guest.
    await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => d.toString().includes('▸ ') && resolve()));
    child.kill('SIGKILL');
    expect(await gone(pid, 20_000)).toBe(true);
    expect(await gone(qemu!)).toBe(true);
  }, 300_000);

  it('ends after its idle time, and `lab down` stops one that waits', async () => {
    await grade(['lesson-3', '--solution', '--only', 'loads'], { NETLINK_LAB_SHARED_IDLE_S: '2' });
    const idle = daemon()!;
    const [idleQemu] = qemuChildren(idle);
    expect(await gone(idle, 30_000)).toBe(true);
    expect(await gone(idleQemu!)).toBe(true);

    await grade(['lesson-3', '--solution', '--only', 'loads']);
    const pid = daemon()!;
    const [qemu] = qemuChildren(pid);
    const { stdout } = await promisify(execFile)(process.execPath, [LAB, 'down'], { env });
    expect(stdout).toMatch(new RegExp(`stopped the warm guest \\(daemon pid ${pid}\\)`));
    expect(alive(pid)).toBe(false);
    expect(await gone(qemu!)).toBe(true);
    const again = await promisify(execFile)(process.execPath, [LAB, 'down'], { env });
    expect(again.stdout).toMatch(/no warm guest was running/);
  }, 300_000);
});
