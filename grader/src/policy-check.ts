// Policy introspection for checks: what a family's commands accept, read back through nlctrl
// (CTRL_CMD_GETPOLICY), against what the lesson declares. Pure comparison apart from one dump.
import { getFamilyPolicy, NETLINK, openSocket, type PolicyInfo } from 'netlink-lab/client';

/** What one command's do or dump must accept, attribute type by attribute type. */
export interface DeclaredPolicy {
  cmd: number;
  mode: 'do' | 'dump';
  attrs: Map<number, PolicyInfo>;
}

/** One attribute's policy: `nul-string max 63`, `u32 mask 0x1`. */
function showInfo(i: PolicyInfo): string {
  return `${i.type ?? '?'}${i.maxLength !== undefined ? ` max ${i.maxLength}` : ''}${i.mask !== undefined ? ` mask 0x${i.mask.toString(16)}` : ''}`;
}

/** One policy as a line: `KEY nul-string max 63, VALUE binary max 1024, FLAGS u32 mask 0x1`. */
export function showPolicy(p: Map<number, PolicyInfo> | undefined, names: ReadonlyMap<number, string>): string {
  if (!p) return '(no policy)';
  if (!p.size) return '(no attribute accepted)';
  return [...p]
    .sort(([a], [b]) => a - b)
    .map(([type, i]) => `${names.get(type) ?? `type ${type}`} ${showInfo(i)}`)
    .join(', ');
}

/** Differences between a policy nlctrl reports and the one declared; empty when they agree. */
export function policyDiff(actual: Map<number, PolicyInfo> | undefined, declared: Map<number, PolicyInfo>, names: ReadonlyMap<number, string>): string[] {
  if (!actual) return ['no policy'];
  const out: string[] = [];
  for (const [type, want] of declared) {
    const got = actual.get(type);
    const name = names.get(type) ?? `type ${type}`;
    if (!got) out.push(`${name} is not accepted`);
    else if (got.type !== want.type || got.maxLength !== want.maxLength || got.mask !== want.mask) out.push(`${name} is ${showInfo(got)}`);
  }
  for (const type of actual.keys()) if (!declared.has(type)) out.push(`${names.get(type) ?? `type ${type}`} is accepted although the command never reads it`);
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
      line: `${name}${d.mode === 'dump' ? ' (dump)' : ''}: ${idx === undefined ? '(no policy reported)' : `policy ${idx}: ${showPolicy(actual, names)}`}`,
      diff: policyDiff(actual, d.attrs, names),
      expected: `${name}: ${showPolicy(d.attrs, names)}`,
    };
  });
}
