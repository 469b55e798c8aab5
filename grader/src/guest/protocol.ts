// What the guest runner tells the host, one `@@lab {json}` line per event.

import { consoleChannel } from '../console-channel.js';
import type { Evidence } from '../check-api.js';
import type { HealthKind } from '../../../kernel/src/in-guest.js';
import type { ReportedMessage } from '../decode-report.js';

/** The memory errors the gate tells apart: the console's (SLUB, KFENCE, list debugging) and leaks at rmmod. */
export const MEMORY_HEALTH_KINDS = ['use-after-free', 'out-of-bounds', 'double-free', 'slab-corruption', 'list-corruption', 'leak'] as const;
export type MemoryHealthKind = (typeof MEMORY_HEALTH_KINDS)[number];

/** Health kinds in reports: the kernel's, with lockups and hung tasks folded into `hang`. */
export type ReportHealthKind = 'oops' | 'bug' | 'warning' | 'panic' | 'hang' | MemoryHealthKind;

export function gateHealthKind(k: HealthKind): ReportHealthKind {
  return k === 'lockup' || k === 'hung-task' ? 'hang' : k;
}

export type CheckStatus = 'pass' | 'fail' | 'error' | 'skip';

/** One captured datagram, decoded: who received it, on which unit, and its messages. */
export interface CapturedDatagram {
  to: 'kernel' | 'user';
  unit: number;
  messages: ReportedMessage[];
  decodeError?: string;
}

/** With --pcap: the check's share of the capture. */
export interface JobCapture {
  /** The pcap file: relative to the run folder in the guest's result, a host path in reports. */
  file: string;
  datagrams: number;
  /** For a check that did not pass: the datagrams on the lesson's unit, decoded (at most 50). */
  shown?: CapturedDatagram[];
  /** Why the capture of this check is missing or partial. */
  problem?: string;
}

export interface JobResult {
  status: CheckStatus;
  message?: string;
  evidence?: Evidence;
  notes: string[];
  health: { kind: ReportHealthKind; excerpt: string }[];
  /** Health-gate failures that are not kernel log events (a module that won't unload, a leaked unit). */
  gate: string[];
  durationMs: number;
  capture?: JobCapture;
}

/** What a check's function decided, before the health gate looked at the kernel. */
export type CheckVerdict = Pick<JobResult, 'status' | 'message' | 'evidence' | 'notes'>;

export type GuestEvent =
  | { type: 'ready' }
  | { type: 'start'; job: number }
  /** The check's own verdict, before the health gate: what the host keeps if the gate never returns. */
  | { type: 'checked'; job: number; verdict: CheckVerdict }
  | { type: 'end'; job: number; result: JobResult }
  | { type: 'done'; request: number }
  | { type: 'fatal'; message: string };

/** The runner's events, read by the host's session (`vm-session.ts`). */
export const guestEvents = consoleChannel<GuestEvent>('@@lab ');
