// The load test in the guest. As coordinator (`node guest.js PLAN`): insmod, subscribe to
// the family's group, fork the clients, start them together, count notifications, then
// rmmod and read the kernel log. As a client (`node guest.js PLAN client I`): see client.ts.

import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { isSystemError, subscribe, type NetlinkSocket } from 'netlink-lab/client';
import { scanKernelLog } from '../../../kernel/src/in-guest.js';
import { KmsgTail } from '../fuzz/kmsg-tail.js';
import { findFamily } from '../guest/genl-family.js';
import { insmod, rmmod } from '../guest/modules.js';
import { gateHealthKind } from '../guest/protocol.js';
import { runClient } from './client.js';
import { loadResults, type ClientStats, type LoadPlan, type LoadResult } from './protocol.js';

type FromClient = { type: 'ready' } | { type: 'done'; stats: ClientStats } | { type: 'failed'; error: string };
type ToClient = { type: 'go'; at: number };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function asClient(plan: LoadPlan, index: number): Promise<void> {
  const send = (m: FromClient): void => void process.send!(m);
  try {
    const stats = await runClient(plan, index, () => {
      send({ type: 'ready' });
      return new Promise<number>((resolve) => process.once('message', (m: ToClient) => resolve(m.at)));
    });
    send({ type: 'done', stats });
  } catch (e) {
    send({ type: 'failed', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
  process.disconnect();
}

/** Counts notifications until closed; ENOBUFS (the group outran us) is counted, not fatal. */
function watch(sock: NetlinkSocket): LoadResult['watcher'] {
  const w = { events: 0, enobufs: 0 };
  sock.on('message', () => void w.events++);
  sock.on('error', (e) => {
    if (isSystemError(e) && e.code === 'ENOBUFS') w.enobufs++;
    else throw e;
  });
  return w;
}

/** Forks the clients, waits until each has resolved the family, starts them at once, collects their stats. */
async function runClients(plan: LoadPlan): Promise<{ stats: ClientStats[]; ms: number; failures: string[] }> {
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<ClientStats | string>[] = [];
  for (let i = 0; i < plan.clients; i++) {
    const child = fork(process.argv[1]!, [process.argv[2]!, 'client', String(i)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    ready.push(new Promise((resolve) => child.on('message', (m: FromClient) => m.type === 'ready' && resolve())));
    done.push(
      new Promise((resolve) => {
        child.on('message', (m: FromClient) => {
          if (m.type === 'done') resolve(m.stats);
          else if (m.type === 'failed') resolve(`client ${i}: ${m.error}`);
        });
        child.on('exit', (code, signal) => resolve(`client ${i} exited (${signal ?? code}) without a result`));
      }),
    );
  }
  await Promise.race([Promise.all(ready), Promise.all(done)]);
  const at = Date.now();
  const t0 = performance.now();
  for (const c of children) c.send({ type: 'go', at } satisfies ToClient);
  const results = await Promise.all(done);
  return {
    stats: results.filter((r): r is ClientStats => typeof r !== 'string'),
    ms: performance.now() - t0,
    failures: results.filter((r): r is string => typeof r === 'string'),
  };
}

async function coordinate(plan: LoadPlan): Promise<LoadResult> {
  const kmsg = new KmsgTail();
  const result: LoadResult = { kernel: release(), cpus: cpus().length, clients: [], watcher: { events: 0, enobufs: 0 }, ms: 0, health: [], gate: [] };
  const log: string[] = [];
  try {
    const ins = await insmod(plan.module.path);
    if (ins.code !== 0) {
      result.gate.push(`insmod ${plan.module.name} failed: ${ins.stderr}`);
      return result;
    }
    const { socket } = await subscribe(plan.family, [plan.group], { receiveBufferSize: 4 << 20 });
    result.watcher = watch(socket);
    const run = await runClients(plan);
    result.clients = run.stats;
    result.ms = run.ms;
    result.gate.push(...run.failures);
    // Let the last notifications arrive: stop once none came for half a second.
    for (let last = -1; last !== result.watcher.events; ) {
      last = result.watcher.events;
      await sleep(500);
    }
    socket.close();
    const rm = await rmmod(plan.module.name);
    if (rm.code !== 0) result.gate.push(`rmmod ${plan.module.name} failed: ${rm.stderr}`);
    else if (await findFamily(plan.family)) result.gate.push(`the family ${plan.family} is still registered after rmmod`);
    return result;
  } finally {
    log.push(...kmsg.read());
    kmsg.close();
    result.health = scanKernelLog(log.join('\n')).map((e) => ({ kind: gateHealthKind(e.kind), excerpt: e.excerpt }));
  }
}

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadPlan;
if (process.argv[3] === 'client') await asClient(plan, Number(process.argv[4]));
else process.stdout.write(loadResults.line(await coordinate(plan)));
