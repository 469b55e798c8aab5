// Robustness: the structured fuzzer sends at least 10 000 mutated datagrams to every lesson
// solution that accepts messages, in one real guest of the default kernel, and the kernel must stay healthy
// (no Oops, BUG, WARNING, lockup or panic; the module unloads; the unit or family is free).
// And it must be able to fail: lesson 4's starter trusts nlmsg_pid and nlmsg_len, and the
// fuzzer has to report the panic with the seed and the datagrams to replay it.
import { describe, expect, it } from 'vitest';
import { findKernel } from '../../kernel/src/index.js';
import { describeReport } from '../src/fuzz/describe.js';
import { fuzzModules } from '../src/fuzz/host.js';
import { DEFAULT_SEED } from '../src/fuzz/protocol.js';
import { loadAllLessons, loadLesson } from '../src/lesson/load.js';

const kernel = findKernel();

describe(`module fuzzing (kernel ${kernel.selector})`, () => {
  it('every solution survives 10 000 fuzz datagrams with a healthy kernel', async () => {
    const lessons = loadAllLessons().filter((l) => l.fuzz);
    expect(lessons.length).toBeGreaterThanOrEqual(9);
    const started = performance.now();
    const reports = await fuzzModules(
      lessons.map((lesson) => ({ lesson, target: 'solution' as const })),
      kernel,
    );
    for (const r of reports) console.log(describeReport(r).join('\n'), `(${(r.guestMs / 1000).toFixed(1)} s in the guest)`);
    console.log(`fuzzing ${reports.length} solutions took ${((performance.now() - started) / 1000).toFixed(0)} s`);
    expect(reports.map((r) => [r.lesson, r.outcome, r.result.health, r.result.gate])).toEqual(lessons.map((l) => [l.id, 'clean', [], []]));
    for (const r of reports) expect(r.result.sent).toBeGreaterThanOrEqual(10_000);
  }, 420_000);

  it("reports lesson 4's starter, which panics on malformed datagrams, with the seed and the datagrams to replay", async () => {
    const [r] = await fuzzModules([{ lesson: loadLesson('lesson-4'), target: 'starter' }], kernel);
    console.log(describeReport(r!).join('\n'));
    expect(r!.outcome).not.toBe('clean');
    expect(r!.result.health.length).toBeGreaterThan(0);
    expect(r!.seed).toBe(DEFAULT_SEED);
    expect(r!.replay).toContain(`--seed 0x${DEFAULT_SEED.toString(16)}`);
    // the window was replayed alone in a fresh guest and narrowed to the datagram itself
    expect(r!.result.window!.to - r!.result.window!.from).toBe(1);
    expect(r!.lastDatagrams?.length).toBeGreaterThan(0);
  }, 180_000);
});
