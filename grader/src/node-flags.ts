// Node flags for the load test's programs in the guest, never for a learner's client: that
// runs as node runs it anywhere.
//
// Under TCG, every page of machine code V8 writes must be translated again by QEMU, and each
// of the load test's nine node processes JIT-compiles the same client code for itself; with
// the JIT off, the interpreter runs it from code that QEMU translated once. The grader's
// runner keeps the JIT: its hot loops (the 10 000-request fuzz) ran slower without it. Under
// KVM the JIT wins, so VmOptions.tcgArgs applies these only under TCG. The measurements are
// in grader/PERFORMANCE.md.
// --no-expose-wasm keeps --jitless from printing a warning; NETLINK_LAB_JIT=1 keeps the JIT
// on for comparisons.
export function tcgNodeFlags(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  return env.NETLINK_LAB_JIT === '1' ? [] : ['--jitless', '--no-expose-wasm'];
}
