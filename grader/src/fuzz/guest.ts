// The fuzzer's process inside the guest: for each target, insmod, send the mutated
// datagrams from one socket while draining its answers, check the kernel log every
// `every` datagrams, ask a family one valid request (it must still answer), then (unless
// the plan keeps it loaded) rmmod, scan for leaks and check the unit or family is gone. Stops after the first target with a health event (the
// kernel may be damaged). `npm run fuzz` and the grade's `fuzz` check (./check.ts) run it.
// Usage: node guest.js PLAN

import { readFileSync } from 'node:fs';
import { NETLINK, type NetlinkSocket, openSocket } from 'netlink-lab/client';
import { scanKernelLog } from '../../../kernel/src/in-guest.js';
import { findFamily } from '../guest/genl-family.js';
import { insmod, loadedModules, rmmod } from '../guest/modules.js';
import { captureModuleImage, type ModuleImage } from '../guest/module-image.js';
import { findLeaks, leakExcerpt, validateCaches } from '../guest/slab-debug.js';
import { readProcNetlink, unitTaken } from '../guest/proc-netlink.js';
import { gateHealthKind } from '../guest/protocol.js';
import { FUZZ_FLAGS } from '../lesson/schema.js';
import { KmsgTail } from './kmsg-tail.js';
import { encodeDatagram } from './encode.js';
import { type FuzzMessage, seedMessage, type FuzzTarget } from './model.js';
import { nextDatagram } from './mutate.js';
import { prng } from './prng.js';
import { fuzzEvents, type FuzzEvent, type GuestFuzzPlan, type GuestFuzzResult, type GuestFuzzTarget } from './protocol.js';

function emit(e: FuzzEvent): void {
  process.stdout.write(fuzzEvents.line(e));
}

/** Health events in these kernel log lines. */
function health(log: string[]): GuestFuzzResult['health'] {
  return scanKernelLog(log.join('\n')).map((e) => ({ kind: gateHealthKind(e.kind), excerpt: e.excerpt }));
}

async function fuzzOne(index: number, t: GuestFuzzTarget): Promise<GuestFuzzResult> {
  emit({ type: 'start', target: index });
  const kmsg = new KmsgTail();
  // Each look scans the new lines plus a few before them (a trace continues across looks).
  let tail: string[] = [];
  const look = (): GuestFuzzResult['health'] => {
    const lines = [...tail, ...kmsg.read()];
    tail = lines.slice(-40);
    return health(lines);
  };
  try {
    return await fuzzWith(index, t, look);
  } finally {
    kmsg.close();
  }
}

/**
 * Whether a family still answers `seed` as sent (a request with NLM_F_ACK gets at least its
 * ACK): a module whose error path kept a lock would not. What the storm left queued goes first.
 */
async function stillAnswers(sock: NetlinkSocket, seed: FuzzMessage): Promise<boolean> {
  for (let tries = 0; tries < 3; tries++) {
    try {
      while (sock.receiveSync(0)) {
        /* drop it */
      }
      break;
    } catch {
      // ENOBUFS once after an overflow; read on
    }
  }
  sock.sendBytes(encodeDatagram([{ ...seed, flags: seed.flags | FUZZ_FLAGS.ACK }]), { port: 0 });
  try {
    await sock.receive({ timeout: 3000 });
    return true;
  } catch {
    return false;
  }
}

async function fuzzWith(index: number, t: GuestFuzzTarget, look: () => GuestFuzzResult['health']): Promise<GuestFuzzResult> {
  const r: GuestFuzzResult = { sent: 0, received: 0, sendErrors: 0, receiveErrors: 0, ms: 0, health: [], gate: [] };
  const ins = await insmod(t.module.path);
  if (ins.code !== 0) {
    return { ...r, health: look(), gate: [`insmod ${t.module.name} failed: ${ins.stderr || `exit ${ins.code}`}`] };
  }
  let target: FuzzTarget;
  if ('family' in t.netlink) {
    const fam = await findFamily(t.netlink.family);
    if (!fam) {
      return { ...r, gate: [`the family ${t.netlink.family} is not registered after insmod`] };
    }
    target = { family: t.netlink.family, id: fam.id, version: fam.version };
  } else {
    target = { unit: t.netlink.unit };
  }
  const seeds = t.fuzz.seeds.map((s) => seedMessage(s, target));
  const rnd = prng(t.seed);
  const sock = openSocket('unit' in target ? target.unit : NETLINK.GENERIC);
  const gen = t.fuzz.trusts?.includes('nlmsg_pid') ? { pinPid: sock.port } : {};
  emit({ type: 'sending', target: index, port: sock.port, ...('id' in target ? { family: { id: target.id, version: target.version } } : {}) });
  const started = performance.now();
  try {
    for (let i = 0; i < t.messages; i++) {
      const d = nextDatagram(rnd, seeds, i * 4, gen);
      if (i < (t.from ?? 0)) continue;
      try {
        sock.sendBytes(d.bytes, { port: 0 });
      } catch {
        r.sendErrors++;
      }
      try {
        for (let got = sock.receiveSync(0); got; got = sock.receiveSync(0)) r.received++;
      } catch {
        r.receiveErrors++;
      }
      r.sent = i + 1;
      if (r.sent % t.every === 0 || r.sent === t.messages) {
        emit({ type: 'progress', target: index, sent: r.sent });
        r.health = look();
        if (r.health.length) {
          r.window = { from: Math.floor(i / t.every) * t.every, to: r.sent };
          break;
        }
      }
    }
    r.ms = Math.round(performance.now() - started);
    if (!r.health.length && 'id' in target && !(await stillAnswers(sock, seeds[0]!))) {
      r.gate.push('after the fuzz datagrams the family no longer answers a valid request (the first seed, unchanged) within 3 s');
    }
  } finally {
    sock.close();
    r.ms ||= Math.round(performance.now() - started);
  }
  if (r.health.length || t.keepLoaded) return r;
  // As the grader's health gate does: the kmalloc caches validated while the module is loaded,
  // and nothing it allocated left after rmmod.
  validateCaches();
  const images: ModuleImage[] = [];
  if (loadedModules().includes(t.module.name)) {
    const image = captureModuleImage(t.module.name, t.module.path);
    const rm = await rmmod(t.module.name);
    if (rm.code !== 0) r.gate.push(`rmmod ${t.module.name} failed: ${rm.stderr || `exit ${rm.code}`}`);
    else if (image) images.push(image);
  }
  const leaks = await findLeaks(images, new Map());
  if ('unit' in t.netlink && unitTaken(readProcNetlink(), t.netlink.unit)) r.gate.push(`netlink unit ${t.netlink.unit} still taken after rmmod`);
  if ('family' in t.netlink && (await findFamily(t.netlink.family))) r.gate.push(`family ${t.netlink.family} still registered after rmmod`);
  r.health = [...look(), ...leaks.map((l) => ({ kind: 'leak' as const, excerpt: leakExcerpt(l) }))];
  if (r.health.length && !r.window) r.window = { from: 0, to: r.sent };
  return r;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: guest.js PLAN');
  const plan = JSON.parse(readFileSync(file, 'utf8')) as GuestFuzzPlan;
  for (const [i, t] of plan.targets.entries()) {
    const result = await fuzzOne(i, t);
    emit({ type: 'end', target: i, result });
    if (result.health.length || result.gate.length) return;
  }
}

await main();
