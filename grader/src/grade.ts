// Grades one lesson: build on the host, run the checks in a guest, gate on kernel health,
// and turn it all into a report. Knows nothing about any particular lesson.

import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModule, checkModuleStyle, moduleSourceHash, type Diagnostic, formatDiagnostic, hasSystemTool, type Kernel, LAB_STATE, LabError, styleRuns, type VmRun } from '../../kernel/src/index.js';
import type { ClientHandle, ModuleHandle, Origin } from './check-api.js';
import { compileTs } from './compile-ts.js';
import { type CheckVerdict, gateHealthKind, type JobResult } from './guest/protocol.js';
import { GuestSession, type Session } from './vm-session.js';
import { openSharedSession, sharedGuestKey } from './shared-guest/attach.js';
import { causeTracker, distinctHealth, healthPhrase } from './health-causes.js';
import { sideDir } from './lesson/inherit.js';
import type { Lesson, Target } from './lesson/load.js';
import { type LessonCheck, runsOnHost } from './lesson/schema.js';
import { planJobs, sideAtFault, type GuestPlan, type Job, type Pairing, type Unchanged } from './plan.js';
import type { CheckReport, GradeReport, HealthReport, RunReport } from './report/types.js';
import { viewerLinks } from './report/viewer-link.js';
import { buildVerdict, type BuiltinVerdict, gateVerdict, generatedVerdict } from './gates.js';

export interface GradeOptions {
  lesson: Lesson;
  target: Target;
  kernel: Kernel;
  /** Run only this check (by id). */
  only?: string;
  /** Progress for front ends. */
  onProgress?: (p: Progress) => void;
  /** Guest output lines that are not runner events (a check's own logging). */
  onGuestLine?: (line: string) => void;
  /**
   * Keep the guest between grades (--watch). The grader replaces `session` whenever a guest
   * is not safe to reuse: after any health event, panic or hang.
   */
  warm?: { session?: Session };
  /**
   * Use the shared warm guest that outlives this grade (shared-guest/): reuse it when it was
   * booted for the same kernel and module sources, else boot one that the next grade can reuse.
   * Needs `warm`, whose session the caller releases when done.
   */
  sharedGuest?: boolean;
  /** Run the checks on this machine's own kernel instead of a guest (see requireHostBackend). */
  host?: { consent: boolean };
  /** Run checkpatch and sparse on the module for the report's unscored style section (default true). */
  style?: boolean;
  /** Capture each check's netlink traffic in the guest into a pcap file per run (--pcap). */
  pcap?: boolean;
}

export type Progress =
  | { phase: 'build'; what: string; cached: boolean; ms: number }
  | { phase: 'boot'; attempt: number; shared?: boolean }
  | { phase: 'check-start'; job: Job }
  | { phase: 'check-end'; job: Job; result: JobResult }
  /** Something went wrong that costs time but no verdict (a guest that had to be killed to stop). */
  | { phase: 'warning'; message: string };

/** Guest reboots allowed after panics or hangs before the remaining checks are given up. */
const MAX_BOOTS = 4;

interface Built {
  modules?: Record<Origin, ModuleHandle>;
  clients: Partial<Record<Origin, ClientHandle>>;
  checksJs?: string;
  builtin: Map<string, BuiltinVerdict>;
  /** Why guest checks cannot run with a side, when its build failed. */
  unbuildable: Partial<Record<'kernel' | 'client', string>>;
  /** The lesson itself is broken (reference or checks failed to build). */
  lessonError?: string;
  /** The student's sides that are the reference's own sources: the cross-matrix skips their repeats. */
  unchanged: Unchanged;
  ms: number;
}

function summarize(diags: readonly Diagnostic[], max = 5): string[] {
  return diags.slice(0, max).map(formatDiagnostic).concat(diags.length > max ? [`… and ${diags.length - max} more`] : []);
}

