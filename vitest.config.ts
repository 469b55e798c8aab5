import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that boot guests, longest first, so two workers finish together (longest
 * processing time first). Unlisted files follow in vitest's own order.
 */
const LONGEST_FIRST = [
  'grader/test/lessons-6.1.test.ts',
  'grader/test/lessons-6.12.test.ts',
  'grader/test/mutants.test.ts',
  'grader/test/alternatives.test.ts',
  'grader/test/load.test.ts',
  'grader/test/mutants-families.test.ts',
  'grader/test/mutants-memory.test.ts',
  'grader/test/fuzz.test.ts',
  'kernel/test/vm.test.ts',
  'kernel/test/lab-kernels.test.ts',
  'grader/test/cli.test.ts',
  'grader/test/warm-guest.test.ts',
  'client/test/fuzz.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(name));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    const rest = await super.sort(files);
    return rest.map((f, order) => ({ f, order })).sort((a, b) => rank(a.f) - rank(b.f) || a.order - b.order).map((x) => x.f);
  }
}

export default defineConfig({
  test: {
    include: ['client/test/**/*.test.ts', 'kernel/test/**/*.test.ts', 'grader/test/**/*.test.ts'],
    // Two files at a time: the guests are single-vCPU TCG, so two keep the 2-core machine busy
    // while the suite waits on emulation. NETLINK_LAB_TEST_WORKERS=1 runs one file at a time.
    maxWorkers: Number(process.env.NETLINK_LAB_TEST_WORKERS) || 2,
    fileParallelism: true,
    sequence: { sequencer: LongestFirst },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
