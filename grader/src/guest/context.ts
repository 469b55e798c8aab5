// The CheckContext implementation: what a check can do inside the guest.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessages, NLM_F, openSocket } from 'netlink-lab/client';
import type { CheckContext, ClientHandle, ModuleHandle } from '../check-api.js';
import type { Job, GuestPlan } from '../plan.js';
import type { ClientRun, DecodedMessage, RawExchange } from './context-types.js';
import { readKmsg } from './kmsg.js';
import { insmod, loadedModules, rmmod } from './modules.js';
import { readProcNetlink } from './proc-netlink.js';

const OUTPUT_CAP = 256 * 1024;

/** Header flags as names, e.g. "REQUEST|ACK". */
export function flagNames(flags: number): string {
  // GET- and NEW-request modifiers reuse the same bits; a report shows the general ones.
  const names = (Object.entries(NLM_F) as [string, number][])
    .filter(([name, bit]) => (flags & bit) === bit && !/^(ROOT|MATCH|ATOMIC|REPLACE|EXCL|CREATE|APPEND|DUMP|CAPPED|ACK_TLVS|NONREC)$/.test(name))
    .map(([name]) => name);
  return names.length ? names.join('|') : flags === 0 ? '0' : `0x${flags.toString(16)}`;
}

function showPayload(p: Buffer): string {
  const printable = /^[\x20-\x7e]*\0?$/.test(p.toString('latin1'));
  return printable ? JSON.stringify(p.toString('latin1')) : `hex ${p.toString('hex')}`;
}

/** Decodes a datagram for a report; never throws. */
export function decodeForReport(bytes: Buffer): { messages: DecodedMessage[]; decodeError?: string } {
  try {
    const messages = decodeMessages(bytes).map((m) => ({
      len: m.payload.length + 16,
      type: m.type,
      flags: flagNames(m.flags),
      seq: m.seq,
      pid: m.pid,
      payload: showPayload(m.payload),
    }));
    return { messages };
  } catch (e) {
    return { messages: [], decodeError: (e as Error).message };
  }
}

function readTrace(file: string): ClientRun['trace'] {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  return { opened: lines.filter((l) => l.startsWith('open')).length, closed: lines.filter((l) => l.startsWith('close')).length };
}

export function makeContext(plan: GuestPlan, job: Job, mark: number, notes: string[], scratch: string): CheckContext {
  const module = plan.modules[job.pairing.kernel];
  const client = plan.clients[job.pairing.client];
  const unit = 'unit' in plan.lesson.netlink ? plan.lesson.netlink.unit : undefined;
  const kernelLog = async () => readKmsg(mark).map((r) => r.text);

  return {
    lesson: plan.lesson,
    module,
    client,
    reference: { module: plan.modules.reference, client: plan.clients.reference },
    note: (line) => void notes.push(line),
    insmod: (m: ModuleHandle = module, params: string[] = []) => insmod(m.path, params),
    rmmod: (name = module.name) => rmmod(name),
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
        const p = spawn(process.execPath, [c.path, ...(opts.args ?? [])], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ...opts.env, LAB_NETLINK_TRACE: traceFile },
        });
        let stdout = '';
        let stderr = '';
        let truncated = false;
        const take = (into: 'out' | 'err') => (chunk: Buffer) => {
          const cur = into === 'out' ? stdout : stderr;
          if (cur.length >= OUTPUT_CAP) return void (truncated = true);
          const add = chunk.toString('utf8', 0, Math.min(chunk.length, OUTPUT_CAP - cur.length));
          if (add.length < chunk.length) truncated = true;
          if (into === 'out') stdout += add;
          else stderr += add;
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
    async exchange(datagram, opts = {}) {
      if (unit === undefined) throw new Error('exchange() needs a lesson on a netlink unit');
      const timeoutMs = opts.timeoutMs ?? 1000;
      let sock: ReturnType<typeof openSocket>;
      try {
        sock = openSocket(unit, { port: opts.bindPort ?? 0, extendedAck: false, capAck: false, strictCheck: false });
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
