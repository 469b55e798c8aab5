// The lab's pure parts: archive encoding, module ordering, log scanning, diagnostics.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanKernelLog, worstEvent } from '../src/console-scan.js';
import { encodeCpio } from '../src/cpio.js';
import { parseDiagnostics } from '../src/diagnostics.js';
import { loadOrder, moduleName, parseModulesDep } from '../src/modules-dep.js';
import { kernelCommandLine, qemuArgs } from '../src/qemu-args.js';
import { KNOWN_KERNELS } from '../src/kernels.js';
import { kernelForTest } from './kernel-choice.js';
import { kernelConfig, memoryCheckParams } from '../src/memcheck.js';
import { commandFor, commandScript } from '../src/vm.js';
import { numberOption, parseCommandLine } from '../src/common/cli-args.js';
import { LabError } from '../src/common/errors.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/consoles/${name}`, import.meta.url), 'utf8');

describe('encodeCpio', () => {
  it('writes an archive that GNU cpio lists and extracts byte for byte', () => {
    const archive = encodeCpio([
      { kind: 'dir', path: 'bin' },
      { kind: 'file', path: 'bin/hello', data: Buffer.from('hi\n'), mode: 0o755 },
      { kind: 'symlink', path: 'bin/sh', target: 'hello' },
    ]);
    const listing = execFileSync('cpio', ['-itv', '--quiet'], { input: archive }).toString();
    expect(listing).toMatch(/^drwxr-xr-x .* bin$/m);
    expect(listing).toMatch(/^-rwxr-xr-x .* 3 .* bin\/hello$/m);
    expect(listing).toMatch(/^lrwxrwxrwx .* bin\/sh -> hello$/m);
    const content = execFileSync('cpio', ['-i', '--to-stdout', '--quiet', 'bin/hello'], { input: archive }).toString();
    expect(content).toBe('hi\n');
  });

  it('pads every header and body to four bytes', () => {
    const archive = encodeCpio([{ kind: 'file', path: 'a', data: Buffer.from('12345') }]);
    expect(archive.length % 4).toBe(0);
    expect(archive.subarray(0, 6).toString()).toBe('070701');
  });
});

describe('module load order', () => {
  const dep = [
    'kernel/fs/9p/9p.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/fs/netfs/netfs.ko.xz',
    'kernel/net/9p/9pnet_virtio.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/drivers/virtio/virtio_ring.ko.xz',
    'kernel/net/9p/9pnet.ko.xz:',
    'kernel/fs/netfs/netfs.ko.xz:',
    'kernel/drivers/virtio/virtio_ring.ko.xz:',
  ].join('\n');

  it('puts dependencies first and skips what is built in', () => {
    const order = loadOrder(['9pnet_virtio', '9p'], parseModulesDep(dep), new Set(['virtio_ring']));
    expect(order.map((m) => m.name)).toEqual(['9pnet', '9pnet_virtio', 'netfs', '9p']);
  });

  it('names modules the way the kernel does', () => {
    expect(moduleName('kernel/drivers/virtio/virtio-pci.ko.zst')).toBe('virtio_pci');
  });

  it('refuses a module it cannot find', () => {
    expect(() => loadOrder(['nope'], parseModulesDep(dep), new Set())).toThrow(/nope/);
  });
});

describe('scanKernelLog', () => {
  it('finds the panic in a real 6.1 console, with the trace after it', () => {
    const events = scanKernelLog(fixture('panic-sysrq-6.1.log'));
    const worst = worstEvent(events);
    expect(worst?.kind).toBe('panic');
    expect(worst?.line).toMatch(/^Kernel panic - not syncing: sysrq triggered crash/);
    expect(worst?.excerpt).toMatch(/Call Trace/);
  });

  it('calls a real 6.12 NULL dereference an oops and names the module', () => {
    const worst = worstEvent(scanKernelLog(fixture('oops-null-deref-6.12.log')));
    expect(worst?.kind).toBe('oops');
    expect(worst?.excerpt).toMatch(/fixture_null_deref/);
  });

  // Real consoles of lesson 6 mutants (grader/test/mutants-memory.test.ts) with the lab's memory checks on.
  it.each([
    ['slub-poison-6.1.log', 'use-after-free', /Freed in nlab_kv_rcv_msg\+0x163\/0x60f \[nlab_kv\]/],
    ['slub-poison-6.12.log', 'use-after-free', /^\[Poison overwritten\][\s\S]*Allocated in nlab_kv_rcv_msg/],
    ['slub-redzone-6.12.log', 'out-of-bounds', /^\[Right Redzone overwritten\][\s\S]*Object corrupt/],
    ['slub-double-free-6.1.log', 'double-free', /Object already free/],
    ['poison-gpf-6.1.log', 'use-after-free', /RDI: 6b6b6b6b6b6b6b6b/],
    ['list-del-6.12.log', 'list-corruption', /->next is LIST_POISON1/],
  ] as const)('names the memory error in %s: %s', (file, kind, shows) => {
    const events = scanKernelLog(fixture(file));
    expect(events[0]?.kind).toBe(kind);
    expect(events[0]?.excerpt).toMatch(shows);
    // 6.12's SLUB reports carry a WARNING and a "Slab disabled" of their own: not more events.
    expect(events.filter((e) => e.kind === 'warning' || /Slab disabled/.test(e.line))).toEqual([]);
  });

  it('sees warnings, lockups and hung tasks, and nothing in a clean log', () => {
    const log = [
      '[    1.0] WARNING: CPU: 0 PID: 1 at net/core/sock.c:1 foo+0x1/0x2',
      '[   22.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [insmod:99]',
      '[  123.0] INFO: task insmod:99 blocked for more than 120 seconds.',
    ].join('\n');
    expect(scanKernelLog(log).map((e) => e.kind)).toEqual(['warning', 'lockup', 'hung-task']);
    expect(scanKernelLog('[    0.1] nlab: loaded\n[    0.2] random: crng init done\n')).toEqual([]);
  });
});

