// The guest netlink benchmark's plan (host → guest) and result (guest → host, one JSON line).

import { consoleChannel } from '../console-channel.js';

export interface NetbenchPlan {
  /** The C client (client/bench/nlguest.c), built on the host. */
  c: string;
  runs: number;
  /** Round trips per run, unbatched and batched. */
  roundTrips: number;
  batch: number;
  /** Dumps per run, and keys in the store during them. */
  dumps: number;
  keys: number;
  modules: { raw: ModuleRef; genl: ModuleRef; dump: ModuleRef };
}

export interface ModuleRef {
  lesson: string;
  name: string;
  path: string;
}

/** Per run: units of work per second (round trips, or dump entries). */
export interface NetbenchSeries {
  c: number[];
  ts: number[];
}

export interface NetbenchResult {
  raw: { single: NetbenchSeries; batched: NetbenchSeries };
  genl: { single: NetbenchSeries; batched: NetbenchSeries };
  /** `ts`: dump() (headers, like C); `tsDecoded`: genlDump() with every entry's attributes decoded. */
  dump: NetbenchSeries & { tsDecoded: number[]; entriesPerDump: number };
  kernel: string;
  /** Whose solution module each part ran against (added on the host, from the plan). */
  lessons: { raw: string; genl: string; dump: string };
}

export const netbenchResults = consoleChannel<Omit<NetbenchResult, 'lessons'>>('@@netbench ');
