// The grader's process inside the guest. It serves grading requests that the host drops
// into the run folder (req-1.json, req-2.json, …), runs each request's jobs in order, gates
// every job on kernel health, and reports on stdout as `@@lab {json}` lines. A file named
// `stop` ends it. A fresh grade is one request then stop; --watch keeps the guest warm.
// Usage (in the guest): node runner.js RUN_FOLDER

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scanKernelLog } from '../../../kernel/src/in-guest.js';
import { CheckFailed, commonChecks, isCheckFailed, type CheckFn, type CheckSet } from '../check-api.js';
import { fuzzCheck } from '../fuzz/check.js';
import { distinctHealth, healthPhrase } from '../health-causes.js';
import type { GuestBuiltin } from '../lesson/schema.js';
import type { GuestPlan, Job } from '../plan.js';
import { decodeForReport } from '../decode-report.js';
import { netlinkDatagram, type PcapRecord } from '../pcap.js';
import { startCapture, type Capture } from './capture.js';
import { lessonUnit, makeContext } from './context.js';
import { kmsgMark, readKmsg } from './kmsg.js';
import { dropSpares, keepSpares, sparesTaken, type SpareKind } from './spares.js';
import { loadedModules, rmmod } from './modules.js';
import { captureModuleImage, type ModuleImage } from './module-image.js';
import { findLeaks, leakExcerpt, validateCaches } from './slab-debug.js';
import { findFamily } from './genl-family.js';
import { readProcNetlink, unitTaken } from './proc-netlink.js';
import { gateHealthKind, guestEvents, type CapturedDatagram, type GuestEvent, type JobCapture, type JobResult } from './protocol.js';

const POLL_MS = 25;
/** The engine's functions for the checks lesson.json names as guest builtins. */
const GUEST_BUILTIN_CHECKS: Record<GuestBuiltin, CheckFn> = { fuzz: fuzzCheck };
const SPARE_KINDS: SpareKind[] = ['node', 'python'];

function emit(event: GuestEvent): void {
  process.stdout.write(guestEvents.line(event));
}

/** Leak counts already reported in this guest, so a leak fails only the job that made it. */
const reportedLeaks = new Map<string, number>();

/**
 * After every job: the kmalloc caches validated while the modules are still loaded (so
 * SLUB's report names their functions), every lesson module unloadable, nothing they
 * allocated still live, a clean kernel log (read last, so what rmmod and the checks set
 * off counts), the unit or family free again. `images` holds the modules the check
 * unloaded itself.
 */
async function healthGate(plan: GuestPlan, mark: number, images: ModuleImage[]): Promise<Pick<JobResult, 'health' | 'gate'>> {
  const gate: string[] = [];
  const modules = [plan.modules.student, plan.modules.reference];
  const loaded = new Set(loadedModules());
  validateCaches();
  for (const m of modules) {
    if (!loaded.has(m.name)) continue;
    const image = captureModuleImage(m.name, m.path);
    const r = await rmmod(m.name);
    if (r.code !== 0) gate.push(`rmmod ${m.name} failed: ${r.stderr || `exit ${r.code}`}`);
    else if (image) images.push(image);
  }
  const leaks = await findLeaks(images, reportedLeaks);
  const log = readKmsg(mark).map((r) => r.text).join('\n');
  const health = distinctHealth([
    ...scanKernelLog(log).map((e) => ({ kind: gateHealthKind(e.kind), excerpt: e.excerpt })),
    ...leaks.map((l) => ({ kind: 'leak' as const, excerpt: leakExcerpt(l) })),
  ]);
  const { netlink } = plan.lesson;
  if ('unit' in netlink && unitTaken(readProcNetlink(), netlink.unit)) {
    gate.push(`netlink unit ${netlink.unit} still has a kernel socket after the module was unloaded (was netlink_kernel_release() called?)`);
  }
  if ('family' in netlink && (await findFamily(netlink.family))) {
    gate.push(`generic netlink family ${netlink.family} is still registered after the module was unloaded (was genl_unregister_family() called?)`);
  }
  return { health, gate };
}

/** Datagrams a failing check's report shows from its capture. */
const SHOWN_DATAGRAMS = 50;

/** The capture's datagrams on the lesson's unit, decoded for the report. */
function shownDatagrams(plan: GuestPlan, records: PcapRecord[]): CapturedDatagram[] {
  const unit = lessonUnit(plan.lesson);
  return records
    .map(netlinkDatagram)
    .filter((d) => d?.unit === unit)
    .slice(0, SHOWN_DATAGRAMS)
    .map((d) => ({ to: d!.to, unit: d!.unit, ...decodeForReport(d!.bytes) }));
}

/** The units whose traffic nlmon sees: ROUTE, USERSOCK, SOCK_DIAG, NFLOG, XFRM, FIB_LOOKUP, NETFILTER, GENERIC. */
const TAPPED_UNITS = new Set([0, 2, 4, 5, 6, 10, 12, 16]);

/** The guest's one capture, started at the first --pcap request; or why it could not start. */
let capture: Promise<Capture> | undefined;

