// The lab's kernels as unpacked files (setup's lab-kernels.sh, kernels.ts), on archives that
// lack kernels: apt package lists rebuilt from this machine's own, with stanzas taken out.
// "Debian 13": no 6.1 kernel packages, only 6.12 (on Debian 13 itself, its archive as it is).
// "Ubuntu": no Debian kernel at all.
// Then, as root, in a mount namespace where /boot, /lib/modules, /usr/src and kbuild are empty
// (a machine where setup installed no kernel), the lab still builds, boots and modprobes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKernel, KNOWN_KERNELS, LAB_KERNELS_DIR } from '../src/kernels.js';
import { REPO_ROOT } from '../src/common/paths.js';

const LISTS = '/var/lib/apt/lists';
const work = mkdtempSync(join(tmpdir(), 'lab-kernels-'));
/** The lab's own unpacked kernel for `selector`, if it has one (Debian 13 has no 6.1). */
function labKernel(selector: string) {
  try {
    const k = findKernel(selector);
    return k.origin === 'lab' ? k : undefined;
  } catch {
    return undefined;
  }
}
const lab612 = labKernel('6.12');
const haveApt = existsSync(LISTS) && readdirSync(LISTS).some((f) => f.includes('_Packages'));
if (!haveApt) console.warn(`skipped: the archive tests need apt's package lists in ${LISTS}`);

