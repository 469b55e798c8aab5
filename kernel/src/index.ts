// kernel/'s public face on the host: what the grader, the benches and the tests outside this
// folder may use. Anything not exported here is kernel/'s own business; grader/test/seams.test.ts
// fails on a deep import. Code that runs in the guest imports `in-guest.ts` instead, which
// carries nothing that spawns or installs handlers.

// Lab-wide plumbing every front end shares: paths, terminal, typed errors, lines, locks.
export * from './common/cli-args.js';
export * from './common/errors.js';
export * from './common/lines.js';
export * from './common/lock.js';
export * from './common/paths.js';
export * from './common/term.js';

// Kernels and guests.
export { describeKernel, findKernel, KNOWN_KERNELS, probeKernel, type Kernel, type KernelOrigin } from './kernels.js';
export { newShareDir, runVm, type VmOptions, type VmRun } from './vm.js';
export type { Outcome, VmResult, VmTimings } from './outcome.js';
export { liveCount } from './reaper.js';
export { accelVerdict, type AccelVerdict } from './accel.js';
export { bootImage } from './boot-image.js';
export { ensureInitramfs } from './initramfs.js';
export { HOST_CONSENT_FLAG, requireHostBackend, runOnHost } from './host-backend.js';
export { ensureSharedGuestDir, SHARED_GUEST_LOG, SHARED_GUEST_PID, sharedGuestSocket } from './shared-guest-slot.js';
export { scanKernelLog, worstEvent, type HealthEvent, type HealthKind } from './console-scan.js';

// Module builds and the kernel's style tools.
export { buildModule, moduleSourceHash, type ModuleBuild } from './module-build.js';
export { formatDiagnostic, type Diagnostic } from './diagnostics.js';
export { checkModuleStyle, moduleSources, runCheckpatch, runKernelDoc, runSparse, styleRuns, StyleToolError, type ModuleStyle, type StyleRuns } from './style.js';
export { formatFinding, type StyleFinding } from './style-findings.js';
