// A genetlink family as its YNL spec declares it, in the terms nlctrl reports it: the
// operations with their flags, each operation's policy, the multicast groups. The policies are
// what the kernel's own C generator (6.12's tools/net/ynl/ynl-gen-c.py, kernel mode) renders
// from the spec, so a module that registers the generated tables matches exactly; the
// comparison itself runs in the guest (compareFamilyWithSpec). Pure apart from that function.
import { NETLINK, openSocket, resolveFamily } from 'netlink-lab/client';
import { comparePolicies, type DeclaredAttr, type DeclaredPolicy } from './policy-check.js';

/** The spec says something this model of the generator does not know how to render. */
export class SpecModelError extends Error {
  override name = 'SpecModelError';
}

/** genlmsghdr command flags as nlctrl reports them (include/uapi/linux/genetlink.h). */
const OP_FLAG = { 'admin-perm': 0x01, do: 0x02, dump: 0x04, haspol: 0x08, 'uns-admin-perm': 0x10 } as const;

interface RawAttr {
  name: string;
  type: string;
  value?: number;
  'multi-attr'?: boolean;
  'nested-attributes'?: string;
  enum?: string;
  'enum-as-flags'?: boolean;
  checks?: Record<string, number | string>;
}
interface RawOp {
  name: string;
  value?: number;
  'attribute-set'?: string;
  flags?: string[];
  do?: { request?: { attributes?: string[] } };
  dump?: { request?: { attributes?: string[] } };
}
interface RawSpec {
  definitions?: { name: string; type: string; value?: number; entries?: unknown[] }[];
  'attribute-sets'?: { name: string; attributes: RawAttr[] }[];
  operations?: { list?: RawOp[] };
  'mcast-groups'?: { list?: { name: string }[] };
}

/** What the spec declares, as nlctrl would report it. */
export interface SpecFamily {
  /** Registered operations (not notifications): command → flags. */
  ops: Map<number, number>;
  /** Each request's policy, by the operation's name (`name dump` for the dump of one with a do too). */
  policies: Record<string, DeclaredPolicy>;
  /** Attribute names of the operations' set, by number, upper case as in the uAPI header. */
  names: ReadonlyMap<number, string>;
  groups: string[];
}

const UNSIGNED_BITS: Record<string, number> = { u8: 8, u16: 16, u32: 32, u64: 64 };

/** Numbers a list the way YNL does: from `start`, in order, an explicit `value` restarting the count. */
function numbered<T extends { value?: number }>(list: readonly T[], start: number): [number, T][] {
  let next = start;
  return list.map((item) => {
    const n = item.value ?? next;
    next = n + 1;
    return [n, item];
  });
}

/** A `checks` limit: a number, or the name of a const definition. */
function limit(spec: RawSpec, v: number | string | undefined, what: string): bigint | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return BigInt(v);
  const c = spec.definitions?.find((d) => d.name === v && d.type === 'const');
  if (typeof c?.value !== 'number') throw new SpecModelError(`${what}: "${v}" names no const definition`);
  return BigInt(c.value);
}

/** The mask of a flags definition's entries. */
function flagsMask(spec: RawSpec, name: string, what: string): bigint {
  const d = spec.definitions?.find((x) => x.name === name);
  if (!d || d.type !== 'flags' || !Array.isArray(d.entries)) throw new SpecModelError(`${what}: "${name}" is not a flags definition`);
  return (1n << BigInt(d.entries.length)) - 1n;
}

/** One attribute's policy as ynl-gen-c renders it and nlctrl reports it; undefined for a pad. */
function attrPolicy(spec: RawSpec, a: RawAttr, where: string): DeclaredAttr | undefined {
  const what = `${where}.${a.name}`;
  const checks = a.checks ?? {};
  const known = (keys: string[]) => {
    const other = Object.keys(checks).filter((k) => !keys.includes(k));
    if (other.length) throw new SpecModelError(`${what}: checks ${other.join(', ')} are not modelled`);
  };
  if (a.type === 'pad') return undefined;
  if (a.type === 'string') {
    known(['max-len']);
    const max = limit(spec, checks['max-len'], what);
    // A repeated string is rendered as NLA_STRING, any other as NLA_NUL_STRING.
    return { type: a['multi-attr'] ? 'string' : 'nul-string', ...(max !== undefined ? { maxLength: Number(max) } : {}) };
  }
  if (a.type === 'binary') {
    known([]);
    return { type: 'binary' };
  }
  if (a.type === 'flag') {
    known([]);
    return { type: 'flag' };
  }
  if (a.type === 'nest') {
    known([]);
    const set = spec['attribute-sets']?.find((s) => s.name === a['nested-attributes']);
    if (!set) throw new SpecModelError(`${what}: nested-attributes "${a['nested-attributes']}" names no attribute set`);
    const attrs = setPolicy(spec, set.name, undefined);
    return { type: 'nested', nested: { attrs, names: setNames(spec, set.name) } };
  }
  if (a.type === 'bitfield32') {
    known([]);
    if (!a.enum) throw new SpecModelError(`${what}: a bitfield32 needs an enum`);
    return { type: 'bitfield32', bitfield32Mask: Number(flagsMask(spec, a.enum, what)) };
  }
  const bits = UNSIGNED_BITS[a.type];
  if (bits === undefined) throw new SpecModelError(`${what}: type ${a.type} is not modelled`);
  known(['min', 'max', 'flags-mask']);
  const isFlags = a['enum-as-flags'] || (a.enum !== undefined && spec.definitions?.find((d) => d.name === a.enum)?.type === 'flags');
  if (checks['flags-mask'] !== undefined || isFlags) return { type: a.type, mask: flagsMask(spec, String(a.enum ?? checks['flags-mask']), what) };
  if (a.enum !== undefined) throw new SpecModelError(`${what}: an enum's range is not modelled`);
  const min = limit(spec, checks.min, what) ?? 0n;
  const max = limit(spec, checks.max, what) ?? (1n << BigInt(bits)) - 1n;
  return { type: a.type, minValue: min, maxValue: max };
}