/** apt options for a copy of this machine's lists without the stanzas of the packages `drop` matches. */
function aptWithout(name: string, drop: RegExp): string {
  const lists = join(work, name, 'lists');
  mkdirSync(join(lists, 'partial'), { recursive: true });
  for (const f of readdirSync(LISTS)) {
    const src = join(LISTS, f);
    if (f.endsWith('InRelease') || f.endsWith('_Release')) writeFileSync(join(lists, f), readFileSync(src));
    if (!/_Packages(\.\w+)?$/.test(f)) continue;
    const text = execFileSync('/usr/lib/apt/apt-helper', ['cat-file', src], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const kept = text.split(/\n\n+/).filter((stanza) => !drop.test(/^Package: (\S+)/.exec(stanza)?.[1] ?? ''));
    writeFileSync(join(lists, f.replace(/\.(lz4|gz|xz|zst|bz2)$/, '')), `${kept.join('\n\n')}\n`);
  }
  const status = join(work, name, 'status');
  writeFileSync(status, '');
  // An empty dpkg status, so installed kernels do not count; no package cache written to /var/cache.
  return `-o Dir::State::lists=${lists} -o Dir::State::status=${status} -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=`;
}

function fetchKernels(aptOpts: string, kernelsDir: string, hostRelease = 'no-such-release') {
  const r = spawnSync('bash', ['kernel/lab-kernels.sh', 'fetch'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, LAB_APT_OPTS: aptOpts, NETLINK_LAB_KERNELS: kernelsDir, NETLINK_LAB_HOST_RELEASE: hostRelease },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const canHide = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
if (!canHide) console.warn('skipped: the mount-namespace tests need root and unshare -m');

/**
 * Runs `script` (sh, with "$@" = `args`) in a mount namespace of its own, with NODE and CLI
 * set for the lab's command line. QEMU started there sees the same mounts through 9p.
 */
function inNamespace(script: string, args: string[], env: Record<string, string>) {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE: process.execPath, CLI: join(REPO_ROOT, 'dist/kernel/src/cli.js'), NO_COLOR: '1', ...env },
    timeout: 300_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

afterAll(() => {
  execFileSync('rm', ['-rf', work]);
});

describe.skipIf(!haveApt)('setup on an archive without 6.1 ("Debian 13")', () => {
  const kernels = join(work, 'k13');
  let r: ReturnType<typeof fetchKernels>;
  beforeAll(() => {
    if (!lab612) return;
    mkdirSync(kernels, { recursive: true });
    // The 6.12 tree this lab already has: setup finds it up to date and downloads nothing.
    symlinkSync(join(LAB_KERNELS_DIR, lab612.release), join(kernels, lab612.release));
    // The 6.1 packages go, not a metapackage: Debian 12's linux-image-amd64 points at 6.1 and
    // Debian 13's at 6.12, and a metapackage whose kernel is not in the lists offers nothing.
    r = fetchKernels(aptWithout('debian13', /^linux-(image|headers)-6\.1\.\d+-/), kernels);
  }, 120_000);

  it.skipIf(!lab612)('keeps 6.12, names the missing 6.1 and what still works', () => {
    expect(r.out).toMatch(/kernel 6\.1: this system's apt has no Debian 6\.1 kernel/);
    expect(r.out).toContain(`kernel 6.12: ${lab612!.release}, unpacked in ${kernels}/${lab612!.release}`);
    expect(r.out).toMatch(/the lab grades with kernel 6\.12; --kernel 6\.1 and the tests that need it are skipped/);
    expect(r.code).toBe(0);
    expect(readFileSync(join(kernels, 'missing-6.1'), 'utf8')).toMatch(/no Debian 6\.1 kernel/);
    expect(readdirSync(kernels).filter((f) => f.startsWith('.debs'))).toEqual([]);
  }, 120_000);

  // A machine where setup installed no kernel: the system's kernels, headers and kbuild are
  // hidden by empty tmpfs mounts, so only the lab's unpacked 6.12 can serve. QEMU runs in the
  // same namespace, so the guest's view of the host root (9p) has them hidden too.
  it.skipIf(!lab612 || !canHide)('builds, boots and modprobes with only the unpacked 6.12, which is then the default', () => {
    expect(existsSync(join(kernels, 'missing-6.1'))).toBe(true);
    // What exists of them: a machine that never had a kernel package (a container, a fresh
    // debootstrap root) has no /lib/modules.
    const modules = existsSync('/lib/modules') ? [realpathSync('/lib/modules')] : [];
    const kbuild = readdirSync('/usr/lib').filter((d) => d.startsWith('linux-kbuild-')).map((d) => join('/usr/lib', d));
    const hide = ['/boot', ...modules, '/usr/src', ...kbuild].filter((d) => existsSync(d));
    const script = 'n=$1; shift; while [ "$n" -gt 0 ]; do mount -t tmpfs hidden "$1" || exit 99; shift; n=$((n - 1)); done; exec "$NODE" "$CLI" "$@"';
    const run = (...args: string[]) => inNamespace(script, [String(hide.length), ...hide, ...args], { NETLINK_LAB_KERNELS: kernels });

    const doctor = run('doctor');
    expect(doctor.out).toMatch(/kernel 6\.1 +not in this lab: this system's apt has no Debian 6\.1 kernel/);
    expect(doctor.out).toContain(`kernel 6.12  ${lab612!.release} (unpacked by setup: ${kernels}/${lab612!.release}/boot/vmlinuz-${lab612!.release})`);
    expect(doctor.out).not.toContain('a system package in /boot too');
    expect(doctor.out).toMatch(/✓ headers 6\.12 .*usr\/src\/linux-headers-/);

    // No --kernel: the default is the kernel the lab has. The headers' -common half and kbuild
    // come from the unpacked tree (the /usr/src copies are hidden).
    const build = run('build', 'kernel/test/fixtures/hello');
    expect(build.out, build.out).toMatch(new RegExp(`✓ fixture_hello: .*/${lab612!.release.replaceAll('.', '\\.').replaceAll('+', '\\+')}/`));
    expect(build.code).toBe(0);

    // modprobe in the guest reads the lab tree's modules.dep (setup ran depmod on it).
    const vm = run('vm', '--timeout', '120', '--', 'sh', '-c', 'uname -r; modprobe nlmon && grep -c ^nlmon /proc/modules');
    expect(vm.out.split('\n').slice(0, 2), vm.out).toEqual([lab612!.release, '1']);
    expect(vm.code).toBe(0);

    const none = run('vm', '--kernel', '6.1', '--', 'true');
    expect(none.out).toMatch(/kernel 6\.1 is not in this lab .*no Debian 6\.1 kernel/);
    expect(none.out).toContain('fix: use another kernel: --kernel 6.12|host');
    expect(none.code).toBe(2);
  }, 600_000);
});

describe.skipIf(!haveApt)('setup on an archive without Debian kernels ("Ubuntu")', () => {
  it('names both kernels as missing, downloads nothing, and says the running kernel cannot serve either', () => {
    const apt = aptWithout('ubuntu', /^linux-(image|headers)-/);
    const kernels = join(work, 'kubuntu');
    const r = fetchKernels(apt, kernels);
    for (const { selector } of KNOWN_KERNELS) {
      expect(r.out).toContain(`kernel ${selector}: this system's apt has no Debian ${selector} kernel`);
      expect(existsSync(join(kernels, `missing-${selector}`))).toBe(true);
    }
    expect(r.out).toMatch(/the running kernel no-such-release has no \/boot\/vmlinuz-no-such-release/);
    expect(r.out).toMatch(/no Debian kernel for the lab, and the running kernel cannot serve: grade with --kernel \/path\/to\/vmlinuz/);
    expect(r.code).toBe(0);
    expect(readdirSync(kernels).sort()).toEqual(['missing-6.1', 'missing-6.12', 'plan']);
    expect(readFileSync(join(kernels, 'plan'), 'utf8')).not.toMatch(/^(kernel|package|builddep) /m);
  }, 120_000);

  // The running kernel's stand-in: a machine whose kernel is the lab's 6.1, installed the way a
  // distribution installs its own (image mode 0600 in /boot, modules in /lib/modules), made in
  // a mount namespace from the lab's unpacked files. Its release matches 6.1, so here it is
  // also found as a system 6.1 and the default stays 6.1; on Ubuntu nothing else matches.
  const lab61 = labKernel('6.1');
  it.skipIf(!lab61 || !canHide)('copies the running kernel\'s image, and --kernel host boots it and finds its modules', () => {
    const rel = lab61!.release;
    const kernels = join(work, 'khost');
    const root = join(LAB_KERNELS_DIR, rel);
    const script = `set -e
      mount -t tmpfs boot /boot && cp "$ROOT/boot/vmlinuz-$REL" "$ROOT/boot/config-$REL" /boot && chmod 600 /boot/vmlinuz-$REL
      mount -t tmpfs modules "$MODULES" && mkdir "$MODULES/$REL" && mount -o bind "$ROOT/lib/modules/$REL" "$MODULES/$REL"
      bash kernel/lab-kernels.sh fetch
      "$NODE" "$CLI" doctor || true
      exec "$NODE" "$CLI" vm --kernel host --timeout 120 -- sh -c 'uname -r; modprobe nlmon && grep -c ^nlmon /proc/modules'`;
    const r = inNamespace(script, [], {
      ROOT: root,
      REL: rel,
      MODULES: realpathSync('/lib/modules'),
      LAB_APT_OPTS: aptWithout('ubuntu-host', /^linux-(image|headers)-/),
      NETLINK_LAB_KERNELS: kernels,
      NETLINK_LAB_HOST_RELEASE: rel,
    });
    expect(r.out).toContain(`kernel host: copied /boot/vmlinuz-${rel} into ${kernels}/host/${rel}; modules from /lib/modules/${rel}`);
    expect(r.out).toContain(`no Debian kernel for the lab: it grades with the running kernel (${rel}, --kernel host, the default)`);
    expect(r.out).toContain(`✓ kernel host  ${rel} (running kernel: ${kernels}/host/${rel}/boot/vmlinuz-${rel})`);
    expect(r.out, r.out).toContain(`\n${rel}\n1\n`); // the guest's uname -r, then nlmon in /proc/modules
    expect(r.code).toBe(0);
  }, 600_000);
});

describe.skipIf(!lab612)('a lab set up with unpacked kernels', () => {
  it('prefers its own copy over a system package and builds against its headers', () => {
    const k = findKernel('6.12');
    expect(k.origin).toBe('lab');
    expect(k.image).toBe(join(LAB_KERNELS_DIR, k.release, 'boot', `vmlinuz-${k.release}`));
    expect(k.headers).toBe(join(LAB_KERNELS_DIR, k.release, 'usr/src', `linux-headers-${k.release}`));
    expect(k.modulesDir).toBe(join(LAB_KERNELS_DIR, k.release, 'lib/modules', k.release));
    // The headers include their -common half relative to themselves, not from /usr/src.
    expect(readFileSync(join(k.headers!, 'Makefile'), 'utf8')).not.toMatch(/\/usr\/src/);
    expect(basename(realpathSync(join(k.headers!, 'scripts')))).toBe('scripts');
    expect(realpathSync(join(k.headers!, 'scripts')).startsWith(join(LAB_KERNELS_DIR, k.release))).toBe(true);
  });
});
