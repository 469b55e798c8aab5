// kernel/'s face for code that runs in the guest: the grader's runner and spares, the fuzz and
// load-test guests, and the Check API, which also ships in the npm package (package.json
// "files"). Only modules that spawn nothing and install no handlers when imported, so a bundle
// for the guest or an installed package carries no VM machinery. The host imports `index.ts`.

export { GUEST_HOST_ROOT } from './guest-paths.js';
export { scanKernelLog, type HealthEvent, type HealthKind } from './console-scan.js';
export { REPO_ROOT } from './common/paths.js';
