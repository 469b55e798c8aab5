// Setup's first steps (kernel/setup.sh, sourced): the Node.js check, and the system-package
// step against stand-ins for apt-get, apt-cache, dpkg-query and sudo that log each call: when it
// runs apt-get update, and which packages it installs. The kernels' build dependencies are what
// the plan reads from apt's lists, so a stand-in plan that changes when `apt-get update` runs
// shows whether they were read before or after.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/common/paths.js';

const work = mkdtempSync(join(tmpdir(), 'setup-apt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STUBS: Record<string, string> = {
  // A user with sudo, as the README expects; sudo, like the real one, passes on no environment.
  id: 'if [ "$1" = -u ]; then echo 1000; else exec /usr/bin/id "$@"; fi',
  sudo: 'exec env -i PATH="$PATH" FAKE="$FAKE" "$@"',
  // update: the lists appear, and the plan they give (builddeps.after-update) becomes the current one.
  'apt-get': `echo "apt-get $*" >>"$FAKE/calls"
echo "\${DEBIAN_FRONTEND:-}" >>"$FAKE/frontend"
case " $* " in
  *" update "*) touch "$FAKE/lists/deb_dists_trixie_main_binary-amd64_Packages"
    if [ -f "$FAKE/builddeps.after-update" ]; then cp "$FAKE/builddeps.after-update" "$FAKE/builddeps"; fi ;;
  *" install "*) for p in "$@"; do grep -vx -- "$p" "$FAKE/missing" >"$FAKE/missing.new" || true; mv "$FAKE/missing.new" "$FAKE/missing"; done ;;
esac`,
  'apt-cache': 'echo "apt-cache $*" >>"$FAKE/calls"',
  'dpkg-query': `for p; do :; done
if grep -qx -- "$p" "$FAKE/missing"; then exit 1; fi
printf 'install ok installed'`,
  'debconf-set-selections': 'cat >/dev/null',
};

interface Machine {
  /** apt's lists hold a Packages file. */
  lists: boolean;
  /** Packages dpkg-query reports as not installed. */
  missing: string[];
  /** The kernels' build dependencies the current lists give, and those after `apt-get update`. */
  builddeps: string[];
  afterUpdate?: string[];
}

/** install_system_packages on `m`: its output, the stand-ins' calls, and what `apt-get install` got. */
function installSystemPackages(name: string, m: Machine) {
  const fake = join(work, name);
  mkdirSync(join(fake, 'bin'), { recursive: true });
  mkdirSync(join(fake, 'lists'));
  for (const [cmd, body] of Object.entries(STUBS)) {
    writeFileSync(join(fake, 'bin', cmd), `#!/bin/sh\n${body}\n`);
    chmodSync(join(fake, 'bin', cmd), 0o755);
  }
  if (m.lists) writeFileSync(join(fake, 'lists', 'deb_dists_bookworm_main_binary-amd64_Packages'), '');
  writeFileSync(join(fake, 'missing'), m.missing.map((p) => `${p}\n`).join(''));
  writeFileSync(join(fake, 'builddeps'), m.builddeps.map((p) => `${p}\n`).join(''));
  if (m.afterUpdate) writeFileSync(join(fake, 'builddeps.after-update'), m.afterUpdate.map((p) => `${p}\n`).join(''));
  writeFileSync(join(fake, 'calls'), '');
  const script = 'source kernel/setup.sh; lab_kernels_build_deps() { cat "$FAKE/builddeps"; }; install_system_packages';
  const r = spawnSync('bash', ['-c', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      FAKE: fake,
      PATH: `${join(fake, 'bin')}:${process.env.PATH}`,
      LAB_APT_OPTS: `-o Dir::State::lists=${join(fake, 'lists')}`,
      NETLINK_LAB_STATE: join(fake, 'state'),
    },
  });
  const calls = readFileSync(join(fake, 'calls'), 'utf8').trim().split('\n').filter(Boolean);
  const install = calls.find((c) => / install /.test(c))?.split(' ').filter((w) => !w.startsWith('-') && !['apt-get', 'install'].includes(w));
  const recorded = join(fake, 'state', 'apt-installed');
  const frontends = existsSync(join(fake, 'frontend')) ? readFileSync(join(fake, 'frontend'), 'utf8').split('\n') : [];
  const frontend = frontends[calls.filter((c) => c.startsWith('apt-get')).findIndex((c) => / install /.test(c))];
  return { code: r.status, out: `${r.stdout}${r.stderr}`, calls, install, frontend, recorded: existsSync(recorded) ? readFileSync(recorded, 'utf8').trim().split('\n') : [] };
}

