// The last datagrams of a failing window, made again from the run's seed: what the host's
// report (./host.ts) and the grade's check (./check.ts) show of a fault. Pure.

import { seedMessage, type FuzzTarget } from './model.js';
import { replay } from './mutate.js';
import { prng } from './prng.js';
import type { GuestFuzzTarget } from './protocol.js';

/** What the guest said when it started sending: its socket's port, and the family as resolved. */
export interface FuzzStarted {
  port?: number;
  family?: { id: number; version: number };
}

export interface ShownDatagram {
  index: number;
  hex: string;
  how: string[];
}

/** The last `count` datagrams of `window` ([from, to)) of the run `t` describes. */
export function windowTail(t: GuestFuzzTarget, { port, family }: FuzzStarted, window: { from: number; to: number }, count: number): ShownDatagram[] {
  const where: FuzzTarget = 'unit' in t.netlink ? t.netlink : { family: t.netlink.family, id: family?.id ?? 0, version: family?.version ?? 1 };
  const seeds = t.fuzz.seeds.map((s) => seedMessage(s, where));
  const pin = t.fuzz.trusts?.includes('nlmsg_pid') && port !== undefined ? { pinPid: port } : {};
  const from = Math.max(window.from, window.to - count);
  return replay(prng(t.seed), seeds, from, window.to, pin).map((d, i) => ({ index: from + i, hex: d.bytes.toString('hex'), how: d.how }));
}
