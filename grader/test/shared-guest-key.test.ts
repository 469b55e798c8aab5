// The shared guest's key decides whether a grade may reuse a warm guest. It must change with
// anything the guest would run differently: the kernel, the module sources, and the grader's
// own guest-side code, which the guest loaded when it booted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, expect, it } from 'vitest';
import type { Kernel } from '../../kernel/src/index.js';
import { SHARED_GUEST_CODE, sharedGuestKey } from '../src/shared-guest/attach.js';

const dir = mkdtempSync(join(tmpdir(), 'nlab-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kernel = { selector: '6.12', release: '6.12.0-test-amd64', image: '/boot/vmlinuz-test' } as Kernel;
const moduleDir = join(dir, 'kernel');
const runner = join(dir, 'runner.js');
const key = (k: Kernel = kernel) => sharedGuestKey(k, [moduleDir], [runner]);

beforeEach(() => {
  rmSync(moduleDir, { recursive: true, force: true });
  mkdirSync(moduleDir);
  writeFileSync(join(moduleDir, 'nlab.c'), 'int x;\n');
  writeFileSync(join(moduleDir, 'Kbuild'), 'obj-m := nlab.o\n');
  writeFileSync(runner, 'console.log(1);\n');
});

it('is the same for the same kernel, sources and guest code', () => {
  expect(key()).toBe(key());
});

it('changes when the kernel changes', () => {
  expect(key({ ...kernel, release: '6.1.0-test-amd64' })).not.toBe(key());
});

it('changes when a module source changes', () => {
  const before = key();
  writeFileSync(join(moduleDir, 'nlab.c'), 'int y;\n');
  expect(key()).not.toBe(before);
});

it('changes when the guest-side code is rebuilt, and when it is missing', () => {
  const before = key();
  writeFileSync(runner, 'console.log(2);\n');
  const rebuilt = key();
  expect(rebuilt).not.toBe(before);
  rmSync(runner);
  expect(key()).not.toBe(rebuilt);
});

it('covers the runner, the spare client process, the client library and the daemon', () => {
  const names = SHARED_GUEST_CODE.map((f) => f.split('/').slice(-2).join('/'));
  expect(names).toEqual(['bundle/runner.js', 'bundle/client-spare.js', 'bundle/client.js', 'shared-guest/daemon.js']);
});