/** The student's and the reference client, and the checks, compiled with the TypeScript API. */
function compileClientsAndChecks(o: GradeOptions, built: Built): void {
  const { lesson, target } = o;
  if (lesson.client) {
    for (const origin of ['student', 'reference'] as const) {
      const dir = sideDir(lesson, origin === 'student' ? target : 'solution', 'client');
      const entry = join(dir, lesson.client);
      const r = compileTs([entry], dir);
      o.onProgress?.({ phase: 'build', what: `${origin === 'student' ? target : 'reference'} client`, cached: r.cached, ms: r.durationMs });
      if (origin === 'student') {
        built.builtin.set('client-builds', r.ok ? { status: 'pass' } : { status: 'fail', message: 'the client does not type-check', notes: summarize(r.diagnostics, 8) });
      } else if (!r.ok) {
        built.lessonError ??= `the lesson's reference client does not compile:\n${summarize(r.diagnostics).join('\n')}`;
      }
      // Type errors still emit JavaScript, so the client can run and show what else works.
      built.clients[origin] = { origin, path: r.outputs[entry]! };
    }
  }

  const checksTs = join(lesson.dir, 'checks.ts');
  const c = compileTs([checksTs], lesson.dir);
  o.onProgress?.({ phase: 'build', what: 'checks', cached: c.cached, ms: c.durationMs });
  if (!c.ok) built.lessonError ??= `the lesson's checks.ts does not compile:\n${summarize(c.diagnostics).join('\n')}`;
  built.checksJs = c.outputs[checksTs];
}

async function buildLesson(o: GradeOptions): Promise<Built> {
  const { lesson, target, kernel } = o;
  const started = performance.now();
  const built: Built = { clients: {}, builtin: new Map(), unbuildable: {}, unchanged: {}, ms: 0 };

  // Both makes run while the TypeScript compiles below (which block this thread) proceed.
  const makes = Promise.all([
    buildModule(sideDir(lesson, target, 'kernel'), kernel),
    buildModule(sideDir(lesson, 'solution', 'kernel'), kernel, { renameTo: `${lesson.module}_ref` }),
  ]);
  makes.catch(() => {}); // awaited below; a LabError (no headers) must not go unhandled meanwhile
  compileClientsAndChecks(o, built);
  const [student, reference] = await makes;
  o.onProgress?.({ phase: 'build', what: `${target} module`, cached: student.cached, ms: student.durationMs });
  o.onProgress?.({ phase: 'build', what: 'reference module', cached: reference.cached, ms: reference.durationMs });
  built.builtin.set('kernel-builds', buildVerdict(student));
  const studentKo = student.modules[lesson.module];
  const referenceKo = reference.modules[`${lesson.module}_ref`];
  if (!reference.ok || !referenceKo) built.lessonError = `the lesson's solution module does not build:\n${summarize(reference.diagnostics).join('\n') || reference.log.slice(-2000)}`;
  if (!student.ok) built.unbuildable.kernel = 'the module did not build';
  else if (!studentKo) built.unbuildable.kernel = `the build made no ${lesson.module}.ko (check obj-m in Kbuild)`;
  if (studentKo && referenceKo) {
    built.modules = {
      student: { origin: 'student', name: lesson.module, path: studentKo },
      reference: { origin: 'reference', name: `${lesson.module}_ref`, path: referenceKo },
    };
  }

  if (target !== 'solution') built.unchanged = unchangedSides(o, built);
  built.ms = performance.now() - started;
  return built;
}

/**
 * The student's sides whose sources are the reference's: the same module sources (built under
 * another name), or a client compiled into the very folder the reference's went to (compiles
 * are stored by the sources' content).
 */
function unchangedSides(o: GradeOptions, built: Built): Unchanged {
  const { lesson, target } = o;
  const kernel = moduleSourceHash(sideDir(lesson, target, 'kernel')) === moduleSourceHash(sideDir(lesson, 'solution', 'kernel'));
  const { student, reference } = built.clients;
  const client = student !== undefined && student.path === reference?.path;
  return { ...(kernel ? { kernel } : {}), ...(client ? { client } : {}) };
}

/** What a check's notes say when an unchanged side spared it pairings. */
function unchangedNote(unchanged: Unchanged): string | undefined {
  if (unchanged.client && unchanged.kernel) return 'your module and client are the reference\'s, unchanged: this check ran once';
  if (unchanged.client) return "your client is the reference's, unchanged: this check ran once, your module with the reference client";
  if (unchanged.kernel) return "your module is the reference's, unchanged: this check ran once, your client with the reference module";
  return undefined;
}

/** Why a job cannot run, if one of the sides it needs did not build. */
function blocked(job: Job, built: Built): string | undefined {
  if (job.pairing.kernel === 'student' && built.unbuildable.kernel) return built.unbuildable.kernel;
  if (job.pairing.client === 'student' && built.unbuildable.client) return built.unbuildable.client;
  return undefined;
}

