// The lessons' mutants (each lesson's MUTANTS.md): the mechanism a lesson teaches, broken in its
// solution, must fail the check that grades it, say why, and blame the right side. `lessons check`
// makes every check of a lesson's own that no TODO names have one here. mutants.test.ts covers
// the grader's robustness (modules that crash or hang, clients that misbehave).
import { describe, expect, it } from 'vitest';
import { findKernel, liveCount } from '../../kernel/src/index.js';
import { gradeLesson } from '../src/grade.js';
import { planJobs } from '../src/plan.js';
import { allVariants, mutantLesson, variantLesson } from './mutant-lesson.js';
import { sharedGuest } from './shared-guest.js';

const KV = 'kernel/nlab_kv.c';
/** Lesson 8's GET op and its key-only policy, as the solution has them. */
const GET_KEY_POLICY = '\t\t.doit\t= nlab_kv_get_doit,\n\t\t.policy\t= nlab_kv_key_policy,\n\t\t.maxattr = NLAB_A_KEY,\n';

const kernel = findKernel();
// One guest for these mutants (none of them crashes it); the Oops test below boots its own.
const guest = sharedGuest();

describe('mutants of the nlab_kv lessons', () => {
  const mutants = allVariants('mutant');
  it('finds the mutants', () => expect(mutants.length).toBeGreaterThanOrEqual(64));
  it.each(mutants.map((m) => [`${m.lesson} ${m.name}`, m] as const))('%s', async (_, m) => {
    const { check, blames, says } = m.fails!;
    const lesson = variantLesson(m);
    const r = await gradeLesson({ lesson, target: 'starter', kernel, only: check, style: false, warm: guest.warm });
    const c = r.checks.find((x) => x.id === check)!;
    const detail = JSON.stringify({ status: c.status, message: c.message, fault: c.fault });
    expect(c.status, detail).toBe('fail');
    if (blames) expect(c.fault, detail).toBe(blames);
    expect(c.message, detail).toMatch(says);
    expect(r.health.filter((h) => h.kind === 'panic' || h.kind === 'oops'), detail).toEqual([]);
    guest.expectNoStray();
  }, 180_000);

  guest.stopAtEnd();
});

// The issue's own example: .policy without .maxattr, so the core hands the ops no attributes
// and every request oopses. The grade must report the Oops once (later checks point at it),
// stop rebooting for it, and still grade the student's client against the reference module.
describe('a module that oopses on every request', () => {
  it('reports the Oops once, within two boots, and still runs the client-only checks', async () => {
    // Every op keeps its .policy and loses its .maxattr; the family has none to fall back on.
    const lesson = mutantLesson('lesson-8', 'no-maxattr', [
      { file: KV, find: '\t\t.maxattr = NLAB_A_FLAGS,\n', replace: '' },
      { file: KV, find: GET_KEY_POLICY, replace: '\t\t.doit\t= nlab_kv_get_doit,\n\t\t.policy\t= nlab_kv_key_policy,\n' },
      { file: KV, find: '\t\t.doit\t= nlab_kv_del_doit,\n\t\t.policy\t= nlab_kv_key_policy,\n\t\t.maxattr = NLAB_A_KEY,\n', replace: '\t\t.doit\t= nlab_kv_del_doit,\n\t\t.policy\t= nlab_kv_key_policy,\n' },
    ]);
    const r = await gradeLesson({ lesson, target: 'starter', kernel, style: false });
    const detail = JSON.stringify(
      {
        boots: r.timings.boots,
        health: r.health.map((h) => `${h.check}: ${h.kind}: ${h.excerpt.split('\n')[0]}`),
        checks: r.checks.map((c) => ({ id: c.id, status: c.status, runs: c.runs.map((x) => `${x.pairing.kernel}/${x.pairing.client}: ${x.status} ${x.message ?? ''}`) })),
      },
      null,
      1,
    );
    const crashes = r.health.filter((h) => h.kind !== 'warning');
    expect(crashes.length, detail).toBe(1);
    expect(r.timings.boots, detail).toBeLessThanOrEqual(2);
    const clientOnly = lesson.checks.filter((c) => c.side === 'client' && !c.builtin);
    expect(clientOnly.length).toBeGreaterThan(0);
    for (const c of clientOnly) expect(r.checks.find((x) => x.id === c.id)!.status, detail).toBe('pass');
    const later = r.checks.filter((c) => c.status === 'fail' && c.id !== crashes[0]!.check && c.runs.some((x) => x.health.length));
    for (const c of later) expect(c.message, detail).toMatch(new RegExp(`same .* as in \`${crashes[0]!.check}\``));
    expect(liveCount()).toBe(0);
  }, 400_000);
});

// An Oops inside a generic netlink handler kills the task that sent the request while it holds
// genl_mutex: the fuzz check must still say where (its verdict leaves the guest before the
// health gate, whose rmmod waits for that mutex forever), and the host must not wait out the
// check's whole timeout for a guest that can no longer answer.
describe('a module that oopses on a request only the fuzzer sends', () => {
  it('fails `fuzz` with the window of datagrams, long before the check\'s own timeout', async () => {
    // META without OWNER is no longer refused: nla_strscpy() reads a NULL attribute.
    const lesson = mutantLesson('lesson-16', 'owner-unchecked', [{ file: KV, find: '\tif (NL_REQ_ATTR_CHECK(extack, nest, tb, NLAB_A_META_OWNER))\n\t\treturn -EINVAL;\n', replace: '' }]);
    const started = performance.now();
    const r = await gradeLesson({ lesson, target: 'starter', kernel, only: 'fuzz', style: false });
    const c = r.checks.find((x) => x.id === 'fuzz')!;
    const detail = JSON.stringify({ message: c.message, notes: c.notes, evidence: c.evidence, health: r.health.map((h) => h.excerpt.split('\n')[0]) }, null, 1);
    expect(c.status, detail).toBe('fail');
    expect(r.health.map((h) => h.kind), detail).toContain('oops');
    expect(r.health[0]!.excerpt, detail).toMatch(/nlab_kv_nl_set_doit/);
    expect(c.notes.join('\n'), detail).toMatch(/the check had found: the kernel logged an Oops among fuzz datagrams #\d+–#\d+/);
    expect(c.evidence?.notes?.some((n) => /npm run fuzz -- lesson-16 --starter --kernel \S+ --messages \d+/.test(n)), detail).toBe(true);
    const [job] = planJobs(lesson.checks.filter((x) => x.id === 'fuzz'), false, true);
    expect(performance.now() - started, detail).toBeLessThan(job!.timeoutMs);
    expect(liveCount()).toBe(0);
  }, 300_000);
});