const haveAptConfig = spawnSync('apt-config', ['dump']).status === 0;

describe.skipIf(!haveAptConfig)("setup's apt calls", () => {
  it('makes none on a ready machine', () => {
    const r = installSystemPackages('ready', { lists: true, missing: [], builddeps: ['gcc-12', 'libelf1'] });
    expect(r.out).toContain('setup: system packages: all present');
    expect(r.calls).toEqual([]);
    expect(r.code).toBe(0);
  });

  // A container image whose Dockerfile removed the lists after installing the lab's packages:
  // only the kernels' compiler is missing, and only the lists can name it.
  it('updates empty lists before it reads them', () => {
    const r = installSystemPackages('fresh', { lists: false, missing: ['gcc-14'], builddeps: [], afterUpdate: ['gcc-14'] });
    expect(r.calls.filter((c) => / update/.test(c))).toHaveLength(1);
    expect(r.calls[0]).toMatch(/^apt-get .*update/);
    expect(r.install).toEqual(['gcc-14']);
    expect(r.code).toBe(0);
  });

  // Stale lists name the kernels of their day; after the update the kernels' compiler changed.
  it('updates stale lists before installing, and installs the build dependencies the fresh lists name', () => {
    const r = installSystemPackages('stale', { lists: true, missing: ['sparse', 'gcc-12', 'gcc-14'], builddeps: ['gcc-12'], afterUpdate: ['gcc-14'] });
    expect(r.calls.map((c) => c.split(' ').find((w) => ['update', 'install', 'show'].includes(w)))).toEqual(['update', 'show', 'show', 'install']);
    expect(r.install).toEqual(['sparse', 'gcc-14']);
    expect(r.recorded).toEqual(['sparse', 'gcc-14']);
    // No debconf question stops the install, through sudo too.
    expect(r.frontend).toBe('noninteractive');
    expect(r.code).toBe(0);
  });
});

describe("setup's Node.js check", () => {
  const want = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node.replace('>=', '');
  /** check_node with a `node` that says it is `version` (or is not there). */
  function checkNode(version: string | undefined) {
    const bin = mkdtempSync(join(work, 'node-'));
    // No node: what the shell does for a command it cannot find.
    writeFileSync(join(bin, 'node'), version ? `#!/bin/sh\necho ${version}\n` : '#!/bin/sh\nexit 127\n');
    chmodSync(join(bin, 'node'), 0o755);
    const r = spawnSync('/bin/bash', ['-c', 'source kernel/setup.sh; check_node && echo node-ok'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  it("says which Node.js the lab needs where the system's is older (Debian 12's 18) or missing", () => {
    for (const version of ['v18.20.4', undefined]) {
      const r = checkNode(version);
      expect(r.out).toContain(`setup: the lab needs Node.js ${want} or newer; this system's node is ${version ?? 'none'}.`);
      expect(r.out).toMatch(/Debian 13: sudo apt-get install nodejs npm/);
      expect(r.code).toBe(1);
    }
  });

  it("goes on with Debian 13's node and with newer ones", () => {
    for (const version of ['v20.19.2', `v${want}.0`, 'v22.1.0']) expect(checkNode(version)).toEqual({ code: 0, out: 'node-ok\n' });
  });
});

// The kernel sources the pages cite, unpacked for reading (extract_sources in setup.sh).
/** An array of kernel/setup.sh, as the script defines it. */
function setupArray(name: string): string[] {
  const r = spawnSync('bash', ['-c', `source kernel/setup.sh; printf '%s\\n' "\${${name}[@]}"`], { cwd: REPO_ROOT, encoding: 'utf8' });
  return r.stdout.trim().split('\n').filter(Boolean);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : [join(dir, d.name)]));
}

/**
 * Kernel tree paths (net/netlink/af_netlink.c, include/net/netlink.h) that the pages and the
 * solutions' TODOs name; `<net/netlink.h>`-style include paths become include/net/netlink.h.
 * The lesson's own files (kernel/nlab_kv.c, a spec named nlab_kv.yaml) are not the kernel's.
 */
function citedKernelPaths(): Map<string, string> {
  const cited = new Map<string, string>();
  const texts = [...filesUnder(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md') && !f.includes('/.vitepress/')), ...filesUnder(join(REPO_ROOT, 'lessons')).filter((f) => /\/solution\/.*\.(c|ts|yaml)$/.test(f))];
  for (const file of texts) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?<![\w.-])((?:net|lib|include|Documentation|tools|kernel|samples|drivers)\/[\w./-]*\w\.(?:c|h|rst|yaml|py))\b/g)) {
      let p = m[1]!;
      if (p.includes('nlab')) continue;
      if (p.endsWith('.h') && !/^(include|tools|net\/netlink)\//.test(p)) p = `include/${p}`;
      if (!cited.has(p)) cited.set(p, file.slice(REPO_ROOT.length + 1));
    }
  }
  return cited;
}

