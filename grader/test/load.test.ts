// Load: 8 concurrent clients × 10 000 operations against lesson 11's solution, in one 2-CPU
// guest of the default kernel, so requests really meet in the kernel. No request may go unanswered, every
// answer must match what its client stored, the subscriber must see one notification per
// change (unless ENOBUFS says it fell behind), and the kernel must stay healthy.
// And the test must be able to fail: a module that forgets one notification is caught.
import { describe, expect, it } from 'vitest';
import { findKernel, liveCount } from '../../kernel/src/index.js';
import { runLoadTest, summarize } from '../src/loadtest/host.js';
import type { ClientStats, LoadResult } from '../src/loadtest/protocol.js';
import { mutantLesson } from './mutant-lesson.js';

const kernel = findKernel();

function fakeResult(clients: Partial<ClientStats>[], watcher = { events: 0, enobufs: 0 }): LoadResult {
  const base: ClientStats = { ops: 10, answered: 10, lost: 0, enobufs: 0, wrong: [], mutations: 4, perSecond: [6, 4], ms: 1500 };
  return { kernel: 'k', cpus: 2, clients: clients.map((c) => ({ ...base, ...c })), watcher, ms: 1500, health: [], gate: [] };
}

describe('load test verdicts', () => {
  it('passes a clean run and sums the per-second rates of all clients', () => {
    const s = summarize(fakeResult([{}, {}], { events: 8, enobufs: 0 }), { clients: 2, ops: 10 });
    expect(s.problems).toEqual([]);
    expect(s.perSecond.seconds).toEqual([12]);
    expect(s.rate).toBeCloseTo(20 / 1.5);
  });

  it('flags lost answers, wrong answers, missing clients and unexplained missing notifications', () => {
    const s = summarize(fakeResult([{ lost: 1, ops: 9, wrong: ['get c0-1: ENOENT for a stored key'] }], { events: 3, enobufs: 0 }), { clients: 2, ops: 10 });
    expect(s.ok).toBe(false);
    expect(s.problems.join('\n')).toMatch(/1 of 2 clients gave no result[\s\S]*9 operations done of 20[\s\S]*1 requests got no answer[\s\S]*1 wrong answers[\s\S]*3 notifications for 4 changes/);
  });

  it('accepts fewer notifications when the subscriber was told with ENOBUFS', () => {
    expect(summarize(fakeResult([{}], { events: 1, enobufs: 1 }), { clients: 1, ops: 10 }).ok).toBe(true);
  });
});

describe(`load on lesson 11 (kernel ${kernel.selector}, 2 vCPUs)`, () => {
  it('8 clients × 10 000 operations: every request answered correctly, every change notified, kernel healthy', async () => {
    const s = await runLoadTest(kernel, { clients: 8, ops: 10_000 });
    console.log(
      `load: ${s.ops} ops in ${(s.result.ms / 1000).toFixed(1)} s on ${s.result.cpus} vCPUs = ${Math.round(s.rate)}/s ` +
        `(per second ${s.perSecond.min}–${s.perSecond.max}, median ${s.perSecond.median}); ENOBUFS ${s.enobufs} + ${s.events.enobufs}; ` +
        `${s.events.seen}/${s.events.expected} notifications`,
    );
    expect(s.problems).toEqual([]);
    expect(s.result.cpus).toBe(2);
    expect(s.ops).toBe(80_000);
    expect(s.answered).toBe(80_000);
    expect(s.mutations).toBeGreaterThan(20_000);
    expect(s.rate).toBeGreaterThan(0);
    expect(liveCount()).toBe(0);
  }, 1_500_000);

  it('catches a module that forgets to notify deletions', async () => {
    const lesson = mutantLesson('lesson-11', 'load-no-del-notify', [{ file: 'kernel/nlab_kv.c', find: '\t\tnlab_kv_notify(info, e, NLAB_CMD_DEL_NTF);\n', replace: '' }]);
    const s = await runLoadTest(kernel, { lesson, target: 'starter', clients: 4, ops: 300 });
    expect(s.lost).toBe(0);
    expect(s.problems.join('\n')).toMatch(/notifications for \d+ changes/);
    expect(liveCount()).toBe(0);
  }, 300_000);
});