/**
 * The result of the job that was running when its guest died. The console says why:
 * a panic, or an Oops/BUG/lockup that left the guest unable to answer (a hang). Events
 * that a job before it in the same guest already reported are not repeated.
 */
function deathResult(vm: VmRun, earlier: Iterable<JobResult>, checked?: CheckVerdict): JobResult {
  const before = [...earlier].flatMap((r) => r.health.map((h) => h.excerpt.split('\n')[0] ?? ''));
  const logged = distinctHealth(vm.health.map((e) => ({ kind: gateHealthKind(e.kind), excerpt: e.excerpt }))).filter((h) => !before.some((line) => line && h.excerpt.startsWith(line)));
  const health = vm.outcome === 'panic' || logged.some((h) => h.kind !== 'warning') ? logged : [...logged, { kind: 'hang' as const, excerpt: vm.detail ?? vm.console.split('\n').slice(-20).join('\n') }];
  const first = logged.find((h) => h.kind !== 'warning');
  const message =
    vm.outcome === 'panic'
      ? 'the kernel panicked during this check'
      : first
        ? `the kernel logged ${healthPhrase(first.kind)} during this check and the guest stopped answering`
        : vm.outcome === 'timeout'
          ? 'the check hung: the guest stopped answering and was killed'
          : `the guest died during this check (${vm.outcome})`;
  // The check itself had ended (the guest died in the health gate after it): what it found stays.
  const own = checked && checked.status !== 'pass' && checked.message ? [`the check had found: ${checked.message}`] : [];
  return { status: 'fail', message, notes: [...own, ...(checked?.notes ?? [])], health, gate: [], durationMs: 0, ...(checked?.evidence ? { evidence: checked.evidence } : {}) };
}

/**
 * Reports each crash once, at the first check it hit: a later run that met the same one
 * says so and points there, and the grade's health list names it once.
 */
function reportCausesOnce(reports: CheckReport[]): HealthReport[] {
  const causes = causeTracker();
  const health: HealthReport[] = [];
  for (const c of reports) {
    for (const run of c.runs) {
      run.health = run.health.map((h) => {
        const before = causes.note(c.id, h);
        if (!before) {
          health.push({ kind: h.kind, check: c.id, excerpt: h.excerpt });
          return h;
        }
        const same = `the same ${healthPhrase(h.kind).replace(/^an? /, '')} as in \`${before.check}\`; fix that first`;
        if (run.status === 'fail') run.message = `${run.message ?? 'the check failed'}: ${same}`;
        return { kind: h.kind, excerpt: `${same} (its trace is reported there)` };
      });
    }
    const first = c.runs.find((r) => r.status !== 'pass');
    if (first?.message) c.message = first.message;
  }
  return health;
}

const STATUS_ORDER = ['error', 'fail', 'skip', 'pass'] as const;

/** Runs in the cross-matrix's order, whichever guest each ran in. */
const PAIRING_ORDER = ['student/reference', 'reference/student', 'student/student'];
const pairingRank = (r: RunReport) => PAIRING_ORDER.indexOf(`${r.pairing.kernel}/${r.pairing.client}`);

function aggregate(check: LessonCheck, lesson: Lesson, unordered: RunReport[], spared?: string): CheckReport {
  const runs = [...unordered].sort((a, b) => pairingRank(a) - pairingRank(b));
  const failed = runs.filter((r) => r.status !== 'pass');
  const first = failed[0];
  // The worst run decides: a grader error, then a failure, then a skip.
  const status = runs.length === 0 ? 'skip' : STATUS_ORDER.find((st) => runs.some((r) => r.status === st))!;
  const viewer = viewerLinks(first?.evidence?.messages, lesson.id);
  // One run of a "both" check that an unchanged side spared still names the side at fault.
  const fault = (runs.length > 1 || spared) && status === 'fail' ? sideAtFault(failed.filter((r) => r.status === 'fail').map((r) => r.pairing)) : undefined;
  return {
    id: check.id,
    title: check.title,
    side: check.side,
    points: check.points,
    status,
    ...(first?.message ? { message: first.message } : {}),
    ...(first?.evidence ? { evidence: first.evidence } : {}),
    ...(fault ? { fault } : {}),
    hint: check.hint,
    hintLink: `docs/lessons/${lesson.id}.md#check-${check.id}`,
    ...(viewer.length ? { viewer } : {}),
    notes: [...(spared ? [spared] : []), ...runs.flatMap((r) => r.notes)],
    durationMs: runs.reduce((s, r) => s + r.durationMs, 0),
    runs,
  };
}

