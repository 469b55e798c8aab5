/**
 * What `request()` and `dump()` share around the reply engine: the default
 * timeout, validation of timeout options, delivery of warnings.
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import type { AckWarning } from './replies.js';
import type { NetlinkSocket } from './socket.js';

/** Timeout of `request()`, and idle timeout of `dump()`, when the caller gives none: 10 s. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Resolves a timeout option: `undefined` gives `fallback`, `Infinity`
 * turns the timer off (`undefined`), other values must be numbers ≥ 0.
 * @internal
 */
export function timeoutMs(value: number | undefined, fallback: number | undefined, name = 'timeout'): number | undefined {
  const ms = value ?? fallback;
  if (ms === undefined || ms === Infinity) return undefined;
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) throw new InvalidArgumentError(name, 'a number of milliseconds ≥ 0, or Infinity', ms);
  return ms;
}

/** @internal Delivers a warning to the caller's callback and the socket's `'warning'` listeners. */
export function warningSink(sock: NetlinkSocket, onWarning: ((w: AckWarning) => void) | undefined): (w: AckWarning) => void {
  return (w) => {
    onWarning?.(w);
    sock.emit('warning', w);
  };
}
