/**
 * An optional trace of sockets opened and closed, so a grader can check that a program
 * cleans up after itself. Set `LAB_NETLINK_TRACE` to a file path; every open and close
 * appends one line (`open <protocol> <fd>` / `close <protocol> <fd>`). Off by default.
 * @module
 */
import { appendFileSync } from 'node:fs';

const TRACE_FILE = process.env.LAB_NETLINK_TRACE;

/** @internal Records one socket event when tracing is on. */
export function traceSocket(event: 'open' | 'close', protocol: number, fd: number): void {
  if (!TRACE_FILE) return;
  try {
    appendFileSync(TRACE_FILE, `${event} ${protocol} ${fd}\n`);
  } catch {
    // Tracing is for graders; it must never break the program it watches.
  }
}
