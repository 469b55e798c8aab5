// Finds a kernel image and its build headers from a short selector.
// "6.1" and "6.12" pick Debian's packaged kernels, "host" the running one, a path an image of your own.

import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { release } from 'node:os';
import { basename, join } from 'node:path';
import { LabError } from './errors.js';

/** A kernel the lab can boot and build modules for. */
export interface Kernel {
  /** The selector it was chosen by. */
  selector: string;
  /** Its `uname -r`, e.g. `6.1.0-56-amd64`. */
  release: string;
  /** Path of the bootable image (`vmlinuz-…`). */
  image: string;
  /** `/lib/modules/<release>`: modules.dep and the distro's own modules. */
  modulesDir: string;
  /** The headers' build tree for `make -C`, or undefined when not installed. */
  headers: string | undefined;
}

/** Selectors of the kernels this workshop supports, with the apt packages that bring them. */
export const KNOWN_KERNELS = [
  { selector: '6.1', image: 'linux-image-amd64', headers: 'linux-headers-amd64', pattern: /^6\.1\.\d+-\d+-amd64$/ },
  { selector: '6.12', image: 'linux-image-6.12-amd64', headers: 'linux-headers-6.12-amd64', pattern: /^6\.12\.\d+.*-amd64$/ },
] as const;

export const DEFAULT_KERNEL = '6.1';

const BOOT = '/boot';
const MODULES = '/lib/modules';

function versionKey(rel: string): number[] {
  return rel.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
}

function newestFirst(a: string, b: string): number {
  const ka = versionKey(a);
  const kb = versionKey(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const d = (kb[i] ?? 0) - (ka[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function installedReleases(): string[] {
  if (!existsSync(BOOT)) return [];
  return readdirSync(BOOT)
    .filter((f) => f.startsWith('vmlinuz-'))
    .map((f) => f.slice('vmlinuz-'.length))
    .sort(newestFirst);
}

function headersFor(rel: string): string | undefined {
  const build = join(MODULES, rel, 'build');
  if (existsSync(join(build, 'Makefile'))) return realpathSync(build);
  const src = `/usr/src/linux-headers-${rel}`;
  return existsSync(join(src, 'Makefile')) ? src : undefined;
}

function fromRelease(selector: string, rel: string, image = join(BOOT, `vmlinuz-${rel}`)): Kernel {
  return { selector, release: rel, image, modulesDir: join(MODULES, rel), headers: headersFor(rel) };
}

/**
 * Resolves a selector to an installed kernel, or throws a LabError that says which
 * package to install. Headers may be missing; callers that build modules check them.
 */
export function findKernel(selector: string = DEFAULT_KERNEL): Kernel {
  const known = KNOWN_KERNELS.find((k) => k.selector === selector);
  if (known) {
    const rel = installedReleases().find((r) => known.pattern.test(r));
    if (!rel) {
      throw new LabError(
        `kernel ${selector} is not installed (no /boot/vmlinuz matching ${known.pattern.source})`,
        `run \`npm run setup\`, or: sudo apt-get install ${known.image} ${known.headers}`,
      );
    }
    return fromRelease(selector, rel);
  }
  if (selector === 'host') {
    const rel = release();
    const image = join(BOOT, `vmlinuz-${rel}`);
    if (!existsSync(image)) {
      throw new LabError(
        `the running kernel ${rel} has no image in /boot, so the lab cannot boot it`,
        `pick a packaged one with --kernel ${KNOWN_KERNELS.map((k) => k.selector).join('|')}`,
      );
    }
    return fromRelease(selector, rel, image);
  }
  if (selector.includes('/')) {
    if (!existsSync(selector)) throw new LabError(`no kernel image at ${selector}`);
    // vmlinuz-<release> names its modules; any other name boots without modules of its own.
    const rel = basename(selector).replace(/^vmlinuz-/, '');
    return fromRelease(selector, rel, selector);
  }
  throw new LabError(
    `unknown kernel "${selector}"`,
    `use --kernel ${KNOWN_KERNELS.map((k) => k.selector).join('|')}|host|/path/to/vmlinuz`,
  );
}

/** The headers' build tree, or a LabError naming the package that brings them. */
export function requireHeaders(kernel: Kernel): string {
  if (kernel.headers) return kernel.headers;
  const known = KNOWN_KERNELS.find((k) => k.selector === kernel.selector);
  throw new LabError(
    `no build headers for kernel ${kernel.release} (looked in ${join(MODULES, kernel.release, 'build')})`,
    known ? `sudo apt-get install ${known.headers}` : `install linux-headers-${kernel.release}`,
  );
}