function attrSet(spec: RawSpec, name: string): RawAttr[] {
  const set = spec['attribute-sets']?.find((s) => s.name === name);
  if (!set) throw new SpecModelError(`attribute set "${name}" is not in the spec`);
  return set.attributes;
}

function setNames(spec: RawSpec, name: string): Map<number, string> {
  return new Map(numbered(attrSet(spec, name), 1).map(([n, a]) => [n, a.name.toUpperCase().replaceAll('-', '_')]));
}

/** A set's policy: the attributes `only` names (all of them without it), pads left out. */
function setPolicy(spec: RawSpec, name: string, only: readonly string[] | undefined): Map<number, DeclaredAttr> {
  const out = new Map<number, DeclaredAttr>();
  for (const [n, a] of numbered(attrSet(spec, name), 1)) {
    if (only && !only.includes(a.name)) continue;
    const p = attrPolicy(spec, a, name);
    if (p) out.set(n, p);
  }
  for (const want of only ?? []) if (!attrSet(spec, name).some((a) => a.name === want)) throw new SpecModelError(`"${want}" is not an attribute of "${name}"`);
  return out;
}

/** What a parsed spec declares of its family (see {@link SpecFamily}); SpecModelError on what it cannot model. */
export function specFamily(parsed: unknown): SpecFamily {
  const spec = parsed as RawSpec;
  const ops = new Map<number, number>();
  const policies: Record<string, DeclaredPolicy> = {};
  let names: ReadonlyMap<number, string> = new Map();
  for (const [cmd, op] of numbered(spec.operations?.list ?? [], 1)) {
    if (!op.do && !op.dump) continue; // a notification: nothing registered
    const set = op['attribute-set'];
    if (!set) throw new SpecModelError(`operation ${op.name} has no attribute-set`);
    names = setNames(spec, set);
    let flags = 0;
    for (const f of op.flags ?? []) {
      if (!(f in OP_FLAG)) throw new SpecModelError(`operation ${op.name}: flag ${f} is not modelled`);
      flags |= OP_FLAG[f as keyof typeof OP_FLAG];
    }
    for (const mode of ['do', 'dump'] as const) {
      const request = op[mode]?.request?.attributes;
      if (!op[mode]) continue;
      flags |= OP_FLAG[mode];
      if (request?.length) {
        flags |= OP_FLAG.haspol;
        // comparePolicies names a dump's "(dump)" itself; only an operation with both needs a second key.
        policies[mode === 'dump' && op.do ? `${op.name} dump` : op.name] = { cmd, mode, attrs: setPolicy(spec, set, request) };
      }
    }
    ops.set(cmd, flags);
  }
  return { ops, policies, names, groups: (spec['mcast-groups']?.list ?? []).map((g) => g.name) };
}

/** `do admin-perm has-policy` for an operation's flags. */
function showFlags(f: number | undefined): string {
  if (f === undefined) return 'not registered';
  const names = Object.entries(OP_FLAG)
    .filter(([, bit]) => f & bit)
    .map(([n]) => n);
  return names.join(' ') || 'no flags';
}

/** Differences between what nlctrl reports of `family` and what `specText` declares; empty when they agree. */
export async function compareFamilyWithSpec(family: string, specText: string): Promise<{ diff: string[]; notes: string[] }> {
  // Loaded here, not bundled: the runner's bundle is ESM, and yaml's CommonJS build requires
  // node's modules dynamically. Only a check that compares a family with its spec needs it.
  const { parse } = await import('yaml');
  const want = specFamily(parse(specText));
  const sock = openSocket(NETLINK.GENERIC);
  const got = await resolveFamily(sock, family, { timeout: 3000 }).finally(() => sock.close());
  const diff: string[] = [];
  const gotOps = new Map(got.ops.map((o) => [o.id, o.flags]));
  for (const cmd of new Set([...want.ops.keys(), ...gotOps.keys()])) {
    const w = want.ops.get(cmd);
    const g = gotOps.get(cmd);
    if (w !== g) diff.push(`command ${cmd}: nlctrl says ${showFlags(g)}, the spec ${showFlags(w)}`);
  }
  const groups = Object.keys(got.groups).sort();
  if (groups.join() !== [...want.groups].sort().join()) diff.push(`groups: nlctrl says [${groups.join(', ')}], the spec [${want.groups.join(', ')}]`);
  const policies = await comparePolicies(family, want.policies, want.names);
  for (const p of policies) if (p.diff.length) diff.push(`${p.name}'s policy: ${p.diff.join('; ')}`);
  const notes = [
    `operations: ${[...gotOps].map(([c, f]) => `${c} ${showFlags(f)}`).join(', ')}`,
    `groups: ${groups.join(', ') || 'none'}`,
    ...policies.map((p) => p.line),
  ];
  return { diff, notes };
}
