// The CheckContext implementation: what a check can do inside the guest.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { NETLINK, openSocket } from 'netlink-lab/client';
import { CheckFailed, type CheckContext, type ClientHandle, type ModuleHandle } from '../check-api.js';
import type { Job, GuestPlan } from '../plan.js';
import type { ClientRun, RawExchange } from '../check-types.js';
import { decodeForReport } from '../decode-report.js';
import { findFamily } from './genl-family.js';
import { readKmsg } from './kmsg.js';
import { captureModuleImage, type ModuleImage } from './module-image.js';
import { insmod, loadedModules, rmmod } from './modules.js';
import { readProcNetlink } from './proc-netlink.js';
import { spareFits, takeSpare } from './spares.js';

const OUTPUT_CAP = 256 * 1024;

function readTrace(file: string): ClientRun['trace'] {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const options = [...new Set(lines.filter((l) => l.startsWith('option ')).map((l) => l.split(' ')[3]!))];
  return { opened: lines.filter((l) => l.startsWith('open ')).length, closed: lines.filter((l) => l.startsWith('close ')).length, options };
}

/** The unit a lesson talks on: its own, or NETLINK_GENERIC for a family (whose id goes in nlmsg_type). */
export function lessonUnit(lesson: GuestPlan['lesson']): number {
  return 'unit' in lesson.netlink ? lesson.netlink.unit : NETLINK.GENERIC;
}

/** `images` collects the modules the check unloads, for the health gate's leak scan. */
export function makeContext(plan: GuestPlan, job: Job, mark: number, notes: string[], scratch: string, images: ModuleImage[] = []): CheckContext {
  const module = plan.modules[job.pairing.kernel];
  const client = plan.clients[job.pairing.client];
  const { netlink } = plan.lesson;
  const unit = lessonUnit(plan.lesson);
  const kernelLog = async () => readKmsg(mark).map((r) => r.text);

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
    runClient(c: ClientHandle | undefined = client, opts = {}) {
      if (!c) throw new Error(`lesson ${plan.lesson.id} has no client`);
      const traceFile = join(scratch, `trace-${job.index}-${Date.now()}`);
      rmSync(traceFile, { force: true });
      const timeoutMs = opts.timeoutMs ?? 5000;
      const started = performance.now();
      return new Promise<ClientRun>((resolve) => {
        const [cmd, ...argv] = [...(opts.wrap ?? []), process.execPath, c.path, ...(opts.args ?? [])];
        const env = { ...opts.env, LAB_NETLINK_TRACE: traceFile };
        const p =
          (spareFits(opts.wrap, opts.env) ? takeSpare(c.path, opts.args ?? [], env) : undefined) ??
          spawn(cmd!, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
        let stdout = '';
        let stderr = '';
        let truncated = false;
        const take = (into: 'out' | 'err') => {
          // One decoder per stream: a character split between two chunks stays whole.
          const decoder = new StringDecoder('utf8');
          return (chunk: Buffer) => {
            const cur = into === 'out' ? stdout : stderr;
            if (cur.length >= OUTPUT_CAP) return void (truncated = true);
            const text = decoder.write(chunk);
            const add = text.slice(0, OUTPUT_CAP - cur.length);
            if (add.length < text.length) truncated = true;
            if (into === 'out') stdout += add;
            else stderr += add;
          };
        };
        p.stdout.on('data', take('out'));
        p.stderr.on('data', take('err'));
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          p.kill('SIGKILL');
        }, timeoutMs);
        p.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, timedOut, stdout, stderr, truncated, durationMs: performance.now() - started, trace: readTrace(traceFile) });
        });
      });
    },
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
    async exchange(datagram, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? 1000;
      let sock: ReturnType<typeof openSocket>;
      try {
        sock = openSocket(unit, {
          port: opts.bindPort ?? 0,
          extendedAck: opts.extendedAck ?? false,
          capAck: opts.capAck ?? false,
          strictCheck: false,
        });
      } catch (e) {
        // EPROTONOSUPPORT: no kernel socket on the unit (the module is not loaded, or uses another unit).
        return { port: 0, sendError: (e as NodeJS.ErrnoException).code ?? String(e), received: [] };
      }
      const result: RawExchange = { port: sock.port, received: [] };
      try {
        try {
          sock.sendBytes(datagram, { port: 0 });
        } catch (e) {
          result.sendError = (e as NodeJS.ErrnoException).code ?? String(e);
          return result;
        }
        const deadline = Date.now() + timeoutMs;
        const count = opts.count ?? 1;
        while (Date.now() < deadline && result.received.length < count) {
          try {
            const d = await sock.receive({ timeout: Math.max(1, deadline - Date.now()) });
            result.received.push({ from: d.port, truncated: d.truncated, bytes: d.data, ...decodeForReport(d.data) });
          } catch {
            break;
          }
        }
        return result;
      } finally {
        sock.close();
      }
    },
  };
}
