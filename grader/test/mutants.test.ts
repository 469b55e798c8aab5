// The grader against broken code it must catch: each mutant is lesson 3's solution with one
// fault, graded as a student's starter. Each must end (never hang the grader), fail the
// expected check, blame the right side and give the right health verdict.
import { describe, expect, it } from 'vitest';
import { findKernel } from '../../kernel/src/index.js';
import { gradeLesson } from '../src/grade.js';
import type { ReportHealthKind } from '../src/guest/protocol.js';
import { mutantLesson, type Mutation } from './mutant-lesson.js';
import { sharedGuest } from './shared-guest.js';

const MODULE = 'kernel/nlab_reply.c';
const CLIENT = 'client/main.ts';

interface Mutant {
  name: string;
  mutations: Mutation[];
  /** The check to run (one, to keep the suite short) and how it must fail. */
  check: string;
  fault?: 'kernel' | 'client' | 'both';
  health?: ReportHealthKind;
  /** Text the failure message or gate must contain. */
  says?: RegExp;
  /**
   * Robustness faults only require that the grade ends with a verdict (pass or fail, never a
   * grader error) and leaves nothing behind; by default the check must fail.
   */
  anyVerdict?: boolean;
}

const input = (code: string): Mutation => ({ file: MODULE, find: '\tconst struct nlmsghdr *nlh = nlmsg_hdr(skb);\n\tint err;\n', replace: `\tconst struct nlmsghdr *nlh = nlmsg_hdr(skb);\n\tint err;\n\n${code}\n` });

const MUTANTS: Mutant[] = [
  { name: 'never-replies', check: 'answer-arrives', says: /answer/i, mutations: [{ file: MODULE, find: 'return nlmsg_unicast(nlab_sock, skb, req->nlmsg_pid);', replace: 'nlmsg_free(skb);\n\treturn 0;' }] },
  { name: 'wrong-port', check: 'answer-arrives', mutations: [{ file: MODULE, find: 'return nlmsg_unicast(nlab_sock, skb, req->nlmsg_pid);', replace: 'return nlmsg_unicast(nlab_sock, skb, req->nlmsg_pid + 1);' }] },
  { name: 'wrong-payload', check: 'output-line', fault: 'kernel', mutations: [{ file: MODULE, find: '#define NLAB_GREETING\t"Hello from kernel"', replace: '#define NLAB_GREETING\t"Hello from kernal"' }] },
  { name: 'null-deref-in-input', check: 'answer-arrives', health: 'oops', mutations: [input('\tif (READ_ONCE(nlab_sock))\n\t\tnlh = NULL;\n\tpr_info("type %u\\n", nlh->nlmsg_type);')] },
  { name: 'panic-in-input', check: 'answer-arrives', health: 'panic', says: /panic/, mutations: [input('\tpanic("nlab: a deliberate panic");')] },
  { name: 'endless-loop-in-input', check: 'answer-arrives', health: 'hang', says: /hung|hang|did not finish/, mutations: [input('\tfor (;;)\n\t\tcpu_relax();')] },
  { name: 'no-kernel-release', check: 'loads', says: /still has a kernel socket/, mutations: [{ file: MODULE, find: '\tnetlink_kernel_release(nlab_sock);\n', replace: '' }] },
  { name: 'wrong-unit', check: 'answer-arrives', mutations: [{ file: MODULE, find: '#define NETLINK_NLAB\t31', replace: '#define NETLINK_NLAB\t30' }] },
  {
    name: 'sleeps-forever-in-init',
    check: 'loads',
    says: /did not finish|rmmod .* failed/,
    mutations: [{ file: MODULE, find: '\tnlab_sock = netlink_kernel_create(&init_net, NETLINK_NLAB, &cfg);', replace: '\tfor (;;)\n\t\tschedule_timeout_interruptible(MAX_SCHEDULE_TIMEOUT);\n\tnlab_sock = netlink_kernel_create(&init_net, NETLINK_NLAB, &cfg);' }],
  },
  { name: 'refuses-to-unload', check: 'loads', says: /rmmod .* failed/, mutations: [{ file: MODULE, find: 'module_exit(nlab_reply_exit);\n', replace: '' }] },
  {
    name: 'floods-the-log',
    check: 'answer-arrives',
    anyVerdict: true,
    mutations: [input('\tfor (int i = 0; i < 50000; i++)\n\t\tpr_info("flood %d\\n", i);')],
  },
  { name: 'client-never-receives', check: 'output-line', fault: 'client', mutations: [{ file: CLIENT, find: 'return socket.receiveSync(ANSWER_TIMEOUT_MS);', replace: 'return null;' }] },
  { name: 'client-wrong-text', check: 'output-line', fault: 'client', mutations: [{ file: CLIENT, find: '`Received message payload: ${', replace: '`Received payload: ${' }] },
  { name: 'client-leaves-socket-open', check: 'client-closes', mutations: [{ file: CLIENT, find: '} finally {\n  socket.close();\n}', replace: '} finally {\n  void socket;\n}' }] },
  { name: 'client-crashes', check: 'output-line', fault: 'client', mutations: [{ file: CLIENT, find: "console.log('Sending message to kernel');", replace: "throw new Error('boom');" }] },
  { name: 'client-hangs', check: 'output-line', fault: 'client', mutations: [{ file: CLIENT, find: "console.log('Sending message to kernel');", replace: 'for (;;);' }] },
  { name: 'client-prints-megabytes', check: 'output-line', fault: 'client', mutations: [{ file: CLIENT, find: "console.log('Sending message to kernel');", replace: "process.stdout.write('x'.repeat(8 << 20));" }] },
];

const kernel = findKernel();
// The mutants share one guest, as a learner's --watch does: which also shows that the grader
// retires a guest after every fault that could leave it unfit for the next grade.
const guest = sharedGuest();

describe('mutants of lesson 3', () => {
  it.each(MUTANTS.map((m) => [m.name, m] as const))('%s', async (name, m) => {
    const lesson = mutantLesson('lesson-3', name, m.mutations);
    const started = performance.now();
    const hadWarm = guest.warm.session?.alive === true;
    const r = await gradeLesson({ lesson, target: 'starter', kernel, only: m.check, style: false, warm: guest.warm });
    const c = r.checks.find((x) => x.id === m.check)!;
    const detail = JSON.stringify({ status: c.status, message: c.message, fault: c.fault, health: r.health.map((h) => h.kind), gate: c.runs.flatMap((x) => x.gate) });
    if (m.anyVerdict) expect(['pass', 'fail'], detail).toContain(c.status);
    else expect(c.status, detail).toBe('fail');
    if (m.fault) expect(c.fault, detail).toBe(m.fault);
    if (m.health) expect(r.health.map((h) => h.kind), detail).toContain(m.health);
    else expect(r.health.filter((h) => h.kind === 'panic' || h.kind === 'oops'), detail).toEqual([]);
    if (m.says) expect(`${c.message} ${c.runs.flatMap((x) => x.gate).join(' ')}`, detail).toMatch(m.says);
    if (!m.anyVerdict) expect(r.score).toBeLessThan(r.total);
    // A guest that saw the fault is never kept alive: if one lives on, it was booted after the fault.
    if (guest.warm.session?.alive && (r.health.length || c.runs.some((x) => x.gate.length)))
      expect(r.timings.boots, `${detail}: a guest that saw the fault was kept`).toBeGreaterThanOrEqual(hadWarm ? 1 : 2);
    guest.expectNoStray();
    expect(performance.now() - started).toBeLessThan(170_000);
  }, 180_000);

  guest.stopAtEnd();
});
