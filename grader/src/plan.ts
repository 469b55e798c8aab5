// The grading plan: which check runs with which pairing of module and client.
// Pure, so the cross-matrix rules are testable without a guest.

import type { ClientHandle, ModuleHandle, Origin } from './check-api.js';
import { type GuestBuiltin, isGuestBuiltin, type LessonCheck, type LessonMeta, runsOnHost } from './lesson/schema.js';

export interface Pairing {
  kernel: Origin;
  client: Origin;
}

export interface Job {
  index: number;
  check: string;
  pairing: Pairing;
  timeoutMs: number;
  /** The engine's own function runs this job (a guest builtin), not checks.ts. */
  builtin?: GuestBuiltin;
}

/** What the host hands the guest runner (as JSON in the run folder). */
export interface GuestPlan {
  lesson: Pick<LessonMeta, 'id' | 'module' | 'netlink' | 'fuzz'>;
  /** Compiled checks.js. */
  checks: string;
  modules: Record<Origin, ModuleHandle>;
  clients: Partial<Record<Origin, ClientHandle>>;
  jobs: Job[];
  /** Capture each job's netlink traffic (--pcap). */
  pcap?: boolean;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 15_000;
/** A guest builtin's own default: 10 000 fuzz datagrams take 4–13 s under TCG, several times that on a loaded machine. */
const BUILTIN_TIMEOUT_MS: Record<GuestBuiltin, number> = { fuzz: 120_000 };

/**
 * Which of the student's sides have exactly the reference's sources. A pairing with such a
 * side repeats one with the reference's, so the cross-matrix leaves it out.
 */
export interface Unchanged {
  kernel?: boolean;
  client?: boolean;
}

/**
 * The pairings a check runs with. Grading the solution, the "student" side is the solution
 * itself, so one run suffices; otherwise `both` is the full cross-matrix, less the pairings
 * an unchanged side makes repeats: with the reference's client, "student module + student
 * client" is "student module + reference client" and "reference module + student client"
 * is the reference alone (likewise for an unchanged module).
 */
export function pairingsFor(check: Pick<LessonCheck, 'side'>, gradingSolution: boolean, hasClient: boolean, unchanged: Unchanged = {}): Pairing[] {
  if (gradingSolution) return [{ kernel: 'student', client: 'student' }];
  if (!hasClient || check.side === 'kernel') return [{ kernel: 'student', client: 'reference' }];
  if (check.side === 'client') return [{ kernel: 'reference', client: 'student' }];
  if (unchanged.client) return [{ kernel: 'student', client: 'reference' }];
  if (unchanged.kernel) return [{ kernel: 'reference', client: 'student' }];
  return [
    { kernel: 'student', client: 'reference' },
    { kernel: 'reference', client: 'student' },
    { kernel: 'student', client: 'student' },
  ];
}

/** Guest jobs for the checks that run in the guest (all but the host-side builtins), in order. */
export function planJobs(checks: readonly LessonCheck[], gradingSolution: boolean, hasClient: boolean, unchanged: Unchanged = {}): Job[] {
  const jobs: Job[] = [];
  for (const c of checks) {
    if (runsOnHost(c)) continue;
    const builtin = isGuestBuiltin(c.builtin) ? c.builtin : undefined;
    const timeoutMs = c.timeoutMs ?? (builtin ? BUILTIN_TIMEOUT_MS[builtin] : DEFAULT_CHECK_TIMEOUT_MS);
    for (const pairing of pairingsFor(c, gradingSolution, hasClient, unchanged)) {
      jobs.push({ index: jobs.length, check: c.id, pairing, timeoutMs, ...(builtin ? { builtin } : {}) });
    }
  }
  return jobs;
}

/** Which side is at fault, from which pairings failed. */
export function sideAtFault(failed: readonly Pairing[]): 'kernel' | 'client' | 'both' | undefined {
  if (failed.length === 0) return undefined;
  const kernel = failed.some((p) => p.kernel === 'student' && p.client === 'reference');
  const client = failed.some((p) => p.kernel === 'reference' && p.client === 'student');
  if (kernel && !client) return 'kernel';
  if (client && !kernel) return 'client';
  return 'both';
}
