// Real guests: every outcome the VM runner promises, on every supported kernel installed here.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findKernel, KNOWN_KERNELS } from '../src/kernels.js';
import { kernelForTest } from './kernel-choice.js';
import { buildModule } from '../src/module-build.js';
import { REPO_ROOT } from '../src/common/paths.js';
import { liveCount } from '../src/reaper.js';
import { runVm } from '../src/vm.js';
import { runOnHost } from '../src/host-backend.js';
import { gone, waitForQemu } from './processes.js';

const fixtures = join(REPO_ROOT, 'kernel/test/fixtures');

describe.each(KNOWN_KERNELS.map((k) => kernelForTest(k.selector)))('$title', (t) => {
  const kernel = t.kernel!;

  it('runs a command, streams its output and returns its exit code', async () => {
    const r = await runVm({ kernel, command: ['sh', '-c', 'uname -r; echo oops-free >&2; exit 7'] });
    expect(r.outcome).toBe('exit');
    expect(r.exitCode).toBe(7);
    expect(r.stdout.trim()).toBe(kernel.release);
    expect(r.stderr).toBe('oops-free\n');
    expect(r.timings.command).toBeGreaterThan(0);
    expect(r.health).toEqual([]);
  });

  it('builds a module, loads it, sees it in /proc/modules and unloads it', async () => {
    const b = await buildModule(join(fixtures, 'hello'), kernel);
    expect(b.ok).toBe(true);
    expect(b.diagnostics).toEqual([]);
    const ko = b.modules.fixture_hello!;
    const r = await runVm({ kernel, command: ['sh', '-c', `insmod ${ko} && cut -d' ' -f1 /proc/modules && rmmod fixture_hello && dmesg | grep fixture_hello`] });
    expect(r.outcome).toBe('exit');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^fixture_hello$/m);
    expect(r.stdout).toMatch(/fixture_hello: loaded/);
    expect(r.stdout).toMatch(/fixture_hello: unloaded/);
  });

  it('reports a kernel panic with its line and trace', async () => {
    const r = await runVm({ kernel, command: ['sh', '-c', 'echo c > /proc/sysrq-trigger; sleep 30'] });
    expect(r.outcome).toBe('panic');
    expect(r.exitCode).toBeUndefined();
    expect(r.detail).toMatch(/Kernel panic - not syncing/);
    expect(r.detail).toMatch(/sysrq/i);
  });

  it('reports an Oops even when the command exits 0', async () => {
    const b = await buildModule(join(fixtures, 'null-deref'), kernel);
    const r = await runVm({ kernel, command: ['sh', '-c', `insmod ${b.modules.fixture_null_deref}; exit 0`] });
    expect(r.outcome).toBe('oops');
    expect(r.exitCode).toBe(0);
    expect(r.detail).toMatch(/fixture_null_deref/);
    expect(r.health.map((e) => e.kind)).toContain('oops');
  });
});

describe('failures of the run itself', () => {
  const kernel = findKernel();

  it('kills a guest that outlives --timeout and leaves no qemu behind', async () => {
    const r = await runVm({ kernel, command: ['sleep', '600'], timeoutMs: 10_000 });
    expect(r.outcome).toBe('timeout');
    expect(r.timings.total).toBeLessThan(15_000);
    expect(liveCount()).toBe(0);
    expect(r.qemuPid).toBeGreaterThan(0);
    expect(await gone(r.qemuPid!)).toBe(true);
  });

  it('calls an image that is not a kernel a boot failure, with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-'));
    const image = join(dir, 'vmlinuz-not-a-kernel');
    writeFileSync(image, 'this is not a kernel');
    const r = await runVm({ kernel: { ...kernel, image }, command: ['true'], timeoutMs: 20_000 });
    expect(r.outcome).toBe('boot-failure');
    expect(r.detail).toMatch(/qemu|kernel|image/i);
  });

  it('turns a compile error into file:line diagnostics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-broken-'));
    writeFileSync(join(dir, 'Kbuild'), 'obj-m := broken.o\n');
    writeFileSync(join(dir, 'broken.c'), '#include <linux/module.h>\nstatic int __init b_init(void)\n{\n\treturn undeclared_thing;\n}\nmodule_init(b_init);\nMODULE_LICENSE("GPL");\n');
    const b = await buildModule(dir, kernel);
    expect(b.ok).toBe(false);
    expect(b.diagnostics[0]).toMatchObject({ file: join(dir, 'broken.c'), line: 4, severity: 'error' });
    expect(b.diagnostics[0]?.message).toMatch(/undeclared_thing/);
  });

  it('leaves no qemu behind when the lab command gets SIGINT mid-boot', async () => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/kernel/src/cli.js'), 'vm', '--', 'sleep', '600'], { stdio: 'ignore' });
    const qemu = await waitForQemu(child.pid!, 10_000);
    expect(qemu).toHaveLength(1);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
    expect(await gone(qemu[0]!)).toBe(true);
  });

  it('refuses the host backend without consent, and explains why this host cannot run it', async () => {
    await expect(runOnHost(['true'], { consent: false })).rejects.toThrow(/--i-understand/);
    await expect(runOnHost(['true'], { consent: true })).rejects.toThrow(/no loadable-module support/);
  });
});
