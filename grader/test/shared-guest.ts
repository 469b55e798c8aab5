// One warm guest for the grades of a test file, as `--watch` keeps one between grades. The
// grader itself retires it after any health event, gate failure or hang, so a mutant that
// breaks the guest never hands a sick one to the next test; what the tests must still show is
// that nothing but that one guest is ever left running.
import { expect, it } from 'vitest';
import { liveCount } from '../../kernel/src/index.js';
import type { GradeOptions } from '../src/grade.js';

export type Warm = NonNullable<GradeOptions['warm']>;

export interface SharedGuest {
  warm: Warm;
  /** After a grade: no QEMU is running but the shared guest, and that one only while it is reusable. */
  expectNoStray(): void;
  /** A last test that stops the shared guest and checks that no QEMU is left behind. */
  stopAtEnd(): void;
  /** Kills the shared guest: the next grade boots a fresh one. */
  retire(): Promise<void>;
}

export function sharedGuest(): SharedGuest {
  const warm: Warm = {};
  return {
    warm,
    expectNoStray() {
      expect(liveCount()).toBe(warm.session?.alive ? 1 : 0);
    },
    async retire() {
      await warm.session?.kill().catch(() => {});
      warm.session = undefined;
    },
    stopAtEnd() {
      it('stops the shared guest and leaves no QEMU behind', async () => {
        await warm.session?.stop();
        warm.session = undefined;
        expect(liveCount()).toBe(0);
      });
    },
  };
}
