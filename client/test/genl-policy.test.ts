// CTRL_CMD_GETPOLICY against this machine's kernel: nlctrl's own policies, which
// net/netlink/genetlink.c declares, read back and compared entry by entry with what the
// kernel's YNL client (tools/net/ynl/cli.py, from the tree setup extracts) decodes from the same dump.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LAB_STATE } from '../../kernel/src/index.js';
import { CTRL_CMD, decodePolicyDump, getFamilyPolicy, MalformedMessageError, NETLINK, NetlinkError, openSocket, type PolicyInfo } from '../src/index.js';

const sock = openSocket(NETLINK.GENERIC);
afterAll(() => sock.close());

const GENL_NAMSIZ = 16;

describe('getFamilyPolicy (host kernel)', () => {
  it("reads nlctrl's GETFAMILY policy as genetlink.c declares it", async () => {
    const p = await getFamilyPolicy(sock, 'nlctrl');
    expect(p.familyId).toBe(0x10);
    const index = p.ops.get(CTRL_CMD.GETFAMILY)?.do;
    expect(index).toBeTypeOf('number');
    const policy = p.policies.get(index!)!;
    expect(policy.get(1)).toMatchObject({ type: 'u16', maxValue: 65535n }); // CTRL_ATTR_FAMILY_ID
    expect(policy.get(2)).toEqual({ type: 'nul-string', maxLength: GENL_NAMSIZ - 1 }); // CTRL_ATTR_FAMILY_NAME
  });

  it('reads one command only with op', async () => {
    const p = await getFamilyPolicy(sock, 'nlctrl', { op: CTRL_CMD.GETFAMILY });
    expect([...p.ops.keys()]).toEqual([CTRL_CMD.GETFAMILY]);
    expect(p.policies.size).toBe(1);
  });

  it('rejects an unknown family with ENOENT', async () => {
    const e = await getFamilyPolicy(sock, 'no-such-family').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect((e as NetlinkError).code).toBe('ENOENT');
  });

  it('names an answer without a family id as malformed (pure)', () => {
    expect(() => decodePolicyDump([])).toThrow(MalformedMessageError);
  });
});

const YNL = join(LAB_STATE, 'ynl');
const CLI = join(YNL, 'tools/net/ynl/cli.py');
const present = existsSync(CLI);

interface YnlEntry {
  'family-id': number;
  policy?: Record<string, number | string>;
  'op-policy'?: { 'op-id': number; do?: number; dump?: number };
}

/** YNL's policy entry in PolicyInfo's terms (the fields both decoders name). */
function fromYnl(p: Record<string, number | string>): PolicyInfo {
  const out: PolicyInfo = { type: String(p.type) };
  const min = p['min-value-s'] ?? p['min-value-u'];
  const max = p['max-value-s'] ?? p['max-value-u'];
  if (min !== undefined) out.minValue = BigInt(min);
  if (max !== undefined) out.maxValue = BigInt(max);
  if (p['min-length'] !== undefined) out.minLength = Number(p['min-length']);
  if (p['max-length'] !== undefined) out.maxLength = Number(p['max-length']);
  if (p['policy-idx'] !== undefined) out.policyIndex = Number(p['policy-idx']);
  if (p['policy-maxtype'] !== undefined) out.policyMaxType = Number(p['policy-maxtype']);
  return out;
}

const title = present ? "getFamilyPolicy agrees with the kernel's YNL client" : `getFamilyPolicy agrees with the kernel's YNL client (skipped: ${CLI} is missing; npm run setup extracts it)`;

describe.skipIf(!present)(title, () => {
  it('decodes the same policies and op policies from the same dump, entry by entry', async () => {
    const argv = [CLI, '--spec', join(YNL, 'Documentation/netlink/specs/nlctrl.yaml'), '--schema', join(YNL, 'Documentation/netlink/genetlink-legacy.yaml')];
    const out = execFileSync('python3', [...argv, '--dump', 'getpolicy', '--json', JSON.stringify({ 'family-name': 'nlctrl' }), '--output-json'], { encoding: 'utf8', timeout: 60_000 });
    const theirs = JSON.parse(out) as YnlEntry[];
    const ours = await getFamilyPolicy(sock, 'nlctrl');

    const theirPolicies = theirs.filter((e) => e.policy);
    expect(theirPolicies.length).toBeGreaterThan(0);
    expect(theirPolicies.length).toBe([...ours.policies.values()].reduce((n, m) => n + m.size, 0));
    for (const { policy } of theirPolicies) {
      const [index, attr] = [Number(policy!['policy-id']), Number(policy!['attr-id'])];
      expect(ours.policies.get(index)?.get(attr), `policy ${index} attribute ${attr}`).toEqual(fromYnl(policy!));
    }
    // A dump-only op is nested under its doit's command, which is 0 (both decoders show it so).
    const theirOps = theirs.flatMap((e) => (e['op-policy'] ? [e['op-policy']] : []));
    expect(theirOps.length).toBe(ours.ops.size);
    for (const op of theirOps) {
      const { 'op-id': id, ...indexes } = op;
      expect(ours.ops.get(id), `op ${id}`).toEqual(indexes);
    }
    for (const e of theirs) expect(e['family-id']).toBe(ours.familyId);
  }, 90_000);
});
