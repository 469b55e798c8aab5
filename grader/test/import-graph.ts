// The repository's module graph, read from the source text: which local files each file imports.
// For seams.test.ts, which states the seams between folders as rules over this graph.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '../../kernel/src/index.js';

const SOURCE = /\.(ts|mts|vue)$/;
const SKIP = new Set(['node_modules', 'dist', '.lab', 'starter', 'solution', 'cache']);

/** Repository-relative paths of the TypeScript (and Vue) sources below `dir`. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(join(REPO_ROOT, d), { withFileTypes: true })) {
      if (SKIP.has(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** A module specifier in a file's text; `typeOnly` for `import type`/`export type`, erased at run time. */
export interface Specifier {
  spec: string;
  typeOnly: boolean;
}

/** The specifiers of static imports and re-exports, side-effect imports and import(). */
export function specifiers(text: string): Specifier[] {
  const statements = [...text.matchAll(/^\s*(import|export)(\s+type\b)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm)].map((m) => ({ spec: m[3]!, typeOnly: m[2] !== undefined }));
  const bare = [...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => ({ spec: m[1]!, typeOnly: false }));
  return [...statements, ...bare];
}

/**
 * The repository files a file imports by relative path (`.js` written for a `.ts` source);
 * `runtime` leaves out type-only imports, which no bundle or cycle at run time sees.
 */
export function localImports(file: string, { runtime = false, text }: { runtime?: boolean; text?: string } = {}): string[] {
  const source = text ?? readFileSync(join(REPO_ROOT, file), 'utf8');
  const out: string[] = [];
  for (const { spec, typeOnly } of specifiers(source)) {
    if (!spec.startsWith('.') || (runtime && typeOnly)) continue;
    const target = relative(REPO_ROOT, join(REPO_ROOT, dirname(file), spec));
    const candidates = [target, target.replace(/\.js$/, '.ts'), `${target}.ts`, join(target, 'index.ts')];
    out.push(candidates.find((c) => existsSync(join(REPO_ROOT, c)) && SOURCE.test(c)) ?? target);
  }
  return out;
}

/** Imports at run time only. */
export const runtimeImports = (file: string): string[] => localImports(file, { runtime: true });

/** Every file reachable from `entries` over local imports, the entries included. */
export function closure(entries: string[], imports: (file: string) => string[] = runtimeImports): Set<string> {
  const seen = new Set<string>();
  const todo = [...entries];
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (seen.has(f) || !existsSync(join(REPO_ROOT, f))) continue;
    seen.add(f);
    todo.push(...imports(f));
  }
  return seen;
}

/** One import cycle among `files` (as a path that starts and ends with the same file), or undefined. */
export function findCycle(files: string[], imports: (file: string) => string[] = runtimeImports): string[] | undefined {
  const inSet = new Set(files);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | undefined => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of imports(f)) {
      if (!inSet.has(g)) continue;
      if (state.get(g) === 'open') return [...stack.slice(stack.indexOf(g)), g];
      if (!state.has(g)) {
        const c = visit(g);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(f, 'done');
    return undefined;
  };
  for (const f of files) {
    if (state.has(f)) continue;
    const c = visit(f);
    if (c) return c;
  }
  return undefined;
}