/** A run that never reached the guest: skipped, or an error, with why. */
function noRun(pairing: Pairing, status: 'skip' | 'error' | 'pass' | 'fail', message?: string, evidence?: RunReport['evidence']): RunReport {
  return { pairing, status, ...(message ? { message } : {}), ...(evidence ? { evidence } : {}), notes: [], health: [], gate: [], durationMs: 0 };
}

type Warm = NonNullable<GradeOptions['warm']>;

interface GuestRuns {
  accel: 'kvm' | 'tcg';
  guestMs: number;
  boots: number;
  consoles: string[];
  /** The shared guest had served a grade before: this grade paid for no boot. */
  reused: boolean;
}

/** A new guest for this grade: the shared one (see GradeOptions.sharedGuest) or one of its own. */
function newSession(o: GradeOptions): Session {
  if (!o.sharedGuest || o.host) return new GuestSession(o.kernel, o.host);
  const sources = [sideDir(o.lesson, o.target, 'kernel'), sideDir(o.lesson, 'solution', 'kernel')];
  return openSharedSession(o.kernel, sharedGuestKey(o.kernel, sources));
}

/** A live guest for `o.kernel` in `warm`, booting one when there is none (or it is for another kernel). */
function sessionFor(o: GradeOptions, warm: Warm, out: GuestRuns): Session {
  const current = warm.session;
  if (current?.alive && current.kernel.release === o.kernel.release) return current;
  current?.kill().catch(() => {}); // an old guest that is dead already, or never started
  out.boots++;
  o.onProgress?.({ phase: 'boot', attempt: out.boots, ...(o.sharedGuest ? { shared: true } : {}) });
  warm.session = newSession(o);
  return warm.session;
}

/**
 * Runs `jobs` in guests until each has a result: a panic, a hang or a failed boot costs
 * that guest, and the jobs after it go on in a fresh one (up to MAX_BOOTS). With `keep`
 * a healthy guest stays in `warm` for the next grade; otherwise it is stopped.
 */
/** Where a grade's captures go: one folder per lesson, target and kernel, emptied by each --pcap grade. */
function captureDir(o: GradeOptions): string {
  return join(LAB_STATE, 'captures', `${o.lesson.id}-${o.target}-${o.kernel.release}`);
}

/** Copies a run's pcap out of the guest's run folder before the folder goes; names it after the check and pairing. */
function saveCapture(o: GradeOptions, shareDir: string, job: Job, r: JobResult): void {
  if (!r.capture?.file) return;
  const from = join(shareDir, r.capture.file);
  const to = join(captureDir(o), `${String(job.index + 1).padStart(2, '0')}-${job.check}-${job.pairing.kernel}-module-${job.pairing.client}-client.pcap`);
  if (!existsSync(from)) {
    r.capture = { ...r.capture, file: '', problem: r.capture.problem ?? 'the guest wrote no capture for this run' };
    return;
  }
  mkdirSync(captureDir(o), { recursive: true });
  copyFileSync(from, to);
  r.capture.file = to;
}

