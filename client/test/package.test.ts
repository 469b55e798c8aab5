// The library as a package (#18 §4): `npm pack` the repository, install the tarball into an
// empty project, and use `netlink-lab/client` there against this machine's kernel, with its
// types. Needs `npm run build` first (npm test does it) and the npm registry or cache for the
// three dependencies.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kernel/src/index.js';

const project = mkdtempSync(join(tmpdir(), 'netlink-lab-package-'));
const npm = (args: string[]): string => execFileSync('npm', args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
let tarball = '';

/** Runs an ES module in the project; its stdout and stderr together. */
function runModule(code: string): string {
  const file = join(project, 'probe.mjs');
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8', timeout: 30_000 });
  return `${r.stdout}${r.stderr}`.trim();
}

const USE = `
import { openSocket, NETLINK, resolveFamily } from 'netlink-lab/client';
import { prng } from 'netlink-lab/grader';
try {
  const sock = openSocket(NETLINK.GENERIC);
  const family = await resolveFamily(sock, 'nlctrl');
  sock.close();
  console.log(\`nlctrl \${family.id} prng \${typeof prng}\`);
} catch (e) {
  console.log(\`\${e.name}: \${e.message}\`);
}
`;

beforeAll(() => {
  const name = execFileSync('npm', ['pack', REPO_ROOT, '--pack-destination', project, '--silent'], { cwd: project, encoding: 'utf8', timeout: 120_000 }).trim().split('\n').at(-1)!;
  tarball = join(project, name);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-netlink-lab', version: '1.0.0', private: true, type: 'module' }));
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', tarball]);
}, 240_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('netlink-lab as an installed package', () => {
  it('packs the library, its types and the addon sources, not the workshop', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const f of ['package/dist/bundle/client.js', 'package/dist/client/src/index.d.ts', 'package/dist/grader/src/check-api.js', 'package/dist/grader/src/fixtures/nlab-kv.js', 'package/dist/grader/src/fixtures/preload-forge.js', 'package/dist/kernel/src/in-guest.js', 'package/client/binding.gyp', 'package/client/native/netlink.cc'])
      expect(files, f).toContain(f);
    expect(files.filter((f) => /^package\/(lessons|docs|kernel|grader\/test)\//.test(f))).toEqual([]);
  });

  it('talks to the kernel from the installing project', () => {
    expect(runModule(USE)).toBe('nlctrl 16 prng function');
  });

  it('type-checks a program against the installed types, and rejects a wrong one', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(REPO_ROOT, 'node_modules/@types')] }, files: ['main.ts'] }),
    );
    const tsc = (source: string) => {
      writeFileSync(join(project, 'main.ts'), `import { openSocket, NETLINK, resolveFamily, type GenlFamily } from 'netlink-lab/client';\nconst family: GenlFamily = await resolveFamily(openSocket(NETLINK.GENERIC), 'nlctrl');\n${source}\n`);
      return spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8', timeout: 60_000 });
    };
    const good = tsc('export const id: number = family.id;');
    expect(good.stdout + good.stderr).toBe('');
    expect(good.status).toBe(0);
    const bad = tsc('export const id: string = family.id;');
    expect(bad.stdout).toMatch(/main\.ts\(3,14\): error TS2322: Type 'number' is not assignable to type 'string'/);
  }, 120_000);

  it('says in one line how to build a missing addon, and that way works', () => {
    rmSync(join(project, 'node_modules/netlink-lab/client/build'), { recursive: true, force: true });
    const out = runModule(USE);
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(/^NativeAddonMissingError: netlink-lab: the native addon is not built .*run `npm install-scripts approve netlink-lab && npm rebuild netlink-lab`$/);
    npm(['install-scripts', 'approve', 'netlink-lab']);
    npm(['rebuild', 'netlink-lab']);
    expect(runModule(USE)).toBe('nlctrl 16 prng function');
  }, 240_000);
});
