// What the grader and the shared guest's daemon say to each other: one JSON object per line
// over a unix socket. The daemon serves one grader at a time; the connection is the lease.

import type { Socket } from 'node:net';
import { lineSplitter, type VmRun } from '../../../kernel/src/index.js';
import type { JobResult } from '../guest/protocol.js';
import type { GuestPlan, Job } from '../plan.js';

export type ToDaemon =
  | { op: 'run'; plan: GuestPlan; jobs: Job[] }
  /** After a health event: kill the guest now. */
  | { op: 'kill' }
  /** Another kernel or another module is wanted: stop the guest cleanly. */
  | { op: 'stop' };

export interface Hello {
  op: 'hello';
  pid: number;
  /** What the guest was booted for: kernel release and the modules' sources (sharedGuestKey). */
  key: string;
  release: string;
  shareDir: string;
  /** Grades it has served; 0 means this grader pays for the boot. */
  served: number;
}

export type FromDaemon =
  | Hello
  /** Another grader holds the lease. */
  | { op: 'busy' }
  | { op: 'start'; job: number }
  | { op: 'end'; job: number; result: JobResult }
  | { op: 'line'; line: string }
  | { op: 'result'; results: [number, JobResult][]; running?: number; fatal?: string; ended?: VmRun; ms: number }
  /** The guest is gone (after kill or stop, or it died); the daemon exits after this. */
  | { op: 'ended'; vm: VmRun }
  | { op: 'error'; message: string };

export function send(sock: Socket, msg: ToDaemon | FromDaemon): void {
  if (!sock.destroyed) sock.write(`${JSON.stringify(msg)}\n`);
}

/**
 * The messages that arrive on `sock`, each handed to whichever handler is set at the time
 * (a line that is not JSON is dropped). Returns the setter.
 */
export function receive<T>(sock: Socket): (handler: (msg: T) => void) => void {
  let handler: (msg: T) => void = () => {};
  sock.on(
    'data',
    lineSplitter((line) => {
      let msg: T;
      try {
        msg = JSON.parse(line) as T;
      } catch {
        return;
      }
      handler(msg);
    }),
  );
  return (h) => void (handler = h);
}
