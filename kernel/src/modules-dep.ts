// Load order for kernel modules, read from the kernel's own modules.dep.
// Distro kernels differ in what is built in (virtio is a module on 6.1, built in on 6.12),
// so the order is computed, never written down.

/** Parses modules.dep into a map from module name to [relative path, direct dependencies]. */
export function parseModulesDep(text: string): Map<string, { path: string; deps: string[] }> {
  const table = new Map<string, { path: string; deps: string[] }>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const path = line.slice(0, colon).trim();
    const deps = line.slice(colon + 1).trim().split(/\s+/).filter(Boolean).map(moduleName);
    table.set(moduleName(path), { path, deps });
  }
  return table;
}

/** `kernel/fs/9p/9p.ko.xz` → `9p`; dashes and underscores are the same to the kernel. */
export function moduleName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, '').replaceAll('-', '_');
}

/**
 * The modules to insmod, dependencies first, for the wanted ones.
 * Names listed in `builtin` (modules.builtin) are skipped; an unknown name is an error.
 */
export function loadOrder(
  wanted: readonly string[],
  table: Map<string, { path: string; deps: string[] }>,
  builtin: ReadonlySet<string>,
): { name: string; path: string }[] {
  const order: { name: string; path: string }[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name) || builtin.has(name)) return;
    seen.add(name);
    const entry = table.get(name);
    if (!entry) throw new Error(`module ${name} is neither built in nor in modules.dep`);
    entry.deps.forEach(visit);
    order.push({ name, path: entry.path });
  };
  wanted.forEach(visit);
  return order;
}