async function runInGuests(o: GradeOptions, warm: Warm, keep: boolean, out: GuestRuns, plan: GuestPlan, jobs: Job[], record: (job: Job, r: RunReport) => void): Promise<void> {
  const events = {
    onJobStart: (job: Job) => o.onProgress?.({ phase: 'check-start', job }),
    onJobEnd: (job: Job, result: JobResult) => o.onProgress?.({ phase: 'check-end', job, result }),
    ...(o.onGuestLine ? { onGuestLine: o.onGuestLine } : {}),
  };
  let todo = jobs;
  /** The checks during which the student's module killed a guest. */
  const studentKills: string[] = [];
  while (todo.length && out.boots < MAX_BOOTS) {
    const session = sessionFor(o, warm, out);
    const r = await session.run(plan, todo, events);
    if (session.reused && !out.reused) {
      out.reused = true;
      out.boots--; // it was booted by an earlier grade
    }
    let vm = r.ended;
    const sick = [...r.results.values()].some((x) => x.health.length || x.gate.length) || r.running !== undefined || r.fatal;
    if (!vm && (!keep || sick)) {
      // A guest that saw a health event is never reused; a fresh grade stops its guest.
      vm = sick ? await session.kill() : await session.stop();
      warm.session = undefined;
      if (!sick && vm.outcome !== 'exit') o.onProgress?.({ phase: 'warning', message: `the guest did not power off by itself after the last check (${vm.outcome}${vm.detail ? `: ${vm.detail.split('\n')[0]}` : ''}); it was killed` });
    }
    out.guestMs += vm?.timings.total ?? r.ms;
    if (vm) {
      out.accel = vm.accel;
      out.consoles.push(`===== guest ${out.boots}: ${vm.kernelRelease} (${vm.outcome}) =====\n${vm.console}`);
    } else {
      out.consoles.push(`===== warm guest: its console is saved when it stops, in ${session.shareDir}/console.log =====`);
    }
    for (const job of todo) {
      const res = r.results.get(job.index) ?? (job.index === r.running && vm ? deathResult(vm, r.results.values(), r.checked) : undefined);
      if (res) {
        saveCapture(o, session.shareDir, job, res);
        record(job, { pairing: job.pairing, ...res });
      }
    }
    const done = new Set([...r.results.keys(), ...(r.running !== undefined ? [r.running] : [])]);
    const rest = todo.filter((j) => !done.has(j.index));
    // A guest that ran nothing hung or failed while booting: try a fresh one.
    if (done.size === 0 && !r.fatal && out.boots < MAX_BOOTS) continue;
    if (rest.length && r.running === undefined) {
      // The guest stopped between checks without a kernel death: a runner or boot problem.
      const why = r.fatal ?? `the guest ended before the check ran (${vm?.outcome ?? 'unknown'}${vm?.detail ? `: ${vm.detail.split('\n')[0]}` : ''})`;
      for (const job of rest) record(job, noRun(job.pairing, 'error', why));
      return;
    }
    const died = todo.find((j) => j.index === r.running);
    if (died?.pairing.kernel === 'student') studentKills.push(died.check);
    todo = nextGuestJobs(rest, studentKills, record);
  }
  for (const job of todo) record(job, noRun(job.pairing, 'skip', `not run: the guest died ${MAX_BOOTS} times`));
}

/** After this many guests killed by the student's module, its remaining jobs are not run. */
const STUDENT_KILLS_ALLOWED = 2;

/**
 * The jobs for the next guest after one died. Once the student's module has killed a
 * guest, the jobs that load only the reference module go first, so the student's client
 * is graded even if their module crashes every time; after it has killed
 * STUDENT_KILLS_ALLOWED guests, its remaining jobs are skipped instead of costing more boots.
 */
function nextGuestJobs(rest: Job[], studentKills: readonly string[], record: (job: Job, r: RunReport) => void): Job[] {
  if (studentKills.length === 0) return rest;
  const reference = rest.filter((j) => j.pairing.kernel === 'reference');
  const student = rest.filter((j) => j.pairing.kernel === 'student');
  if (studentKills.length < STUDENT_KILLS_ALLOWED) return [...reference, ...student];
  const where = [...new Set(studentKills)].map((c) => `\`${c}\``).join(' and ');
  for (const job of student) record(job, noRun(job.pairing, 'skip', `not run: your module crashed the kernel ${studentKills.length} times (in ${where}); fix that first`));
  return reference;
}

/**
 * --pcap's preconditions, before anything boots: a guest (nlmon on the host would change this
 * machine's interfaces) and dumpcap, which the guest runs from the host's root. Empties the
 * lesson's capture folder, so it holds this grade's files only.
 */
function preparePcap(o: GradeOptions): void {
  if (o.host) throw new LabError('--pcap needs the lab VM: on the host backend it would add an nlmon device to this machine', 'leave out --backend host, or leave out --pcap');
  if (!hasSystemTool('dumpcap')) throw new LabError('--pcap needs dumpcap, which is not installed', 'run npm run setup (it installs Debian\'s tshark package, which has dumpcap)');
  rmSync(captureDir(o), { recursive: true, force: true });
}

/** A file of the graded copy by its path inside solution/ (`kernel/…` or `client/…`). */
function copyPath(lesson: Lesson, target: Target, rel: string): string {
  const [part, ...rest] = rel.split('/');
  return join(sideDir(lesson, target, part === 'client' ? 'client' : 'kernel'), ...rest);
}

