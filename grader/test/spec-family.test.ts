// specFamily(): a spec in nlctrl's terms, as the kernel's C generator renders it. Checked against
// what 6.12's ynl-gen-c.py really writes for lesson 15's spec (the committed, generated
// nlab_kv-nl.c), so the model cannot drift from the generator it stands for. Host only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadLesson } from '../src/lesson/load.js';
import { SpecModelError, specFamily } from '../src/spec-family.js';

const dir = join(loadLesson('lesson-15').dir, 'solution');
const specText = readFileSync(join(dir, 'client/nlab_kv.yaml'), 'utf8');
const generated = readFileSync(join(dir, 'kernel/nlab_kv-nl.c'), 'utf8');

/** nlctrl's name of the type each generated policy entry gives. */
const NLA_TYPE: Record<string, string> = { NLA_NUL_STRING: 'nul-string', NLA_STRING: 'string', NLA_BINARY: 'binary', NLA_U8: 'u8', NLA_U16: 'u16', NLA_U32: 'u32', NLA_U64: 'u64', NLA_BITFIELD32: 'bitfield32' };

/** Each policy array of the generated source: its name → attribute name → the entry's text. */
function generatedPolicies(c: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const m of c.matchAll(/nla_policy (\w+)\[[^\]]+\] = \{\n([\s\S]*?)\n\};/g)) {
    out.set(m[1]!, new Map([...m[2]!.matchAll(/\t\[NLAB_A_(?:META_)?(\w+)\] = (.*),$/gm)].map((e) => [e[1]!, e[2]!])));
  }
  return out;
}

/** The nlctrl type an entry's text stands for: `{ .type = NLA_X, … }`, NLA_POLICY_*(NLA_X, …), or a nest. */
function typeOf(entry: string): string {
  if (entry.startsWith('NLA_POLICY_NESTED(')) return 'nested';
  if (entry.startsWith('NLA_POLICY_BITFIELD32(')) return 'bitfield32';
  const t = /(NLA_[A-Z0-9_]+)/.exec(entry.replace(/^NLA_POLICY_\w+\(/, ''))?.[1];
  return NLA_TYPE[t ?? ''] ?? `? ${entry}`;
}

describe('specFamily', () => {
  const family = specFamily(parse(specText));

  it('registers each do and dump with its flags, not the notifications, and names the groups', () => {
    // admin-perm 0x1, do 0x2, dump 0x4, has a policy 0x8
    expect([...family.ops]).toEqual([
      [1, 0x1 | 0x2 | 0x8],
      [2, 0x2 | 0x8],
      [3, 0x1 | 0x2 | 0x8],
      [4, 0x4 | 0x8],
      [7, 0x2 | 0x8],
    ]);
    expect(family.groups).toEqual(['events']);
    expect(family.names.get(11)).toBe('COUNT');
  });

  it('gives each request the policy ynl-gen-c.py wrote for it, attribute by attribute', () => {
    const policies = generatedPolicies(generated);
    for (const [name, p] of Object.entries(family.policies)) {
      const entries = policies.get(`nlab_kv_${name.replace(/ dump$/, '')}_nl_policy`);
      expect(entries, `no generated policy for ${name}`).toBeDefined();
      const modelled = [...p.attrs].map(([n, a]) => [family.names.get(n)!, a.type]);
      expect(modelled, name).toEqual([...entries!].map(([attr, text]) => [attr, typeOf(text)]));
    }
    const meta = family.policies.set!.attrs.get(5)!.nested!;
    expect([...meta.attrs].map(([n, a]) => [meta.names.get(n), a.type])).toEqual([...policies.get('nlab_kv_meta_nl_policy')!].map(([attr, text]) => [attr, typeOf(text)]));
  });

  it('carries the checks the generator renders: lengths, ranges, masks, valid bits', () => {
    const set = family.policies.set!.attrs;
    expect(set.get(1)).toEqual({ type: 'nul-string', maxLength: 63 });
    expect(set.get(2)).toEqual({ type: 'binary' });
    expect(set.get(3)).toEqual({ type: 'u32', mask: 1n });
    expect(set.get(6)).toEqual({ type: 'u8', minValue: 1n, maxValue: 7n });
    expect(set.get(7)).toEqual({ type: 'u16', minValue: 0n, maxValue: 65535n });
    expect(set.get(8)).toEqual({ type: 'bitfield32', bitfield32Mask: 3 });
    expect(generated).toContain('[NLAB_A_PRIORITY] = NLA_POLICY_RANGE(NLA_U8, 1, 7),');
    expect(generated).toContain('[NLAB_A_MARKS] = NLA_POLICY_BITFIELD32(3),');
  });

  it('says what it cannot model instead of guessing', () => {
    const spec = parse(specText) as { 'attribute-sets': { attributes: Record<string, unknown>[] }[] };
    spec['attribute-sets'][0]!.attributes[0]!.checks = { 'exact-len': 4 };
    expect(() => specFamily(spec)).toThrow(SpecModelError);
    expect(() => specFamily(spec)).toThrow(/kv\.key: checks exact-len are not modelled/);
  });
});
