// Builds the guest's initramfs for one kernel: static busybox, /init, and the modules that
// reach the host root over virtio-9p. Cached under .lab/cache, keyed by everything that goes in.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { encodeCpio, type CpioEntry } from './cpio.js';
import { LabError } from './common/errors.js';
import { guestInitScript, type GuestModules } from './guest-init.js';
import type { Kernel } from './kernels.js';
import { loadOrder, parseModulesDep } from './modules-dep.js';
import { CACHE_DIR } from './common/paths.js';

export const BUSYBOX = '/bin/busybox';
const HOST_MODULES = '/lib/modules';

/** What the guest needs to mount the host: virtio over PCI, then 9p over virtio. */
const WANTED_MODULES = ['virtio_pci', '9pnet_virtio', '9p'];

function readModuleTables(kernel: Kernel) {
  const depFile = join(kernel.modulesDir, 'modules.dep');
  if (!existsSync(depFile)) {
    // An image without its modules can still boot if 9p is built in; the guest says so if not.
    return { order: [], depFile: undefined };
  }
  const builtinFile = join(kernel.modulesDir, 'modules.builtin');
  const builtin = new Set(
    existsSync(builtinFile)
      ? readFileSync(builtinFile, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^.*\//, '').replace(/\.ko$/, '').replaceAll('-', '_'))
      : [],
  );
  const order = loadOrder(WANTED_MODULES, parseModulesDep(readFileSync(depFile, 'utf8')), builtin);
  return { order, depFile };
}

/** Where the guest finds the kernel's other modules, when they are not in the host's /lib/modules. */
function guestModules(kernel: Kernel): GuestModules | undefined {
  if (!existsSync(kernel.modulesDir) || !existsSync(HOST_MODULES)) return undefined;
  const dir = realpathSync(kernel.modulesDir);
  const modulesRoot = realpathSync(HOST_MODULES);
  return dir === join(modulesRoot, kernel.release) ? undefined : { release: kernel.release, dir, modulesRoot };
}

async function moduleBytes(path: string): Promise<Buffer> {
  if (path.endsWith('.ko')) return readFileSync(path);
  if (path.endsWith('.ko.xz')) {
    const { stdout } = await execa('xz', ['-dc', path], { encoding: 'buffer', maxBuffer: 64 << 20 });
    return Buffer.from(stdout);
  }
  if (path.endsWith('.ko.zst')) {
    const { stdout } = await execa('zstd', ['-dc', path], { encoding: 'buffer', maxBuffer: 64 << 20 });
    return Buffer.from(stdout);
  }
  throw new LabError(`cannot unpack module ${path}`);
}

function fingerprint(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

function stamp(path: string): string {
  const s = statSync(path);
  return `${path}:${s.size}:${s.mtimeMs}`;
}

/**
 * The path of an initramfs for `kernel`, building it only when an input changed
 * (busybox, the module files, the init script). Returns whether it was rebuilt.
 */
export async function ensureInitramfs(kernel: Kernel): Promise<{ path: string; rebuilt: boolean; modules: string[] }> {
  if (!existsSync(BUSYBOX)) {
    throw new LabError(`static busybox not found at ${BUSYBOX}`, 'sudo apt-get install busybox-static');
  }
  const { order, depFile } = readModuleTables(kernel);
  const modulePaths = order.map((m) => join(kernel.modulesDir, m.path));
  const names = order.map((m) => m.name);
  const init = guestInitScript(names, guestModules(kernel));
  const key = fingerprint([kernel.release, init, stamp(BUSYBOX), ...(depFile ? [stamp(depFile)] : []), ...modulePaths.map(stamp)]);
  const dir = join(CACHE_DIR, 'initramfs');
  const path = join(dir, `${kernel.release}-${key}.cpio`);
  if (existsSync(path)) return { path, rebuilt: false, modules: names };

  const entries: CpioEntry[] = ['bin', 'dev', 'proc', 'sys', 'host', 'lab'].map((d) => ({ kind: 'dir', path: d }));
  entries.push({ kind: 'file', path: 'bin/busybox', data: readFileSync(BUSYBOX), mode: 0o755 });
  entries.push({ kind: 'symlink', path: 'bin/sh', target: 'busybox' });
  entries.push({ kind: 'file', path: 'init', data: Buffer.from(init), mode: 0o755 });
  for (const [i, m] of order.entries()) {
    entries.push({ kind: 'file', path: `lab/${m.name}.ko`, data: await moduleBytes(modulePaths[i]!) });
  }
  mkdirSync(dir, { recursive: true });
  // Write then rename, so a concurrent run never boots a half-written archive.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, encodeCpio(entries));
  renameSync(tmp, path);
  return { path, rebuilt: true, modules: names };
}