describe('memoryCheckParams', () => {
  const expected: Record<string, string[]> = {
    '6.1': ['slub_debug=FZPU,kmalloc-*', 'stack_depot_disable=1'],
    '6.12': ['slub_debug=FZPU,kmalloc-*', 'stack_depot_disable=1', 'kfence.sample_interval=100'],
  };
  for (const { kernel, title } of KNOWN_KERNELS.map((k) => kernelForTest(k.selector))) {
    it.skipIf(!kernel)(`asks ${title} for the checks its own config has built in`, () => {
      expect(memoryCheckParams(kernelConfig(kernel!))).toEqual(expected[kernel!.selector]);
    });
  }

  it('asks for nothing without a config, and for each check the config has', () => {
    expect(memoryCheckParams(undefined)).toEqual([]);
    expect(memoryCheckParams(new Set(['CONFIG_KFENCE']))).toEqual(['kfence.sample_interval=100']);
  });

  it('puts them on a guest command line but not on the accelerator probe', () => {
    const o = { accel: 'tcg' as const, image: '/k', initramfs: '/i', shareDir: '/s', memoryMiB: 256, extraParams: ['slub_debug=FZPU,kmalloc-*'] };
    expect(kernelCommandLine(o).split(' ')).toContain('slub_debug=FZPU,kmalloc-*');
    expect(kernelCommandLine({ ...o, probe: true }).split(' ')).not.toContain('slub_debug=FZPU,kmalloc-*');
  });
});

describe('parseDiagnostics', () => {
  it('reads gcc and modpost lines and maps paths back to the source', () => {
    // What `make` printed for a module with a syntax error, a missing prototype and an unknown symbol.
    const log = readFileSync(new URL('fixtures/build-logs/gcc-and-modpost.log', import.meta.url), 'utf8');
    const d = parseDiagnostics(log, (p) => p.replace('/build/x', '/src'));
    expect(d).toEqual([
      { file: '/src/mod.c', line: 12, column: 5, severity: 'error', message: 'expected ‘;’ before ‘}’ token' },
      { file: '/src/mod.c', line: 3, column: 1, severity: 'warning', message: 'no previous prototype for ‘f’ [-Wmissing-prototypes]' },
      { severity: 'error', message: 'modpost: "netlink_kernel_create_typo" [/build/x/mod.ko] undefined!' },
    ]);
  });
});

describe('commandScript', () => {
  it('quotes arguments so the guest shell runs them unchanged', () => {
    const script = commandScript(['node', '-e', "console.log('a b')"], '/work/x y', { A: "it's" });
    const out = execFileSync('sh', ['-c', script.replace(/^cd .*$/m, '')]).toString();
    expect(out).toBe('a b\n');
    expect(script).toContain(`export A='it'\\''s'`);
    expect(script).toContain(`cd '/work/x y'`);
  });
});

describe('commandFor', () => {
  const options = { command: ['node', 'guest.js', 'plan.json'], tcgArgs: ['--jitless', '--no-expose-wasm'] };
  it("puts the TCG-only arguments after the program's name, under TCG only", () => {
    expect(commandFor(options, 'tcg')).toEqual(['node', '--jitless', '--no-expose-wasm', 'guest.js', 'plan.json']);
    expect(commandFor(options, 'kvm')).toEqual(options.command);
    expect(commandFor({ command: options.command }, 'tcg')).toEqual(options.command);
  });
});

describe('qemuArgs', () => {
  const base = { accel: 'tcg' as const, image: '/k', initramfs: '/i', shareDir: '/s', memoryMiB: 512 };
  it('boots one CPU without ACPI by default', () => {
    const args = qemuArgs(base);
    expect(args[args.indexOf('-smp') + 1]).toBe('1');
    expect(kernelCommandLine(base).split(' ')).toContain('acpi=off');
  });

  it('keeps ACPI for more CPUs, since the MP table lists only the boot CPU', () => {
    const args = qemuArgs({ ...base, cpus: 2 });
    expect(args[args.indexOf('-smp') + 1]).toBe('2');
    expect(kernelCommandLine({ ...base, cpus: 2 }).split(' ')).not.toContain('acpi=off');
  });
});

describe('command lines', () => {
  it('reads numbers and names the flag of one that is not', () => {
    expect(numberOption('runs', '5', { whole: true })).toBe(5);
    expect(numberOption('seed', '0', { zero: true, whole: true })).toBe(0);
    expect(numberOption('timeout', '1.5')).toBe(1.5);
    for (const [value, how] of [['ten', {}], ['', {}], ['0', {}], ['-1', { zero: true }], ['1.5', { whole: true }]] as const) {
      expect(() => numberOption('messages', value, how)).toThrow(LabError);
    }
    expect(() => numberOption('messages', 'ten', { whole: true })).toThrow('--messages takes a whole number above 0, not "ten"');
  });

  it('refuses a flag nobody declared', () => {
    expect(parseCommandLine(['lesson-3', '--json'], { json: { type: 'boolean' } })).toMatchObject({ values: { json: true }, positionals: ['lesson-3'] });
    expect(() => parseCommandLine(['--jsno'], { json: { type: 'boolean' } })).toThrow(/Unknown option '--jsno'/);
  });
});
