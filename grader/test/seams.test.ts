// The seams between the top-level folders (#20 §5), as rules over the import graph, so that a deep
// import or a cycle that comes back fails here with the file that brought it:
// - kernel/ has two faces: src/index.ts on the host, src/in-guest.ts for code that runs in the guest;
// - client/ has three: src/index.ts (`netlink-lab/client`), src/codecs.ts (no addon, for the
//   browser), src/ynl/index.ts (the code generator);
// - client/ knows no other folder, kernel/ knows only itself, and kernel/src/common/ (paths,
//   terminal, errors, lines, locks) knows nothing else in kernel/;
// - the Check API is a leaf that guest/ implements, and guest/ holds only what runs in the guest;
// - no runtime import cycle inside kernel/, client/ or grader/ (vm.ts and accel.ts were one;
//   lesson/load.ts and lesson/inherit.ts another, until sideDir() moved to inherit.ts).
import { describe, expect, it } from 'vitest';
import { closure, findCycle, localImports, sourceFiles } from './import-graph.js';

const KERNEL_FACES = ['kernel/src/index.ts', 'kernel/src/in-guest.ts'];
const CLIENT_FACES = ['client/src/index.ts', 'client/src/codecs.ts', 'client/src/ynl/index.ts'];
/** What runs in the guest: the grader's runner and its spares, the fuzz, load and bench guests. */
const GUEST_ENTRIES = ['grader/src/guest/runner.ts', 'grader/src/guest/client-spare.ts', 'grader/src/fuzz/guest.ts', 'grader/src/loadtest/guest.ts', 'grader/src/netbench/guest.ts'];
/** The Check API and what ships beside it in the npm package for checks to import. */
const CHECK_API = ['grader/src/check-api.ts', 'grader/src/fixtures/nlab-kv.ts'];

const everything = ['client', 'kernel', 'grader', 'docs', 'lessons'].flatMap(sourceFiles);
const under = (folder: string) => (f: string) => f.startsWith(`${folder}/`);

/** "importer → imported" for each import from outside `folder` into `folder/src` that is not a face. */
function deepImports(folder: string, faces: string[], files = everything, imports = localImports): string[] {
  return files
    .filter((f) => !under(folder)(f))
    .flatMap((f) => imports(f).filter((i) => under(`${folder}/src`)(i) && !faces.includes(i)).map((i) => `${f} → ${i}`));
}

/** "importer → imported" for each import from `from` into any of `into`. */
function crossings(from: string, into: string[], imports = localImports): string[] {
  return sourceFiles(from).flatMap((f) => imports(f).filter((i) => into.some((d) => under(d)(i))).map((i) => `${f} → ${i}`));
}

describe('the import graph the rules read', () => {
  it('sees multi-line imports, re-exports, type-only imports and import()', () => {
    const text = "import {\n  a,\n  b,\n} from './a.js';\nexport { c } from './c.js';\nimport type { D } from './d.js';\nconst e = await import('./e.js');\n";
    expect(localImports('kernel/src/x.ts', { text })).toEqual(['kernel/src/a.js', 'kernel/src/c.js', 'kernel/src/d.js', 'kernel/src/e.js']);
    expect(localImports('kernel/src/x.ts', { text, runtime: true })).not.toContain('kernel/src/d.js');
  });

  it('finds a planted deep import, a planted cycle and a planted crossing (so an empty answer means something)', () => {
    const plant: Record<string, string> = { 'grader/src/grade.ts': 'kernel/src/vm.ts', 'kernel/src/accel.ts': 'kernel/src/vm.ts', 'kernel/src/kernels.ts': 'grader/src/grade.ts' };
    const planted = (f: string) => [...localImports(f), ...(plant[f] ? [plant[f]] : [])];
    expect(deepImports('kernel', KERNEL_FACES, everything, planted)).toEqual(['grader/src/grade.ts → kernel/src/vm.ts']);
    expect(findCycle(sourceFiles('kernel/src'), planted)).toEqual(expect.arrayContaining(['kernel/src/vm.ts', 'kernel/src/accel.ts']));
    expect(crossings('kernel', ['grader'], planted)).toEqual(['kernel/src/kernels.ts → grader/src/grade.ts']);
  });
});

describe('seams between the top-level folders', () => {
  it('imports kernel/ only through its faces (src/index.ts, src/in-guest.ts)', () => {
    expect(deepImports('kernel', KERNEL_FACES)).toEqual([]);
  });

  it('imports client/src only through its faces (index.ts, codecs.ts, ynl/index.ts)', () => {
    expect(deepImports('client', CLIENT_FACES)).toEqual([]);
  });

  it('keeps client/ a library that knows no other folder of the lab', () => {
    expect(crossings('client/src', ['kernel', 'grader', 'lessons', 'docs'])).toEqual([]);
  });

  it('keeps kernel/ below the grader: it imports nothing from grader/, lessons/ or docs/', () => {
    expect(crossings('kernel', ['grader', 'lessons', 'docs'])).toEqual([]);
  });

  it('keeps kernel/src/common/ (paths, terminal, errors, lines, locks) a leaf every folder can stand on', () => {
    expect(crossings('kernel/src/common', ['kernel', 'client', 'grader']).filter((c) => !c.split(' → ')[1]!.startsWith('kernel/src/common/'))).toEqual([]);
  });

  it('keeps the guest face free of VM machinery: in-guest.ts reaches no module that spawns or installs handlers', () => {
    const reached = [...closure(['kernel/src/in-guest.ts'])].sort();
    expect(reached).toEqual(['kernel/src/common/paths.ts', 'kernel/src/console-scan.ts', 'kernel/src/guest-paths.ts', 'kernel/src/in-guest.ts']);
  });
});

describe('seams inside the grader', () => {
  it('keeps what runs in the guest off the host face of kernel/ (a bundle for the guest would carry QEMU)', () => {
    const reached = closure(GUEST_ENTRIES);
    expect([...reached].filter((f) => f === 'kernel/src/index.ts' || (under('kernel/src')(f) && !closure(['kernel/src/in-guest.ts']).has(f)))).toEqual([]);
  });

  it('keeps the Check API a leaf: nothing it or the fixtures beside it reach is in guest/', () => {
    expect([...closure(CHECK_API)].filter(under('grader/src/guest'))).toEqual([]);
  });

  it('keeps guest/ for what runs in the guest: every file there is reached from the guest entries', () => {
    const reached = closure(GUEST_ENTRIES);
    expect(sourceFiles('grader/src/guest').filter((f) => !reached.has(f))).toEqual([]);
  });

  it('has no import cycle at run time inside kernel/, client/ or grader/', () => {
    for (const folder of ['kernel/src', 'client/src', 'grader/src']) expect(findCycle(sourceFiles(folder)), folder).toBeUndefined();
  });
});