/** Grades a lesson and returns the report; the full guest console is saved to `logFile`. */
export async function gradeLesson(o: GradeOptions): Promise<GradeReport> {
  const started = performance.now();
  const { lesson } = o;
  const checks = lesson.checks.filter((c) => !o.only || c.id === o.only);
  if (o.pcap) preparePcap(o);
  const warm: Warm = o.warm ?? {};
  const guests: GuestRuns = { accel: 'tcg', guestMs: 0, boots: 0, consoles: [], reused: false };
  // Boot while building: the guest needs nothing from the build until its first request.
  if (checks.some((c) => !runsOnHost(c))) sessionFor(o, warm, guests);
  let built: Built;
  try {
    built = await buildLesson(o);
  } catch (e) {
    if (!o.warm) await warm.session?.kill().catch(() => {});
    throw e;
  }
  // Advice only, on the host while the guest runs: it never touches a check or the score.
  // A lesson's styleExceptions (checkpatch types its code needs, with why) are left out.
  // The scored review gates (checkpatch, sparse, kernel-doc) share the tools' runs with it.
  const allowed = (lesson.styleExceptions ?? []).map((x) => x.type);
  const moduleDir = sideDir(lesson, o.target, 'kernel');
  const tools = styleRuns(moduleDir, o.kernel);
  const style = o.style === false ? undefined : checkModuleStyle(moduleDir, o.kernel, allowed, tools);
  const runs = new Map<string, RunReport[]>(checks.map((c) => [c.id, []]));
  const record = (job: Pick<Job, 'check'>, r: RunReport) => void runs.get(job.check)!.push(r);

  const builtins = checks
    .filter(runsOnHost)
    .map(async (c): Promise<[LessonCheck, BuiltinVerdict]> => [
      c,
      built.builtin.get(c.builtin!) ?? (c.builtin === 'generated' ? await generatedVerdict(lesson.generated ?? [], (rel) => copyPath(lesson, o.target, rel)) : await gateVerdict(c, moduleDir, tools, allowed)),
    ]);

  const todo: Job[] = [];
  for (const job of planJobs(checks, o.target === 'solution', Boolean(lesson.client), built.unchanged)) {
    const why = built.lessonError ?? blocked(job, built);
    if (why) record(job, noRun(job.pairing, built.lessonError ? 'error' : 'skip', why));
    else todo.push(job);
  }

  if (todo.length && built.modules && built.checksJs) {
    const plan: GuestPlan = { lesson: { id: lesson.id, module: lesson.module, netlink: lesson.netlink, ...(lesson.fuzz ? { fuzz: lesson.fuzz } : {}) }, checks: built.checksJs, modules: built.modules, clients: built.clients, jobs: [], ...(o.pcap ? { pcap: true } : {}) };
    await runInGuests(o, warm, Boolean(o.warm), guests, plan, todo, record);
  } else if (!o.warm && warm.session) {
    // Booted for nothing: the build left no check to run in it. It never served a check, so
    // it does not count as one of the grade's boots.
    await warm.session.kill().catch(() => {});
    warm.session = undefined;
    guests.boots--;
  }
  for (const [c, b] of await Promise.all(builtins)) {
    record({ check: c.id }, noRun({ kernel: 'student', client: 'student' }, b.status, b.message, b.notes?.length ? { notes: b.notes } : undefined));
  }
  const { accel, guestMs, boots, consoles, reused } = guests;
  const styleReport = await style;

  const spared = lesson.client ? unchangedNote(built.unchanged) : undefined;
  const reports = checks.map((c) => aggregate(c, lesson, runs.get(c.id)!, c.side === 'both' && !c.builtin ? spared : undefined));
  const health = reportCausesOnce(reports);
  const logDir = join(LAB_STATE, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${lesson.id}-${o.target}-${o.kernel.release}.log`);
  writeFileSync(logFile, consoles.join('\n') || '(no guest was booted)\n');
  const total = checks.reduce((s, c) => s + c.points, 0);
  const score = reports.filter((c) => c.status === 'pass').reduce((s, c) => s + c.points, 0);
  return {
    lesson: lesson.id,
    title: lesson.title,
    target: o.target,
    kernel: o.kernel.release,
    accel,
    checks: reports,
    health,
    score,
    total,
    timings: { buildMs: built.ms, guestMs, totalMs: performance.now() - started, boots, ...(reused ? { warmGuest: true } : {}) },
    logFile,
    ...(styleReport ? { style: styleReport } : {}),
    ...(o.pcap ? { captures: captureDir(o) } : {}),
  };
}
