// The grade report: what --json prints (schema: grader/report.schema.json).

import type { ModuleStyle } from '../../../kernel/src/index.js';
import type { Evidence } from '../check-api.js';
import type { CheckStatus, JobResult, ReportHealthKind } from '../guest/protocol.js';
import type { Pairing } from '../plan.js';
import type { Side } from '../lesson/schema.js';
import type { ViewerLink } from './viewer-link.js';

export interface RunReport extends Omit<JobResult, 'evidence'> {
  pairing: Pairing;
  evidence?: Evidence;
}

export interface CheckReport {
  id: string;
  title: string;
  side: Side;
  points: number;
  status: CheckStatus;
  /** One line: why it failed, was skipped or errored. */
  message?: string;
  evidence?: Evidence;
  /** For a failed cross-matrix check: whose code is at fault. */
  fault?: 'kernel' | 'client' | 'both';
  hint: string;
  /** docs/lessons/<lesson>.md#check-<id> */
  hintLink: string;
  /** For each evidence item with message bytes: its index in `evidence.messages` and docs/viewer.md#hex=…&lesson=<lesson>. */
  viewer?: ViewerLink[];
  /** Lines the check recorded (counts, timings), shown even on a pass. */
  notes: string[];
  durationMs: number;
  /** Each pairing the check ran with (one unless it is a cross-matrix check). */
  runs: RunReport[];
}

export interface HealthReport {
  kind: ReportHealthKind;
  /** The check that was running. */
  check: string;
  excerpt: string;
}

export interface GradeReport {
  lesson: string;
  title: string;
  target: 'starter' | 'solution';
  kernel: string;
  accel: 'kvm' | 'tcg';
  checks: CheckReport[];
  health: HealthReport[];
  score: number;
  total: number;
  /** `warmGuest`: the checks ran in the shared guest that an earlier grade booted. */
  timings: { buildMs: number; guestMs: number; totalMs: number; boots: number; warmGuest?: boolean };
  /** Every guest console of this grade, concatenated. */
  logFile: string;
  /**
   * Not scored: checkpatch.pl --strict and sparse (against this kernel's headers) on the
   * graded module's sources. Absent with --no-style.
   */
  style?: StyleReport;
  /** With --pcap: the folder holding one pcap file per run. */
  captures?: string;
}

export type StyleReport = ModuleStyle;
