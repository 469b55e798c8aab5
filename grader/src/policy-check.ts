// Policy introspection for checks: what a family's commands accept, read back through nlctrl
// (CTRL_CMD_GETPOLICY), against what the lesson declares. Pure comparison apart from one dump.
import { getFamilyPolicy, NETLINK, openSocket, type FamilyPolicy, type PolicyInfo } from 'netlink-lab/client';

/** What a lesson declares of one attribute: what nlctrl reports, and a nest's policy by its own names. */
export interface DeclaredAttr extends Omit<PolicyInfo, 'policyIndex' | 'policyMaxType'> {
  nested?: { attrs: Map<number, DeclaredAttr>; names: ReadonlyMap<number, string> };
}

/** What one command's do or dump must accept, attribute type by attribute type. */
export interface DeclaredPolicy {
  cmd: number;
  mode: 'do' | 'dump';
  attrs: Map<number, DeclaredAttr>;
}

/** Policies by index, as nlctrl reported them; resolves a nest's policyIndex. */
type Policies = FamilyPolicy['policies'];

/** The fields nlctrl reports of an attribute, other than the nest's index. */
const FIELDS = ['type', 'minValue', 'maxValue', 'minLength', 'maxLength', 'mask', 'bitfield32Mask'] as const;

/** One attribute's policy: `nul-string max 63`, `u32 mask 0x1`, `u8 range 1..7`. */
function showInfo(i: DeclaredAttr | PolicyInfo): string {
  const parts = [i.type ?? '?'];
  if (i.minValue !== undefined || i.maxValue !== undefined) parts.push(`range ${i.minValue ?? '?'}..${i.maxValue ?? '?'}`);
  if (i.minLength !== undefined) parts.push(`min ${i.minLength}`);
  if (i.maxLength !== undefined) parts.push(`max ${i.maxLength}`);
  if (i.mask !== undefined) parts.push(`mask 0x${i.mask.toString(16)}`);
  if (i.bitfield32Mask !== undefined) parts.push(`bits 0x${i.bitfield32Mask.toString(16)}`);
  return parts.join(' ');
}

type Nest = { attrs: Map<number, DeclaredAttr | PolicyInfo>; names: ReadonlyMap<number, string>; declared?: Map<number, DeclaredAttr> };

/** A nest's policy, declared or (given the policies) as nlctrl reports it, named as `declared` names it. */
function nestOf(i: DeclaredAttr | PolicyInfo, policies: Policies | undefined, declared: DeclaredAttr | undefined): Nest | undefined {
  if ('nested' in i && i.nested) return i.nested;
  if ('policyIndex' in i && i.policyIndex !== undefined) {
    const attrs = policies?.get(i.policyIndex);
    if (attrs) return { attrs, names: declared?.nested?.names ?? new Map(), ...(declared?.nested ? { declared: declared.nested.attrs } : {}) };
  }
  return undefined;
}

/**
 * One policy as a line: `KEY nul-string max 63, VALUE binary max 1024, META nested {OWNER …}`.
 * A nest nlctrl reports (given `policies`) is named after its declaration in `declared`.
 */
export function showPolicy(
  p: Map<number, DeclaredAttr | PolicyInfo> | undefined,
  names: ReadonlyMap<number, string>,
  policies?: Policies,
  declared?: Map<number, DeclaredAttr>,
): string {
  if (!p) return '(no policy)';
  if (!p.size) return '(no attribute accepted)';
  return [...p]
    .sort(([a], [b]) => a - b)
    .map(([type, i]) => {
      const nest = nestOf(i, policies, declared?.get(type));
      const inner = nest ? ` {${showPolicy(nest.attrs, nest.names, policies, nest.declared)}}` : '';
      return `${names.get(type) ?? `type ${type}`} ${showInfo(i)}${inner}`;
    })
    .join(', ');
}

/**
 * Differences between a policy nlctrl reports and the one declared; empty when they agree.
 * With `policies`, a declared nest is compared with the policy its attribute points at.
 */
export function policyDiff(actual: Map<number, PolicyInfo> | undefined, declared: Map<number, DeclaredAttr>, names: ReadonlyMap<number, string>, policies?: Policies, prefix = ''): string[] {
  if (!actual) return [`${prefix}no policy`];
  const out: string[] = [];
  for (const [type, want] of declared) {
    const got = actual.get(type);
    const name = `${prefix}${names.get(type) ?? `type ${type}`}`;
    if (!got) out.push(`${name} is not accepted`);
    else if (FIELDS.some((f) => got[f] !== want[f])) out.push(`${name} is ${showInfo(got)}`);
    else if (want.nested && policies) {
      const inner = got.policyIndex === undefined ? undefined : policies.get(got.policyIndex);
      if (!inner) out.push(`${name} names no policy for its contents`);
      else out.push(...policyDiff(inner, want.nested.attrs, want.nested.names, policies, `${name}.`));
    }
  }
  for (const type of actual.keys()) if (!declared.has(type)) out.push(`${prefix}${names.get(type) ?? `type ${type}`} is accepted although the command never reads it`);
  return out;
}

/** Each declared command's policy as nlctrl reports it now, with its differences from the declaration. */
export async function comparePolicies(
  family: string,
  declared: Record<string, DeclaredPolicy>,
  names: ReadonlyMap<number, string>,
): Promise<{ name: string; line: string; diff: string[]; expected: string }[]> {
  const sock = openSocket(NETLINK.GENERIC);
  const policy = await getFamilyPolicy(sock, family, { timeout: 3000 }).finally(() => sock.close());
  return Object.entries(declared).map(([name, d]) => {
    const idx = policy.ops.get(d.cmd)?.[d.mode];
    const actual = idx === undefined ? undefined : policy.policies.get(idx);
    return {
      name,
      line: `${name}${d.mode === 'dump' ? ' (dump)' : ''}: ${idx === undefined ? '(no policy reported)' : `policy ${idx}: ${showPolicy(actual, names, policy.policies, d.attrs)}`}`,
      diff: policyDiff(actual, d.attrs, names, policy.policies),
      expected: `${name}: ${showPolicy(d.attrs, names)}`,
    };
  });
}
