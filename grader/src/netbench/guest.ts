// The guest netlink benchmark: the TypeScript client library and the C client doing the
// same request/answer work against lesson modules in one guest, runs interleaved so load
// hits both alike. Usage (in the guest): node guest.js PLAN

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import {
  NETLINK, NLM_F, dump, encodeAttributeSet, encodeGenlHeader, genlDump, genlRequest, openSocket, request, requestBatch,
  resolveFamily, type MessageInit, type NetlinkSocket,
} from 'netlink-lab/client';
import { insmod, rmmod } from '../guest/modules.js';
import { attributes as kv, CMD } from '../fixtures/nlab-kv.js';
import { netbenchResults, type ModuleRef, type NetbenchPlan, type NetbenchResult, type NetbenchSeries } from './protocol.js';

const NLAB_MSG_ECHO = 0x11;
const KEY = 'bench';

async function load(m: ModuleRef): Promise<void> {
  const r = await insmod(m.path);
  if (r.code !== 0) throw new Error(`insmod ${m.path}: ${r.stderr}`);
}

async function unload(m: ModuleRef): Promise<void> {
  const r = await rmmod(m.name);
  if (r.code !== 0) throw new Error(`rmmod ${m.name}: ${r.stderr}`);
}

/** Runs the C client; it must have seen one answer per request (dumps check their own count). */
function runC(plan: NetbenchPlan, args: (string | number)[]): { count: number; messages: number; seconds: number } {
  const r = JSON.parse(execFileSync(plan.c, args.map(String), { encoding: 'utf8' })) as { mode: string; count: number; messages: number; seconds: number };
  if (r.mode !== 'dump' && r.messages !== r.count) throw new Error(`C ${args.join(' ')}: ${r.messages} answers to ${r.count} requests`);
  return r;
}

/** `count` requests one at a time with request(): each waits for its answer and ACK. */
async function singleTs(sock: NetlinkSocket, msg: Omit<MessageInit, 'seq' | 'pid'>, count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const replies = await request(sock, msg);
    if (replies.length !== 1) throw new Error(`expected one answer, got ${replies.length}`);
  }
  return count / ((performance.now() - t0) / 1000);
}

/** `batch` requests per sendmsg with the library's requestBatch(), each answered and ACKed. */
async function batchedTs(sock: NetlinkSocket, msg: Omit<MessageInit, 'seq' | 'pid'>, count: number, batch: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i += batch) {
    const k = Math.min(batch, count - i);
    const answers = await requestBatch(sock, Array.from({ length: k }, () => msg));
    const n = answers.reduce((sum, a) => sum + a.length, 0);
    if (n !== k) throw new Error(`expected ${k} answers, got ${n}`);
  }
  return count / ((performance.now() - t0) / 1000);
}

async function roundTrips(plan: NetbenchPlan, sock: NetlinkSocket, msg: Omit<MessageInit, 'seq' | 'pid'>, cArgs: (string | number)[], family: (string | number)[]) {
  const single: NetbenchSeries = { c: [], ts: [] };
  const batched: NetbenchSeries = { c: [], ts: [] };
  await singleTs(sock, msg, 1000); // warm up the JIT and the kernel paths
  await batchedTs(sock, msg, 1000, plan.batch);
  for (let r = 0; r < plan.runs; r++) {
    const c1 = runC(plan, [...cArgs, plan.roundTrips, 1, ...family]);
    single.c.push(c1.count / c1.seconds);
    single.ts.push(await singleTs(sock, msg, plan.roundTrips));
    const cb = runC(plan, [...cArgs, plan.roundTrips, plan.batch, ...family]);
    batched.c.push(cb.count / cb.seconds);
    batched.ts.push(await batchedTs(sock, msg, plan.roundTrips, plan.batch));
  }
  return { single, batched };
}

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as NetbenchPlan;

  // The `netlink-raw` module: raw netlink unit 31, NLAB_MSG_ECHO.
  await load(plan.modules.raw);
  let sock = openSocket(31);
  const raw = await roundTrips(plan, sock, { type: NLAB_MSG_ECHO, payload: Buffer.from(`${KEY}\0`) }, ['raw'], []);
  sock.close();
  await unload(plan.modules.raw);

  // The `netlink-genl` module: generic netlink family nlab_kv, NLAB_CMD_GET of one key.
  await load(plan.modules.genl);
  sock = openSocket(NETLINK.GENERIC);
  let family = await resolveFamily(sock, 'nlab_kv');
  await genlRequest(sock, { family, cmd: CMD.SET, set: kv, attributes: { KEY, VALUE: Buffer.from('value') } });
  const getPayload = [encodeGenlHeader(CMD.GET, family.version || 1), encodeAttributeSet(kv, { KEY })];
  const genl = await roundTrips(plan, sock, { type: family.id, payload: Buffer.concat(getPayload) }, ['genl'], [family.id]);
  sock.close();
  await unload(plan.modules.genl);

  // The `netlink-dump` module: LIST dumps of `keys` entries.
  await load(plan.modules.dump);
  sock = openSocket(NETLINK.GENERIC);
  family = await resolveFamily(sock, 'nlab_kv');
  for (let i = 0; i < plan.keys; i++) {
    await genlRequest(sock, { family, cmd: CMD.SET, set: kv, attributes: { KEY: `key-${String(i).padStart(5, '0')}`, VALUE: Buffer.alloc(16, i & 0xff) } });
  }
  const listMsg = { type: family.id, flags: NLM_F.DUMP, payload: encodeGenlHeader(CMD.LIST, family.version || 1) };
  const dumpTs = async (decoded: boolean): Promise<number> => {
    let n = 0;
    const t0 = performance.now();
    for (let d = 0; d < plan.dumps; d++) {
      if (decoded) for await (const m of genlDump(sock, { family, cmd: CMD.LIST, set: kv })) n += m.attributes.KEY ? 1 : 0;
      else for await (const _ of dump(sock, listMsg)) n++;
    }
    if (n !== plan.dumps * plan.keys) throw new Error(`dumped ${n} entries, expected ${plan.dumps * plan.keys}`);
    return n / ((performance.now() - t0) / 1000);
  };
  await dumpTs(false);
  await dumpTs(true);
  const dumps: NetbenchResult['dump'] = { c: [], ts: [], tsDecoded: [], entriesPerDump: plan.keys };
  for (let r = 0; r < plan.runs; r++) {
    const c = runC(plan, ['dump', plan.dumps, family.id]);
    if (c.messages !== plan.dumps * plan.keys) throw new Error(`C dumped ${c.messages} entries`);
    dumps.c.push(c.messages / c.seconds);
    dumps.ts.push(await dumpTs(false));
    dumps.tsDecoded.push(await dumpTs(true));
  }
  sock.close();
  await unload(plan.modules.dump);

  const result: Omit<NetbenchResult, 'lessons'> = { raw, genl, dump: dumps, kernel: release() };
  process.stdout.write(netbenchResults.line(result));
}

await main();
