// The CheckContext implementation: what a check can do inside the guest.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NETLINK } from 'netlink-lab/client';
import { CheckFailed, type CheckContext, type ClientHandle, type ModuleHandle, type RunOptions } from '../check-api.js';
import type { Job, GuestPlan } from '../plan.js';
import { checkSocket } from './check-socket.js';
import { findFamily } from './genl-family.js';
import { readKmsg } from './kmsg.js';
import { captureModuleImage, type ModuleImage } from './module-image.js';
import { insmod, loadedModules, rmmod } from './modules.js';
import { capture, type Captured, RUN_OUTPUT_CAP, running, spawnCaptured, STARTED_OUTPUT_CAP } from './processes.js';
import { readProcNetlink } from './proc-netlink.js';
import { liveObjectsOf } from './slab-debug.js';
import { spareFits, takeSpare, type SpareKind } from './spares.js';

/**
 * Starts `argv` (under `opts.wrap`): from a waiting spare of `kind` when `argv` is a plain
 * `INTERPRETER FILE ARGS` the spare can become (node for clients; python3 for the kernel's YNL
 * tools, which take seconds to start under TCG), otherwise spawned.
 */
function launch(argv: readonly string[], kind: SpareKind | undefined, opts: RunOptions, timeoutMs: number | undefined, trace: string | undefined, cap: number): Captured {
  const [, file, ...args] = argv;
  const env = trace ? { ...opts.env, LAB_NETLINK_TRACE: trace } : (opts.env ?? {});
  const fits = kind !== undefined && file !== undefined && !file.startsWith('-') && spareFits(opts.wrap, opts.env, kind);
  const spare = fits ? takeSpare(file, args, env, kind) : undefined;
  return spare ? capture(spare, timeoutMs, trace, cap) : spawnCaptured([...(opts.wrap ?? []), ...argv], env, timeoutMs, trace, cap);
}

/** A program a check names: python3 scripts may take a spare. */
const programKind = (argv: readonly string[]): SpareKind | undefined => (argv[0] === 'python3' ? 'python' : undefined);

/** The unit a lesson talks on: its own, or NETLINK_GENERIC for a family (whose id goes in nlmsg_type). */
export function lessonUnit(lesson: GuestPlan['lesson']): number {
  return 'unit' in lesson.netlink ? lesson.netlink.unit : NETLINK.GENERIC;
}

/**
 * `images` collects the modules the check unloads, for the health gate's leak scan;
 * `cleanups` the closes and kills the runner calls when the check ends (sockets, programs).
 */
export function makeContext(
  plan: GuestPlan,
  job: Job,
  mark: number,
  notes: string[],
  images: ModuleImage[] = [],
  cleanups: (() => Promise<void> | void)[] = [],
): CheckContext {
  const module = plan.modules[job.pairing.kernel];
  const client = plan.clients[job.pairing.client];
  const { netlink } = plan.lesson;
  const unit = lessonUnit(plan.lesson);
  const kernelLog = async () => readKmsg(mark).map((r) => r.text);
  let traces = 0;
  // In the guest's tmpfs (TMPDIR), not the 9p share: a client appends a line per socket event.
  const traceFile = (): string => join(tmpdir(), `nlab-trace-${process.pid}-${job.index}-${Date.now()}-${traces++}`);
  const clientOf = (c: ClientHandle | undefined): ClientHandle => {
    if (!c) throw new Error(`lesson ${plan.lesson.id} has no client`);
    return c;
  };

  return {
    lesson: plan.lesson,
    module,
    client,
    reference: { module: plan.modules.reference, client: plan.clients.reference },
    note: (line) => void notes.push(line),
    insmod: (m: ModuleHandle = module, params: string[] = []) => insmod(m.path, params),
    async rmmod(name = module.name) {
      const ko = [plan.modules.student, plan.modules.reference].find((m) => m.name === name);
      const image = ko ? captureModuleImage(name, ko.path) : undefined;
      const r = await rmmod(name);
      if (r.code === 0 && image) images.push(image);
      return r;
    },
    loadedModules: async () => loadedModules(),
    kernelLog,
    async waitForLog(re, timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = (await kernelLog()).find((l) => re.test(l));
        if (hit !== undefined || Date.now() > deadline) return hit;
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    netlinkSockets: async () => readProcNetlink(),
    liveObjects: (name = module.name) => liveObjectsOf(name),
    runClient(c: ClientHandle | undefined = client, opts = {}) {
      const argv = [process.execPath, clientOf(c).path, ...(opts.args ?? [])];
      return launch(argv, 'node', opts, opts.timeoutMs ?? 5000, traceFile(), RUN_OUTPUT_CAP).done;
    },
    startClient(args, opts = {}) {
      const { path } = clientOf(opts.client ?? client);
      const trace = traceFile();
      const argv = [...(opts.wrap ?? []), process.execPath, path, ...args];
      const p = spawnCaptured(argv, { ...opts.env, LAB_NETLINK_TRACE: trace }, opts.timeoutMs, trace, opts.maxOutput ?? STARTED_OUTPUT_CAP);
      return running(p, argv, [...(opts.wrap ?? []), 'node main.js', ...args].join(' '), cleanups);
    },
    start(argv, opts = {}) {
      const all = [...(opts.wrap ?? []), ...argv];
      return running(launch(argv, programKind(argv), opts, opts.timeoutMs, undefined, opts.maxOutput ?? STARTED_OUTPUT_CAP), all, all.join(' '), cleanups);
    },
    run: (argv, opts = {}) => launch(argv, programKind(argv), opts, opts.timeoutMs ?? 5000, undefined, opts.maxOutput ?? RUN_OUTPUT_CAP).done,
    async family() {
      if (!('family' in netlink)) throw new Error(`lesson ${plan.lesson.id} is on a netlink unit, not a generic netlink family`);
      const found = await findFamily(netlink.family);
      if (found) return found;
      throw new CheckFailed(`the generic netlink family "${netlink.family}" is not registered`, {
        expected: `nlctrl lists "${netlink.family}" after insmod`,
        actual: 'CTRL_CMD_GETFAMILY answered ENOENT',
        notes: (await kernelLog()).filter((l) => l.startsWith(`${module.name}: `)),
      });
    },
    socket: (opts = {}) => checkSocket(unit, opts, cleanups),
    async exchange(datagram, opts = {}) {
      let sock: ReturnType<typeof checkSocket>;
      try {
        sock = checkSocket(unit, { port: opts.bindPort ?? 0, extendedAck: opts.extendedAck ?? false, capAck: opts.capAck ?? false, strictCheck: false }, cleanups);
      } catch (e) {
        // EPROTONOSUPPORT: no kernel socket on the unit (the module is not loaded, or uses another unit).
        return { port: 0, sendError: (e as NodeJS.ErrnoException).code ?? String(e), received: [] };
      }
      try {
        return await sock.exchange(datagram, { timeoutMs: opts.timeoutMs ?? 1000, count: opts.count ?? 1 });
      } finally {
        sock.close();
      }
    },
  };
}
