// One load-test client (a child process of the coordinator): opens its own generic
// netlink socket and runs a seeded mix of SET, GET, DEL and LIST on keys no other client
// touches, so it can check every answer against what it stored itself.

import { genlDump, genlRequest, isSystemError, NETLINK, NetlinkError, NetlinkTimeoutError, openSocket, resolveFamily, type GenlFamily, type NetlinkSocket } from 'netlink-lab/client';
import { bytes, int, prng, type Rng } from '../fuzz/prng.js';
import { attributes as kvAttributes, CMD } from '../fixtures/nlab-kv.js';
import type { ClientStats, LoadPlan } from './protocol.js';

type Op = 'set' | 'get' | 'del' | 'list';

function pickOp(rnd: Rng): Op {
  const r = rnd();
  return r < 0.4 ? 'set' : r < 0.8 ? 'get' : r < 0.95 ? 'del' : 'list';
}

const errnoOf = (e: unknown): string | undefined => (e instanceof NetlinkError ? e.code : undefined);

interface Worker {
  sock: NetlinkSocket;
  family: GenlFamily;
  plan: LoadPlan;
  prefix: string;
  /** What this client stored; keys whose fate is unknown (a lost answer) are left out of checks. */
  model: Map<string, Buffer>;
  unknown: Set<string>;
  stats: ClientStats;
}

/** One operation and the check of its answer; throws NetlinkTimeoutError or ENOBUFS to the caller. */
async function runOp(w: Worker, op: Op, key: string, value: Buffer, retried: boolean): Promise<void> {
  const { sock, family, model, stats } = w;
  const timeout = w.plan.timeoutMs;
  const wrong = (what: string): void => void (w.unknown.has(key) || stats.wrong.length >= 20 || stats.wrong.push(`${op} ${key}: ${what}`));
  if (op === 'set') {
    await genlRequest(sock, { family, cmd: CMD.SET, set: kvAttributes, attributes: { KEY: key, VALUE: value } }, { timeout });
    model.set(key, value);
    w.unknown.delete(key);
    stats.mutations++;
  } else if (op === 'get') {
    try {
      const [reply] = await genlRequest(sock, { family, cmd: CMD.GET, set: kvAttributes, attributes: { KEY: key } }, { timeout });
      const got = reply?.attributes.VALUE as Buffer | undefined;
      const want = model.get(key);
      if (!want) wrong(`got a value for a deleted key`);
      else if (!got || !got.equals(want)) wrong(`value ${got?.toString('hex')} instead of ${want.toString('hex')}`);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e;
      if (model.has(key)) wrong('ENOENT for a stored key');
    }
  } else if (op === 'del') {
    try {
      await genlRequest(sock, { family, cmd: CMD.DEL, set: kvAttributes, attributes: { KEY: key } }, { timeout });
      if (!model.has(key) && !retried) wrong('deleted a key that was not stored');
      stats.mutations++;
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw e;
      if (model.has(key) && !retried) wrong('ENOENT for a stored key');
    }
    model.delete(key);
    w.unknown.delete(key);
  } else {
    const seen: string[] = [];
    for await (const m of genlDump(sock, { family, cmd: CMD.LIST, set: kvAttributes, attributes: { PREFIX: w.prefix } }, { timeout })) seen.push(String(m.attributes.KEY));
    const want = [...model.keys()].filter((k) => !w.unknown.has(k));
    const missing = want.filter((k) => !seen.includes(k));
    if (missing.length) wrong(`LIST lacks ${missing.length} stored keys (${missing.slice(0, 3).join(', ')})`);
  }
}

export async function runClient(plan: LoadPlan, index: number, ready: () => Promise<number>): Promise<ClientStats> {
  const sock = openSocket(NETLINK.GENERIC);
  const stats: ClientStats = { ops: 0, answered: 0, lost: 0, enobufs: 0, wrong: [], mutations: 0, perSecond: [], ms: 0 };
  try {
    const family = await resolveFamily(sock, plan.family, { timeout: plan.timeoutMs });
    const w: Worker = { sock, family, plan, prefix: `c${index}-`, model: new Map(), unknown: new Set(), stats };
    const rnd = prng((plan.seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    const go = await ready();
    const t0 = performance.now();
    for (let i = 0; i < plan.ops; i++) {
      const op = pickOp(rnd);
      const key = `${w.prefix}${int(rnd, plan.keys)}`;
      const value = bytes(rnd, 1 + int(rnd, 64));
      for (let attempt = 0; ; attempt++) {
        try {
          await runOp(w, op, key, value, attempt > 0);
          stats.answered++;
          break;
        } catch (e) {
          if (e instanceof NetlinkTimeoutError) {
            stats.lost++;
            w.unknown.add(key);
            break;
          }
          if (isSystemError(e) && e.code === 'ENOBUFS' && attempt < 3) {
            stats.enobufs++;
            continue;
          }
          throw e;
        }
      }
      stats.ops++;
      const second = Math.floor((Date.now() - go) / 1000);
      stats.perSecond[second] = (stats.perSecond[second] ?? 0) + 1;
    }
    stats.ms = performance.now() - t0;
    return stats;
  } finally {
    sock.close();
  }
}