describe('the kernel sources the pages cite', () => {
  const sources = setupArray('SOURCE_PATHS');
  // setup's other extractions from the same tarball: the YNL tools and specs, checkpatch.
  const elsewhere = ['tools/net/ynl', 'Documentation/netlink', 'scripts/checkpatch.pl'];
  const covered = (p: string, roots: string[]) => roots.some((r) => p === r || p.startsWith(`${r}/`));

  it('are all among what setup unpacks', () => {
    const cited = citedKernelPaths();
    expect(cited.size).toBeGreaterThan(5);
    expect([...cited].filter(([p]) => !covered(p, [...sources, ...elsewhere])).map(([p, f]) => `${p} (cited in ${f})`)).toEqual([]);
  });

  const unpacked = join(REPO_ROOT, '.lab/linux-source');
  it.skipIf(!existsSync(unpacked))('are on this machine after setup, in .lab/linux-source', () => {
    const absent = [...citedKernelPaths()].filter(([p]) => covered(p, sources) && !existsSync(join(unpacked, p)));
    expect(absent.map(([p, f]) => `${p} (cited in ${f})`)).toEqual([]);
  });

  it('unpacks exactly those paths from the linux-source tarball, once', () => {
    const fake = mkdtempSync(join(work, 'src-'));
    const tree = join(fake, 'tree', 'linux-source-6.12');
    const wanted = sources.map((p) => (/\.\w+$/.test(p) ? p : `${p}/inside.c`));
    for (const p of [...wanted, 'net/core/dev.c']) {
      mkdirSync(join(tree, p, '..'), { recursive: true });
      writeFileSync(join(tree, p), `${p}\n`);
    }
    const tarball = join(fake, 'linux-source-6.12.tar.xz');
    expect(spawnSync('tar', ['-cJf', tarball, '-C', join(fake, 'tree'), 'linux-source-6.12']).status).toBe(0);
    const run = (env: Record<string, string>) =>
      spawnSync('bash', ['-c', 'source kernel/setup.sh; extract_sources'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NETLINK_LAB_STATE: join(fake, 'state'), ...env } });
    const first = run({ NETLINK_LAB_SOURCE_TARBALL: tarball });
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/extracting the netlink sources the lessons cite from .*linux-source-6.12.tar.xz/);
    for (const p of wanted) expect(readFileSync(join(fake, 'state/linux-source', p), 'utf8')).toBe(`${p}\n`);
    expect(existsSync(join(fake, 'state/linux-source/net/core/dev.c'))).toBe(false);
    // Present: no tarball is read again (this one does not exist).
    const again = run({ NETLINK_LAB_SOURCE_TARBALL: join(fake, 'gone.tar.xz') });
    expect(again.stdout).toMatch(/the netlink sources the lessons cite: present in .*linux-source/);
    // A missing file is unpacked again; without the tarball, setup says so and goes on.
    rmSync(join(fake, 'state/linux-source/lib/nlattr.c'));
    const noTarball = run({ NETLINK_LAB_SOURCE_TARBALL: join(fake, 'gone.tar.xz') });
    expect(noTarball.status).toBe(0);
    expect(noTarball.stdout).toMatch(/no .*gone\.tar\.xz \(package linux-source-6\.12\): the pages' kernel sources are not unpacked/);
  });
});
