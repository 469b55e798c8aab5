// Finds a kernel image and its build headers from a short selector.
// "6.1" and "6.12" pick Debian's kernels, "host" the running one, a path an image of your own.
// Debian's kernels are found first where setup unpacked them (.lab/kernels/<release>/, see
// lab-kernels.sh), then installed as system packages (/boot, /lib/modules): a lab set up before
// setup unpacked kernels keeps working, and where both exist the lab's own copy wins.

import { accessSync, constants, existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { release } from 'node:os';
import { basename, join } from 'node:path';
import { LabError } from './common/errors.js';
import { LAB_STATE } from './common/paths.js';

/**
 * Where a kernel comes from: `lab`, unpacked by setup under .lab/kernels; `system`, a system
 * package in /boot; `host`, the running kernel's own image; `path`, an image named on the command line.
 */
export type KernelOrigin = 'lab' | 'system' | 'host' | 'path';

/** A kernel the lab can boot and build modules for. */
export interface Kernel {
  /** The selector it was chosen by. */
  selector: string;
  /** Its `uname -r`, e.g. `6.1.0-56-amd64`. */
  release: string;
  /** Path of the bootable image (`vmlinuz-…`). */
  image: string;
  /** `…/lib/modules/<release>`: modules.dep and the distro's own modules. */
  modulesDir: string;
  /** The headers' build tree for `make -C`, or undefined when there is none. */
  headers: string | undefined;
  origin: KernelOrigin;
}

/** Selectors of the kernels this workshop supports, the releases each matches, in order of preference. */
export const KNOWN_KERNELS = [
  { selector: '6.1', pattern: /^6\.1\.\d+-\d+-amd64$/ },
  { selector: '6.12', pattern: /^6\.12\.\d+.*-amd64$/ },
] as const;

/** Where setup unpacks the lab's kernels, one root per release. */
export const LAB_KERNELS_DIR = process.env.NETLINK_LAB_KERNELS ?? join(LAB_STATE, 'kernels');

const BOOT = '/boot';
const MODULES = '/lib/modules';
const SETUP_FIX = 'run `npm run setup` (it downloads Debian\'s kernel packages and unpacks them into .lab/kernels)';

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

/** Releases setup unpacked completely (its stamp is written last), newest first. */
function labReleases(): string[] {
  if (!existsSync(LAB_KERNELS_DIR)) return [];
  return readdirSync(LAB_KERNELS_DIR)
    .filter((rel) => existsSync(join(LAB_KERNELS_DIR, rel, '.lab-unpacked')) && existsSync(join(LAB_KERNELS_DIR, rel, 'boot', `vmlinuz-${rel}`)))
    .sort(newestFirst);
}

function systemReleases(): string[] {
  if (!existsSync(BOOT)) return [];
  return readdirSync(BOOT)
    .filter((f) => f.startsWith('vmlinuz-'))
    .map((f) => f.slice('vmlinuz-'.length))
    .sort(newestFirst);
}

function systemHeaders(rel: string): string | undefined {
  const build = join(MODULES, rel, 'build');
  if (existsSync(join(build, 'Makefile'))) return realpathSync(build);
  const src = `/usr/src/linux-headers-${rel}`;
  return existsSync(join(src, 'Makefile')) ? src : undefined;
}

function fromSystem(selector: string, rel: string, origin: KernelOrigin, image = join(BOOT, `vmlinuz-${rel}`)): Kernel {
  return { selector, release: rel, image, modulesDir: join(MODULES, rel), headers: systemHeaders(rel), origin };
}

/** A kernel from its unpacked root; its headers from the same root, else the system's for that release. */
function fromLab(selector: string, rel: string): Kernel {
  const root = join(LAB_KERNELS_DIR, rel);
  const headers = join(root, 'usr/src', `linux-headers-${rel}`);
  return {
    selector,
    release: rel,
    image: join(root, 'boot', `vmlinuz-${rel}`),
    modulesDir: join(root, 'lib/modules', rel),
    headers: existsSync(join(headers, 'Makefile')) ? headers : systemHeaders(rel),
    origin: 'lab',
  };
}

/** Why setup has no kernel for `selector` (it leaves a note when the archive lacks one). */
export function missingNote(selector: string): string | undefined {
  const note = join(LAB_KERNELS_DIR, `missing-${selector}`);
  return existsSync(note) ? readFileSync(note, 'utf8').trim() : undefined;
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves a selector to a kernel, or throws a LabError that says what to do. No selector
 * means the default: the first supported kernel this lab has. Headers may be missing;
 * callers that build modules check them.
 */
export function findKernel(selector: string = defaultKernelSelector()): Kernel {
  const known = KNOWN_KERNELS.find((k) => k.selector === selector);
  if (known) {
    const lab = labReleases().find((r) => known.pattern.test(r));
    if (lab) return fromLab(selector, lab);
    const rel = systemReleases().find((r) => known.pattern.test(r));
    if (rel) return fromSystem(selector, rel, 'system');
    const note = missingNote(selector);
    throw new LabError(
      `kernel ${selector} is not in this lab (none in ${LAB_KERNELS_DIR} or /boot)${note ? `: ${note}` : ''}`,
      note ? `use another kernel: --kernel ${otherSelectors(selector)}` : SETUP_FIX,
    );
  }
  if (selector === 'host') {
    const rel = hostRelease();
    const copied = hostCopy(rel);
    if (copied) return fromSystem(selector, rel, 'host', copied);
    const image = join(BOOT, `vmlinuz-${rel}`);
    if (!existsSync(image)) {
      throw new LabError(
        `the running kernel ${rel} has no image in /boot, so the lab cannot boot it`,
        `pick a packaged one with --kernel ${KNOWN_KERNELS.map((k) => k.selector).join('|')}`,
      );
    }
    return fromSystem(selector, rel, 'host', image);
  }
  if (selector.includes('/')) {
    if (!existsSync(selector)) throw new LabError(`no kernel image at ${selector}`);
    // vmlinuz-<release> names its modules; any other name boots without modules of its own.
    const rel = basename(selector).replace(/^vmlinuz-/, '');
    return fromSystem(selector, rel, 'path', selector);
  }
  throw new LabError(
    `unknown kernel "${selector}"`,
    `use --kernel ${KNOWN_KERNELS.map((k) => k.selector).join('|')}|host|/path/to/vmlinuz`,
  );
}

/** The running kernel's release; NETLINK_LAB_HOST_RELEASE stands in for it in tests. */
function hostRelease(): string {
  return process.env.NETLINK_LAB_HOST_RELEASE ?? release();
}

/**
 * The running kernel's image as setup copied it (where no Debian kernel can be had, e.g. on
 * Ubuntu, whose /boot/vmlinuz-* only root can read), or undefined.
 */
function hostCopy(rel: string): string | undefined {
  const dir = join(LAB_KERNELS_DIR, 'host', rel);
  const image = join(dir, 'boot', `vmlinuz-${rel}`);
  return existsSync(join(dir, '.lab-unpacked')) && existsSync(image) ? image : undefined;
}

function otherSelectors(selector: string): string {
  return [...KNOWN_KERNELS.map((k) => k.selector).filter((s) => s !== selector), 'host'].join('|');
}

/** A kernel, or the LabError that says why the lab does not have it. */
export function probeKernel(selector: string): Kernel | LabError {
  try {
    return findKernel(selector);
  } catch (e) {
    if (e instanceof LabError) return e;
    throw e;
  }
}

/**
 * The kernel grades use when none is named: the first supported kernel the lab has (6.1 on
 * Debian 12; 6.12 where the archive has no 6.1), else the running kernel when setup copied
 * its image or it can be read, else 6.1, whose error then says how to get it.
 */
export function defaultKernelSelector(): string {
  const found = KNOWN_KERNELS.find((k) => !(probeKernel(k.selector) instanceof LabError));
  if (found) return found.selector;
  const rel = hostRelease();
  return hostCopy(rel) || readable(join(BOOT, `vmlinuz-${rel}`)) ? 'host' : KNOWN_KERNELS[0].selector;
}

/** One line for a person: the release and where it came from, e.g. for a grade's header. */
export function describeKernel(k: Kernel): string {
  const from = { lab: 'unpacked by setup', system: 'system package', host: 'running kernel', path: 'given path' }[k.origin];
  return `${k.release} (${from}: ${k.image})`;
}

/** The headers' build tree, or a LabError that says how to get them. */
export function requireHeaders(kernel: Kernel): string {
  if (kernel.headers) return kernel.headers;
  const where = kernel.origin === 'lab' ? join(LAB_KERNELS_DIR, kernel.release, 'usr/src') : join(MODULES, kernel.release, 'build');
  throw new LabError(
    `no build headers for kernel ${kernel.release} (looked in ${where})`,
    kernel.origin === 'lab' || KNOWN_KERNELS.some((k) => k.selector === kernel.selector) ? SETUP_FIX : `install linux-headers-${kernel.release}`,
  );
}
