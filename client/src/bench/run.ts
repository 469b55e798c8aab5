/**
 * Benchmark: the TypeScript client against the C baseline (`client/bench/nlbench.c`)
 * on the same work. Run with `npm run bench:client [-- --json] [--runs N]`.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NETLINK, RTM } from '../constants.js';
import { dump } from '../dump.js';
import { request } from '../request.js';
import { encodeIfInfoMsg, encodeLinkPayload } from '../rtnetlink.js';
import { openSocket, type NetlinkSocket } from '../socket.js';

/** One measurement: how many units of work per second. */
interface Sample {
  rate: number;
}

/** Summary over several runs. */
export interface Stat {
  median: number;
  min: number;
  max: number;
}

const ROUNDTRIPS = 20_000;
const DUMPS = 5_000;

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
  const out = JSON.parse(execFileSync(bin, [mode, String(count)], { encoding: 'utf8' })) as { messages: number; seconds: number; count: number };
  return { rate: (mode === 'dump' ? out.messages : out.count) / out.seconds };
}

async function roundtripsTs(sock: NetlinkSocket, count: number): Promise<Sample> {
  const payload = encodeLinkPayload({}, { IFNAME: 'lo' });
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await request(sock, { type: RTM.GETLINK, payload });
  return { rate: count / ((performance.now() - t0) / 1000) };
}

async function dumpsTs(sock: NetlinkSocket, count: number): Promise<Sample> {
  const payload = encodeIfInfoMsg();
  let msgs = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) for await (const _ of dump(sock, { type: RTM.GETLINK, payload })) msgs++;
  return { rate: msgs / ((performance.now() - t0) / 1000) };
}

function stat(samples: Sample[]): Stat {
  const r = samples.map((s) => s.rate).sort((a, b) => a - b);
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
  const samples = { cRoundtrip: [] as Sample[], tsRoundtrip: [] as Sample[], cDump: [] as Sample[], tsDump: [] as Sample[] };
  // Interleave C and TS so background load hits both alike.
  for (let i = 0; i < runs; i++) {
    samples.cRoundtrip.push(runC(bin, 'roundtrip', ROUNDTRIPS));
    samples.tsRoundtrip.push(await roundtripsTs(sock, ROUNDTRIPS));
    samples.cDump.push(runC(bin, 'dump', DUMPS));
    samples.tsDump.push(await dumpsTs(sock, DUMPS));
  }
  sock.close();

  const rt = { c: stat(samples.cRoundtrip), ts: stat(samples.tsRoundtrip), bar: 0.5 };
  const dp = { c: stat(samples.cDump), ts: stat(samples.tsDump), bar: 0.8 };
  const result = {
    runs,
    roundtrip: { unit: 'requests/s', ...rt, ratio: rt.ts.median / rt.c.median, pass: rt.ts.median / rt.c.median >= rt.bar },
    dump: { unit: 'messages/s', ...dp, ratio: dp.ts.median / dp.c.median, pass: dp.ts.median / dp.c.median >= dp.bar },
  };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const f = (s: Stat): string => `${Math.round(s.median).toLocaleString('en')} (${Math.round(s.min).toLocaleString('en')}–${Math.round(s.max).toLocaleString('en')})`;
    console.log(`netlink client benchmark, median of ${runs} runs (min–max)`);
    for (const [name, r] of [['request+ACK round trips', result.roundtrip], ['link dump', result.dump]] as const) {
      console.log(`${name} [${r.unit}]`);
      console.log(`  C:  ${f(r.c)}`);
      console.log(`  TS: ${f(r.ts)}`);
      console.log(`  ratio TS/C: ${r.ratio.toFixed(2)} (bar ≥ ${r.bar}) ${r.pass ? 'PASS' : 'FAIL'}`);
    }
  }
  if (!result.roundtrip.pass || !result.dump.pass) process.exitCode = 1;
}

await main();
