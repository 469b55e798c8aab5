// rustlings' `dev check`, in real guests: every solution scores full marks on a supported
// kernel, and every starter fails exactly the checks that name one of its TODOs. One test
// file per kernel (lessons-6.1.test.ts, lessons-6.12.test.ts), so the two can run at once.
// All grades of a kernel share one warm guest, as `--watch` does: the grader retires it after
// any health event, panic or hang, so a sick guest never carries over into the next grade.
import { describe, expect, it } from 'vitest';
import { kernelForTest } from '../../kernel/test/kernel-choice.js';
import { gradeLesson } from '../src/grade.js';
import type { GradeReport } from '../src/report/types.js';
import type { Lesson } from '../src/lesson/load.js';
import { loadAllLessons } from '../src/lesson/load.js';
import { loadavg } from 'node:os';
import { describeBudget, tightBudgets } from '../src/report/budget.js';
import { schemaErrors } from './report-schema.js';
import { peerDecodings } from './tshark-peer.js';
import { sharedGuest, type SharedGuest } from './shared-guest.js';
import { isDeepStrictEqual } from 'node:util';

/**
 * --pcap's peer test: tshark decodes every header of every captured run as the client
 * library does. A unit nlmon cannot tap says so instead of capturing nothing silently.
 */
function expectCapturesAgree(r: GradeReport, lesson: Lesson): void {
  let headers = 0;
  for (const run of r.checks.flatMap((c) => c.runs).filter((x) => x.capture)) {
    const cap = run.capture!;
    if ('unit' in lesson.netlink) {
      expect(cap.problem).toMatch(/nlmon cannot see netlink unit/);
      continue;
    }
    expect(cap.problem).toBeUndefined();
    // The fuzzer's datagrams are mutated at random: there the two decoders may read garbage
    // differently (tshark once took an attribute's bytes for an embedded message), so its
    // runs are captured but not compared.
    if (/-fuzz-/.test(cap.file)) continue;
    const { tshark, library, malformed } = peerDecodings(cap.file);
    expect(malformed, cap.file).toBe(0);
    expect(tshark, cap.file).toEqual(library);
    headers += library.length;
  }
  if ('family' in lesson.netlink) expect(headers).toBeGreaterThan(0);
}

/**
 * What a failed grade showed, for the assertion's message: a CI log then says why a check
 * failed (a client's stderr, a timeout, the guest's load), not only which.
 */
function whyFailed(r: GradeReport): string {
  const failed = r.checks.filter((c) => c.status !== 'pass');
  if (failed.length === 0) return '';
  const parts = failed.map((c) => {
    const ev = c.evidence ? JSON.stringify({ ...c.evidence, messages: undefined }).slice(0, 1200) : '';
    const runs = c.runs.map((run) => JSON.stringify({ ...run, evidence: undefined }).slice(0, 600)).join('\n    ');
    return `${c.id} (${c.durationMs} ms): ${c.message ?? c.status}\n    evidence ${ev}\n    notes ${c.notes.join(' | ').slice(0, 600)}\n    runs ${runs}`;
  });
  return `host load ${loadavg().map((x) => x.toFixed(1)).join(' ')}; guest ${r.timings.warmGuest ? 'warm' : 'fresh'}; log ${r.logFile}\n  ${parts.join('\n  ')}`;
}

/**
 * A grade whose verdict is not `right` is graded once more, in a freshly booted guest, and
 * only that second grade is asserted on. A wrong verdict that a fresh guest does not repeat
 * is printed whole (with `whyFailed`), so a flaky guest shows in the log instead of failing a
 * CI run, while a grader or lesson bug fails both grades and the test.
 */
async function gradeTwiceIfWrong(grade: () => Promise<GradeReport>, right: (r: GradeReport) => boolean, guest: SharedGuest, what: string): Promise<GradeReport> {
  const first = await grade();
  if (right(first)) return first;
  await guest.retire();
  const second = await grade();
  console.warn(`${what}: ${right(second) ? 'wrong once, right in a fresh guest' : 'wrong twice'}; first grade: ${whyFailed(first)}`);
  return second;
}

const failedIds = (r: GradeReport): string[] => r.checks.filter((c) => c.status !== 'pass').map((c) => c.id);

export function gradeEveryLesson(selector: string, opts: { pcap?: boolean } = {}): void {
  const lessons = loadAllLessons();
  const { kernel: found, title } = kernelForTest(selector);
  const kernel = found!;
  const guest = sharedGuest();
  const { warm } = guest;

  describe.skipIf(!found)(title, () => {
    describe.each(lessons.map((l) => [l.id, l] as const))('%s', (_id, lesson) => {
      it('solution passes every check', async () => {
        const grade = () => gradeLesson({ lesson, target: 'solution', kernel, warm, ...(opts.pcap ? { pcap: true } : {}) });
        const r = await gradeTwiceIfWrong(grade, (x) => failedIds(x).length === 0, guest, `${lesson.id} solution on ${selector}`);
        const failed = r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`);
        expect(failed, whyFailed(r)).toEqual([]);
        expect(r.score).toBe(r.total);
        expect(r.health).toEqual([]);
        expect(schemaErrors(r)).toEqual([]);
        // What a learner copies is what a reviewer's bot would pass: the unscored style section is empty.
        expect(r.style?.findings).toEqual([]);
        expect(r.style?.notRun).toEqual([]);
        if (opts.pcap) expectCapturesAgree(r, lesson);
        // A warning, not a failure: a run near its timeout here fails a learner on a slower machine.
        const tight = tightBudgets(r, lesson.checks);
        if (tight.length > 0) {
          console.warn(`${lesson.id} on ${selector} (load ${loadavg()[0]!.toFixed(1)}): near the time budget: ${tight.map(describeBudget).join('; ')}`);
        }
        guest.expectNoStray();
      }, 600_000);

      it('starter fails exactly the checks its TODOs cover', async () => {
        const expected = lesson.checks.filter((c) => c.todos.length > 0).map((c) => c.id);
        const grade = () => gradeLesson({ lesson, target: 'starter', kernel, warm, style: false });
        const r = await gradeTwiceIfWrong(grade, (x) => isDeepStrictEqual(failedIds(x), expected), guest, `${lesson.id} starter on ${selector}`);
        expect(failedIds(r), whyFailed(r)).toEqual(expected);
        expect(r.checks.filter((c) => c.status === 'error')).toEqual([]);
        expect(schemaErrors(r)).toEqual([]);
        guest.expectNoStray();
      }, 600_000);
    });

    guest.stopAtEnd();
  });
}
