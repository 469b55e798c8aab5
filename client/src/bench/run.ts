/**
 * Benchmark: the TypeScript client against the C baseline (`client/bench/nlbench.c`)
 * on the same work, runs interleaved. Run with `npm run bench -- client [--json] [--runs N]`.
 * Bars (issue #18): round trips ≥ 0.7× C, dumps ≥ 0.8× C, batched TS requests
 * (`requestBatch`, 32 per `sendmsg`) ≥ 1.0× unbatched C.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NETLINK, RTM } from '../constants.js';
import { dump } from '../dump.js';
import { request, requestBatch } from '../request.js';
import { encodeIfInfoMsg, encodeLinkPayload } from '../rtnetlink.js';
import { openSocket, type NetlinkSocket } from '../socket.js';

/** One measurement: units of work per second of wall time, and per second of CPU time (user + system, all threads). */
interface Sample {
  rate: number;
  cpuRate: number;
}

/** Times `work` (which returns the units it did) in wall and CPU time. */
async function measure(work: () => Promise<number>): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const units = await work();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { rate: units / wall, cpuRate: units / ((c.user + c.system) / 1e6) };
}

/** Summary over several runs. */
export interface Stat {
  median: number;
  min: number;
  max: number;
}

const ROUNDTRIPS = 20_000;
const DUMPS = 5_000;
const BATCH = 32;

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'client', 'binding.gyp'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root');
    dir = up;
  }
  return dir;
}

function runC(bin: string, mode: 'roundtrip' | 'dump', count: number): Sample {
  const out = JSON.parse(execFileSync(bin, [mode, String(count)], { encoding: 'utf8' })) as { messages: number; seconds: number; cpuSeconds: number; count: number };
  const units = mode === 'dump' ? out.messages : out.count;
  return { rate: units / out.seconds, cpuRate: units / out.cpuSeconds };
}

function roundtripsTs(sock: NetlinkSocket, count: number): Promise<Sample> {
  const payload = encodeLinkPayload({}, { IFNAME: 'lo' });
  return measure(async () => {
    for (let i = 0; i < count; i++) await request(sock, { type: RTM.GETLINK, payload });
    return count;
  });
}

function batchedTs(sock: NetlinkSocket, count: number): Promise<Sample> {
  const payload = encodeLinkPayload({}, { IFNAME: 'lo' });
  const batch = Array.from({ length: BATCH }, () => ({ type: RTM.GETLINK, payload }));
  return measure(async () => {
    let answers = 0;
    for (let i = 0; i < count; i += BATCH) for (const replies of await requestBatch(sock, batch)) answers += replies.length;
    if (answers !== Math.ceil(count / BATCH) * BATCH) throw new Error(`${answers} answers to ${count} batched requests`);
    return answers;
  });
}

function dumpsTs(sock: NetlinkSocket, count: number): Promise<Sample> {
  const payload = encodeIfInfoMsg();
  return measure(async () => {
    let msgs = 0;
    for (let i = 0; i < count; i++) for await (const _ of dump(sock, { type: RTM.GETLINK, payload })) msgs++;
    return msgs;
  });
}

function stat(samples: Sample[], key: keyof Sample = 'rate'): Stat {
  const r = samples.map((s) => s[key]).sort((a, b) => a - b);
  return { median: r[Math.floor(r.length / 2)]!, min: r[0]!, max: r[r.length - 1]! };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const runsArg = args.indexOf('--runs');
  const runs = Math.max(5, runsArg >= 0 ? Number(args[runsArg + 1]) : 5);
  const bin = join(findRoot(), 'client', 'build', 'nlbench');
  if (!existsSync(bin)) throw new Error(`${bin} missing: run \`make -C client/bench\``);

  const sock = openSocket(NETLINK.ROUTE);
  // Warm up the JIT and the kernel paths.
  await roundtripsTs(sock, 2000);
  await dumpsTs(sock, 500);
  await batchedTs(sock, 2000);
  const load = [loadavg()[0]!];
  const samples = { cRoundtrip: [] as Sample[], tsRoundtrip: [] as Sample[], tsBatched: [] as Sample[], cDump: [] as Sample[], tsDump: [] as Sample[] };
  // Interleave C and TS so background load hits both alike.
  for (let i = 0; i < runs; i++) {
    samples.cRoundtrip.push(runC(bin, 'roundtrip', ROUNDTRIPS));
    samples.tsRoundtrip.push(await roundtripsTs(sock, ROUNDTRIPS));
    samples.tsBatched.push(await batchedTs(sock, ROUNDTRIPS));
    samples.cDump.push(runC(bin, 'dump', DUMPS));
    samples.tsDump.push(await dumpsTs(sock, DUMPS));
  }
  sock.close();
  load.push(loadavg()[0]!);

  // The bar is on wall time, as the issue sets it; the CPU-time ratio is printed beside it.
  const row = (unit: string, c: Sample[], ts: Sample[], bar: number) => {
    const r = { c: stat(c), ts: stat(ts), bar };
    const cpuRatio = stat(ts, 'cpuRate').median / stat(c, 'cpuRate').median;
    return { unit, ...r, ratio: r.ts.median / r.c.median, cpuRatio, pass: r.ts.median / r.c.median >= bar };
  };
  const result = {
    runs,
    loadavg: load.map((l) => Number(l.toFixed(2))),
    roundtrip: row('requests/s', samples.cRoundtrip, samples.tsRoundtrip, 0.7),
    batched: row('requests/s', samples.cRoundtrip, samples.tsBatched, 1.0),
    dump: row('messages/s', samples.cDump, samples.tsDump, 0.8),
  };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const f = (s: Stat): string => `${Math.round(s.median).toLocaleString('en')} (${Math.round(s.min).toLocaleString('en')}–${Math.round(s.max).toLocaleString('en')})`;
    console.log(`netlink client benchmark, median of ${runs} runs (min–max), load ${result.loadavg.join(' → ')} (1 min)`);
    const rows = [
      ['request+ACK round trips', result.roundtrip],
      [`batched: TS requestBatch (${BATCH} per sendmsg) vs unbatched C`, result.batched],
      ['link dump', result.dump],
    ] as const;
    for (const [name, r] of rows) {
      console.log(`${name} [${r.unit}]`);
      console.log(`  C:  ${f(r.c)}`);
      console.log(`  TS: ${f(r.ts)}`);
      console.log(`  ratio TS/C: ${r.ratio.toFixed(2)} (bar ≥ ${r.bar}) ${r.pass ? 'PASS' : 'FAIL'}; per CPU second: ${r.cpuRatio.toFixed(2)}`);
    }
  }
  if (!result.roundtrip.pass || !result.batched.pass || !result.dump.pass) process.exitCode = 1;
}

await main();
