// Tests written for one particular kernel: where the lab lacks it (Debian 13 has no 6.1), they
// are skipped under a title that says so, and the reason is printed; never failed, never passed.
import { LabError } from '../src/common/errors.js';
import { probeKernel, type Kernel } from '../src/kernels.js';

export interface KernelForTest {
  /** The kernel, or undefined when the tests for it are skipped. */
  kernel: Kernel | undefined;
  /** `kernel 6.1`, or `kernel 6.1 (skipped: not in this lab)`. */
  title: string;
}

export function kernelForTest(selector: string): KernelForTest {
  const k = probeKernel(selector);
  if (!(k instanceof LabError)) return { kernel: k, title: `kernel ${selector}` };
  console.warn(`skipped: the tests for kernel ${selector}: ${k.message}`);
  return { kernel: undefined, title: `kernel ${selector} (skipped: not in this lab)` };
}
