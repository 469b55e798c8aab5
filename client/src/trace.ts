/**
 * An optional trace of sockets opened and closed, so a grader can check that a program
 * cleans up after itself and asked for the options it should. Set `LAB_NETLINK_TRACE` to a
 * file path; every open, close and netlink option set appends one line
 * (`open <protocol> <fd>`, `close <protocol> <fd>`, `option <protocol> <fd> <NAME>`).
 * Off by default.
 * @module
 */
import { appendFileSync } from 'node:fs';

/** @internal Records one socket event when tracing is on. */
export function traceSocket(event: 'open' | 'close' | 'option', protocol: number, fd: number, detail?: string): void {
  // Read per event, not at import: the grader's spare node process imports the library
  // before it learns the run's environment.
  const file = process.env.LAB_NETLINK_TRACE;
  if (!file) return;
  try {
    appendFileSync(file, `${event} ${protocol} ${fd}${detail ? ` ${detail}` : ''}\n`);
  } catch {
    // Tracing is for graders; it must never break the program it watches.
  }
}
