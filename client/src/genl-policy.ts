// CTRL_CMD_GETPOLICY: a family's attribute policies as the kernel enforces them, read back
// through nlctrl. The decoding is pure (decodePolicyDump); getFamilyPolicy adds the dump.

import { decodePolicy } from './ack.js';
import { decodeAttributes } from './attributes.js';
import { CTRL_CMD, GENL_ID_CTRL } from './constants.js';
import type { DumpOptions } from './dump.js';
import { MalformedMessageError, type PolicyInfo } from './errors.js';
import { ctrlAttributes, genlDump, type GenlMessage } from './genl.js';
import type { NetlinkSocket } from './socket.js';

/** `CTRL_ATTR_POLICY_DO` / `CTRL_ATTR_POLICY_DUMP` inside an op's nest. */
const POLICY_DO = 1;
const POLICY_DUMP = 2;

/** Which policy a command's doit and dumpit validate their attributes with (indexes into `policies`). */
export interface OpPolicy {
  do?: number;
  dump?: number;
}

/** A family's policies, as nlctrl reports them. */
export interface FamilyPolicy {
  familyId: number;
  /**
   * Policies by index, each mapping an attribute type to what the kernel accepts for it. A
   * nested attribute names the policy of its contents in `policyIndex`.
   */
  policies: Map<number, Map<number, PolicyInfo>>;
  /** By command number. A kernel without per-op policies reports none. */
  ops: Map<number, OpPolicy>;
}

function u32(payload: Buffer, offset: number, what: string): number {
  if (payload.length < 4) throw new MalformedMessageError(`${what} is shorter than a u32`, offset);
  return payload.readUInt32LE(0);
}

/** Adds one GETPOLICY answer (a `CTRL_ATTR_POLICY` or `CTRL_ATTR_OP_POLICY` nest) to `into`. */
function addAnswer(into: FamilyPolicy, attrs: GenlMessage['attributes']): void {
  if (attrs.POLICY instanceof Buffer) {
    for (const index of decodeAttributes(attrs.POLICY)) {
      const policy = into.policies.get(index.type) ?? new Map<number, PolicyInfo>();
      for (const attr of decodeAttributes(index.payload)) policy.set(attr.type, decodePolicy(attr.payload));
      into.policies.set(index.type, policy);
    }
  }
  if (attrs.OP_POLICY instanceof Buffer) {
    for (const op of decodeAttributes(attrs.OP_POLICY)) {
      const entry: OpPolicy = into.ops.get(op.type) ?? {};
      for (const a of decodeAttributes(op.payload)) {
        if (a.type === POLICY_DO) entry.do = u32(a.payload, a.offset, 'CTRL_ATTR_POLICY_DO');
        else if (a.type === POLICY_DUMP) entry.dump = u32(a.payload, a.offset, 'CTRL_ATTR_POLICY_DUMP');
      }
      into.ops.set(op.type, entry);
    }
  }
}

/** Folds the messages of a GETPOLICY dump into one {@link FamilyPolicy}. Pure. */
export function decodePolicyDump(messages: readonly GenlMessage[]): FamilyPolicy {
  const first = messages[0]?.attributes.FAMILY_ID;
  if (typeof first !== 'number') throw new MalformedMessageError('a CTRL_CMD_GETPOLICY answer without CTRL_ATTR_FAMILY_ID', 0);
  const out: FamilyPolicy = { familyId: first, policies: new Map(), ops: new Map() };
  for (const m of messages) addAnswer(out, m.attributes);
  return out;
}

/**
 * Reads the policies of family `name` (or of one command, with `op`) with a
 * `CTRL_CMD_GETPOLICY` dump: what the kernel checks before a doit or dumpit
 * runs. Rejects with a {@link NetlinkError} `ENOENT` for an unknown family.
 */
export async function getFamilyPolicy(sock: NetlinkSocket, name: string, options: DumpOptions & { op?: number } = {}): Promise<FamilyPolicy> {
  const { op, ...dumpOptions } = options;
  const attributes = { FAMILY_NAME: name, ...(op === undefined ? {} : { OP: op }) };
  const messages: GenlMessage[] = [];
  for await (const m of genlDump(sock, { family: GENL_ID_CTRL, cmd: CTRL_CMD.GETPOLICY, version: 2, set: ctrlAttributes, attributes, replyCmd: CTRL_CMD.GETPOLICY }, dumpOptions))
    messages.push(m);
  return decodePolicyDump(messages);
}
