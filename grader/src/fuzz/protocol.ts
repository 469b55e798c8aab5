// What the fuzzer in the guest and the host tell each other: a plan file in, `@@fuzz {json}`
// lines out.

import { consoleChannel } from '../console-channel.js';
import type { LessonFuzz } from '../lesson/schema.js';
import type { ReportHealthKind } from '../guest/protocol.js';

/** The seed of every run unless told otherwise: `npm run fuzz`, fuzz.test.ts and the grade's `fuzz` check send the same datagrams. */
export const DEFAULT_SEED = 0x4e4c4142;
export const DEFAULT_MESSAGES = 10_000;

/** One module to fuzz, as the guest gets it. */
export interface GuestFuzzTarget {
  label: string;
  module: { name: string; path: string };
  netlink: { unit: number } | { family: string };
  fuzz: LessonFuzz;
  messages: number;
  seed: number;
  /** Send only datagrams from this index on (the earlier ones are generated, not sent): a replay of a window. */
  from?: number;
  /** The guest reports progress (and checks the kernel log) every this many datagrams. */
  every: number;
  /**
   * Leave the module loaded after the datagrams (the grade's check): the grader's health gate
   * then unloads it and scans for leaks, as after any check, with what it knows of the guest.
   */
  keepLoaded?: boolean;
}

export interface GuestFuzzPlan {
  targets: GuestFuzzTarget[];
}

export interface GuestFuzzResult {
  sent: number;
  /** Datagrams the module sent back (answers, ACKs, errors). */
  received: number;
  /** sendmsg() calls the kernel refused (EINVAL for a cut header and the like). */
  sendErrors: number;
  /** recvmsg() errors (ENOBUFS when answers piled up). */
  receiveErrors: number;
  ms: number;
  health: { kind: ReportHealthKind; excerpt: string }[];
  /** Not kernel log events: insmod failed, rmmod failed, the unit or family left behind. */
  gate: string[];
  /** With a health event: it appeared among datagrams [from, to). */
  window?: { from: number; to: number };
}

export type FuzzEvent =
  | { type: 'start'; target: number }
  /** The module is loaded and the socket open: the sender's port, and the family as resolved. */
  | { type: 'sending'; target: number; port: number; family?: { id: number; version: number } }
  | { type: 'progress'; target: number; sent: number }
  | { type: 'end'; target: number; result: GuestFuzzResult };

/** The fuzzing guest's events, read by `host.ts`. */
export const fuzzEvents = consoleChannel<FuzzEvent>('@@fuzz ');
