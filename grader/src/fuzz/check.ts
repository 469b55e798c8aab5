// The `fuzz` builtin check: the module fuzzer (./guest.ts), run on the module under test as one
// job of the grade, with the lesson's "fuzz" seeds and the default seed, so it sends what
// `npm run fuzz` sends. The fuzzer runs as a child process: an Oops kills the process that
// sent the datagram, and that must not be the grader's own. It loads the module, stops at the
// first health event and asks a family one valid request at the end; it leaves the module
// loaded, and the health gate after the job unloads it and looks for what is left allocated,
// as after every check (a leak is then the guest's health, which the grader acts on).

import { writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HealthEvent, REPO_ROOT, scanKernelLog } from '../../../kernel/src/in-guest.js';
import { CheckFailed, type CheckContext, type RunningProgram } from '../check-api.js';
import { healthPhrase } from '../health-causes.js';
import { gateHealthKind } from '../guest/protocol.js';
import { DEFAULT_MESSAGES, DEFAULT_SEED, type FuzzEvent, fuzzEvents, type GuestFuzzResult, type GuestFuzzTarget } from './protocol.js';
import { type FuzzStarted, windowTail } from './window.js';

/** The fuzzer's bundle (package.json's build), as `npm run fuzz` starts it. */
const FUZZER = join(REPO_ROOT, 'dist/bundle/fuzz-guest.js');
/** The fuzzer reads the kernel log after every this many datagrams. */
const EVERY = 100;
/** Datagrams of the failing window shown in the report. */
const SHOWN = 5;

/** What the fuzzer's output says: its result, or how far it got before it died. */
interface Heard extends FuzzStarted {
  result?: GuestFuzzResult;
  sent: number;
}

function listen(stdout: string): Heard {
  const heard: Heard = { sent: 0 };
  for (const line of stdout.split('\n')) {
    const e: FuzzEvent | undefined = fuzzEvents.parse(line);
    if (e?.type === 'sending') Object.assign(heard, { port: e.port, ...(e.family ? { family: e.family } : {}) });
    else if (e?.type === 'progress') heard.sent = e.sent;
    else if (e?.type === 'end') heard.result = e.result;
  }
  return heard;
}

/** The window's last datagrams, made again from the seed, with the mutations that made them. */
function shown(plan: GuestFuzzTarget, heard: Heard, window: { from: number; to: number }): string[] {
  return windowTail(plan, heard, window, SHOWN).map((d) => `#${d.index} [${d.how.join(', ')}] ${d.hex.slice(0, 120)}`);
}

/** How to send the first `count` datagrams again outside the grade, to the learner's own module. */
function sendAgain(t: CheckContext, plan: GuestFuzzTarget, count: number): string {
  const kernel = release().split('.').slice(0, 2).join('.');
  const starter = t.module.origin === 'student' ? ' --starter' : '';
  return `send them again: npm run fuzz -- ${t.lesson.id}${starter} --kernel ${kernel} --messages ${count} (seed 0x${plan.seed.toString(16)}); on a fault it names the one datagram`;
}

/** Kernel deaths of a task: the one that sent the datagram is gone, or stuck in its exit. */
const FATAL = new Set(['oops', 'bug', 'panic']);

/**
 * Resolves with the first Oops, BUG or panic in the kernel log while `fuzzer` runs (the
 * process may never report its end: a task that died in a generic netlink handler keeps
 * genl_mutex, and its exit can wait for that), or with nothing once it has ended.
 */
async function killedBy(t: CheckContext, fuzzer: RunningProgram): Promise<HealthEvent | undefined> {
  while (fuzzer.exitCode() === null) {
    const fatal = scanKernelLog((await t.kernelLog()).join('\n')).find((e) => FATAL.has(e.kind));
    if (fatal) {
      await fuzzer.waitFor(() => false, 1000); // its last progress line may still be on the way
      return fatal;
    }
    await fuzzer.waitFor(() => false, 500);
  }
  return undefined;
}

export async function fuzzCheck(t: CheckContext): Promise<void> {
  const { fuzz, netlink } = t.lesson;
  if (!fuzz) throw new Error(`lesson ${t.lesson.id} has a "fuzz" check but no "fuzz" seeds`);
  const plan: GuestFuzzTarget = { label: t.lesson.id, module: { name: t.module.name, path: t.module.path }, netlink, fuzz, messages: fuzz.messages ?? DEFAULT_MESSAGES, seed: DEFAULT_SEED, every: EVERY, keepLoaded: true };
  const file = join(tmpdir(), `nlab-fuzz-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify({ targets: [plan] }));
  const fuzzer = t.start([process.execPath, FUZZER, file]);
  const died = await Promise.race([fuzzer.done.then(() => undefined), killedBy(t, fuzzer)]);
  const heard = listen(fuzzer.stdout());
  const r = heard.result;
  if (!r) {
    const events = died ? [died] : scanKernelLog((await t.kernelLog()).join('\n'));
    const why = fuzzer.exitCode() ?? 'a signal';
    const what = events[0] ? `the kernel logged ${healthPhrase(gateHealthKind(events[0].kind))}` : `the fuzzer ended (exit ${why}) without a result`;
    const window = { from: heard.sent, to: Math.min(heard.sent + EVERY, plan.messages) };
    throw new CheckFailed(`${what} among fuzz datagrams #${window.from}–#${window.to - 1}, and the process sending them died`, {
      notes: [...shown(plan, heard, window), sendAgain(t, plan, window.to), ...(events[0] ? [] : [fuzzer.stderr().trim().split('\n').slice(-3).join(' | ')])],
    });
  }
  const counts = `${r.sent} fuzz datagrams (seed 0x${plan.seed.toString(16)}) in ${(r.ms / 1000).toFixed(1)} s: ${r.received} answers, ${r.sendErrors} refused by sendmsg, ${r.receiveErrors} receive errors`;
  const first = r.health[0];
  if (first) {
    const window = r.window ?? { from: 0, to: r.sent };
    throw new CheckFailed(`the kernel logged ${healthPhrase(first.kind)} among fuzz datagrams #${window.from}–#${window.to - 1}`, {
      notes: [counts, ...first.excerpt.split('\n').slice(0, 8), ...shown(plan, heard, window), sendAgain(t, plan, window.to)],
    });
  }
  if (r.gate.length) throw new CheckFailed(r.gate[0]!, { notes: [counts, ...r.gate.slice(1)] });
  t.note(counts);
}