/** Marks where a job's traffic starts; the returned function cuts it out once the job is done. */
async function captureJob(plan: GuestPlan, job: Job, request: number, scratch: string): Promise<((passed: boolean) => Promise<JobCapture>) | undefined> {
  if (!plan.pcap) return undefined;
  const file = `pcap/${request}-${job.index}.pcap`;
  const unit = lessonUnit(plan.lesson);
  if (!TAPPED_UNITS.has(unit)) {
    const problem = `nlmon cannot see netlink unit ${unit}: the kernel taps only the units that netlink_filter_tap() (net/netlink/af_netlink.c) lists, ${[...TAPPED_UNITS].join(', ')}`;
    return async () => ({ file: '', datagrams: 0, problem });
  }
  try {
    const c = await (capture ??= startCapture());
    const from = await c.mark();
    return async (passed) => {
      try {
        const { pcap, records } = c.cut(from, await c.mark());
        mkdirSync(join(scratch, 'pcap'), { recursive: true });
        writeFileSync(join(scratch, file), pcap);
        return { file, datagrams: records.length, ...(passed ? {} : { shown: shownDatagrams(plan, records) }) };
      } catch (e) {
        return { file, datagrams: 0, problem: (e as Error).message };
      }
    };
  } catch (e) {
    const problem = (e as Error).message;
    return async () => ({ file, datagrams: 0, problem });
  }
}

async function runJob(plan: GuestPlan, checks: CheckSet, job: Job, scratch: string, request: number): Promise<JobResult> {
  // A guest builtin runs the engine's function; a common check (grader/src/lesson/common-checks.ts)
  // the shared one unless the lesson defines its own.
  const fn = job.builtin ? GUEST_BUILTIN_CHECKS[job.builtin] : (checks[job.check] ?? (commonChecks as CheckSet)[job.check]);
  const captured = await captureJob(plan, job, request, scratch);
  const mark = kmsgMark();
  const notes: string[] = [];
  const images: ModuleImage[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const started = performance.now();
  let result: Pick<JobResult, 'status' | 'message' | 'evidence'>;
  if (!fn) {
    result = { status: 'error', message: `checks.ts has no function for check "${job.check}"` };
  } else {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CheckFailed(`the check did not finish within ${job.timeoutMs} ms`)), job.timeoutMs);
    });
    try {
      await Promise.race([fn(makeContext(plan, job, mark, notes, images, cleanups)), timeout]);
      result = { status: 'pass' };
    } catch (e) {
      result =
        isCheckFailed(e)
          ? { status: 'fail', message: e.message, evidence: e.evidence }
          : { status: 'error', message: `the check itself threw: ${(e as Error)?.stack ?? String(e)}` };
    } finally {
      clearTimeout(timer);
      // Sockets and programs the check left open go before the health gate unloads the modules.
      for (const c of cleanups.splice(0)) await Promise.resolve().then(c).catch(() => {});
    }
  }
  const durationMs = performance.now() - started;
  // A task that died in the module may keep a lock the gate's rmmod then waits for forever.
  emit({ type: 'checked', job: job.index, verdict: { ...result, notes } });
  // Cut before the health gate, whose own lookups are not the check's traffic.
  const jobCapture = await captured?.(result.status === 'pass');
  const { health, gate } = await healthGate(plan, mark, images);
  if (result.status === 'pass' && (health.length > 0 || gate.length > 0)) {
    const first = health[0];
    const message = !first ? gate[0]! : first.kind === 'leak' ? first.excerpt.split('\n')[0]! : `the kernel logged ${healthPhrase(first.kind)}`;
    result = { status: 'fail', message };
  }
  return { ...result, notes, health, gate, durationMs, ...(jobCapture ? { capture: jobCapture } : {}) };
}

async function serveRequest(file: string, request: number, dir: string): Promise<void> {
  const plan = JSON.parse(readFileSync(file, 'utf8')) as GuestPlan;
  const checks = (await import(pathToFileURL(plan.checks).href)).default as CheckSet;
  const spares = process.env.NETLINK_LAB_SPARE_CLIENTS !== '0';
  if (spares && Object.keys(plan.clients).length > 0) keepSpares(1, 'node');
  for (const kind of SPARE_KINDS) sparesTaken(kind);
  for (const job of plan.jobs) {
    emit({ type: 'start', job: job.index });
    emit({ type: 'end', job: job.index, result: await runJob(plan, checks, job, dir, request) });
  }
  emit({ type: 'done', request });
  // The next request (a re-grade, most likely) runs about as many programs as this one did.
  if (spares) for (const kind of SPARE_KINDS) keepSpares(sparesTaken(kind), kind);
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: runner.js RUN_FOLDER');
  emit({ type: 'ready' });
  for (let request = 1; ; request++) {
    const file = join(dir, `req-${request}.json`);
    while (!existsSync(file)) {
      if (existsSync(join(dir, 'stop'))) return dropSpares();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    await serveRequest(file, request, dir);
  }
}

main().catch((e: unknown) => {
  dropSpares();
  emit({ type: 'fatal', message: (e as Error)?.stack ?? String(e) });
  process.exitCode = 1;
});
