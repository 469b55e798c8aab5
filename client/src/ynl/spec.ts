/**
 * The part of the kernel's YNL spec format (`Documentation/netlink/genetlink.yaml`) the
 * generator understands, and its resolution into numbered operations and attributes the
 * way the kernel's tools number them. Pure: a parsed YAML object in, a model out.
 * @module
 */

/** One entry of `definitions`. */
export interface SpecDefinition {
  name: string;
  type: 'const' | 'enum' | 'flags';
  doc?: string;
  value?: number | string;
  'value-start'?: number;
  entries?: (string | { name: string; value?: number; doc?: string })[];
}

/** One attribute of an attribute set. */
export interface SpecAttribute {
  name: string;
  type?: string;
  doc?: string;
  value?: number;
  'multi-attr'?: boolean;
  'nested-attributes'?: string;
  'sub-type'?: string;
  enum?: string;
  'enum-as-flags'?: boolean;
  'byte-order'?: string;
}

export interface SpecAttributeSet {
  name: string;
  doc?: string;
  'subset-of'?: string;
  attributes: SpecAttribute[];
}

export interface SpecAttrList {
  attributes?: string[];
}

export interface SpecOperation {
  name: string;
  doc?: string;
  value?: number;
  'attribute-set'?: string;
  do?: { request?: SpecAttrList; reply?: SpecAttrList };
  dump?: { request?: SpecAttrList; reply?: SpecAttrList };
  notify?: string;
  event?: SpecAttrList;
  mcgrp?: string;
}

/** A spec as YAML gives it (only the keys the generator reads are typed). */
export interface YnlSpec {
  name: string;
  doc?: string;
  protocol?: string;
  definitions?: SpecDefinition[];
  'attribute-sets': SpecAttributeSet[];
  operations: { 'enum-model'?: string; 'fixed-header'?: string; list: SpecOperation[] };
  'mcast-groups'?: { list: { name: string }[] };
}

/** The TypeScript kinds of the client library (`AttributeKind`), per spec type. */
const KINDS: Record<string, string> = {
  flag: 'flag',
  binary: 'binary',
  string: 'string',
  u8: 'u8',
  u16: 'u16',
  u32: 'u32',
  u64: 'u64',
  s8: 's8',
  s16: 's16',
  s32: 's32',
  s64: 's64',
  uint: 'uint',
  sint: 'sint',
  bitfield32: 'bitfield32',
  nest: 'nested',
  'indexed-array': 'nested-array',
};

export interface ResolvedAttribute {
  name: string;
  /** Attribute type number (`nla_type`). */
  type: number;
  /** The client library's kind (`AttributeKind`). */
  kind: string;
  doc?: string;
  multi: boolean;
  /** The nested set's name, for `nested` and `nested-array`. */
  nested?: string;
}

export interface ResolvedSet {
  name: string;
  doc?: string;
  attributes: ResolvedAttribute[];
}

export interface ResolvedMode {
  request: string[];
  reply?: string[];
}

export interface ResolvedOperation {
  name: string;
  /** genlmsghdr.cmd, both ways (the "unified" enum model). */
  value: number;
  doc?: string;
  set: string;
  do?: ResolvedMode;
  dump?: ResolvedMode;
  /** For notifications: the attributes they carry, and their group. */
  notification?: { attributes: string[]; mcgrp?: string };
}

export interface ResolvedSpec {
  name: string;
  doc?: string;
  consts: { name: string; value: number | string; doc?: string }[];
  enums: { name: string; flags: boolean; doc?: string; entries: { name: string; value: number; doc?: string }[] }[];
  sets: ResolvedSet[];
  operations: ResolvedOperation[];
  mcastGroups: string[];
}

export class SpecError extends Error {
  override name = 'SpecError';
}

function need(cond: unknown, message: string): asserts cond {
  if (!cond) throw new SpecError(message);
}

/**
 * Numbers a spec the way YNL does for `protocol: genetlink`: operations count from 1 in list
 * order (an explicit `value` restarts the count), attributes likewise from 1 within their set.
 * Throws {@link SpecError} for what the generator does not support (fixed headers, the
 * directional enum model, nest-type-value, …) and for dangling names.
 */
export function resolveSpec(raw: unknown): ResolvedSpec {
  need(raw && typeof raw === 'object', 'the spec is not a YAML mapping');
  const spec = raw as YnlSpec;
  need(typeof spec.name === 'string', 'the spec has no name');
  // genetlink-legacy numbers the same way while the enum model is unified and there is no fixed header.
  need(['genetlink', 'genetlink-legacy'].includes(spec.protocol ?? 'genetlink'), `protocol ${spec.protocol}: only "genetlink" and "genetlink-legacy" are supported`);
  need(Array.isArray(spec['attribute-sets']), 'the spec has no attribute-sets list');
  need(spec.operations && Array.isArray(spec.operations.list), 'the spec has no operations list');
  need((spec.operations['enum-model'] ?? 'unified') === 'unified', 'only the "unified" enum model is supported');
  need(!spec.operations['fixed-header'], 'fixed headers are not supported');

  const consts: ResolvedSpec['consts'] = [];
  const enums: ResolvedSpec['enums'] = [];
  for (const d of spec.definitions ?? []) {
    if (d.type === 'const') {
      need(d.value !== undefined, `definition ${d.name} has no value`);
      consts.push({ name: d.name, value: d.value, ...(d.doc ? { doc: d.doc } : {}) });
      continue;
    }
    const flags = d.type === 'flags';
    let next = typeof d['value-start'] === 'number' ? d['value-start'] : 0;
    const entries = (d.entries ?? []).map((e) => {
      const entry = typeof e === 'string' ? { name: e } : e;
      const pos = entry.value ?? next;
      next = pos + 1;
      return { name: entry.name, value: flags ? 2 ** pos : pos, ...(entry.doc ? { doc: entry.doc } : {}) };
    });
    enums.push({ name: d.name, flags, ...(d.doc ? { doc: d.doc } : {}), entries });
  }

  const rawSets = new Map(spec['attribute-sets'].map((s) => [s.name, s]));
  const sets: ResolvedSet[] = spec['attribute-sets'].map((s) => {
    need(!s['subset-of'], `attribute set ${s.name}: subset-of is not supported`);
    need(Array.isArray(s.attributes), `attribute set ${s.name} has no attributes`);
    let next = 1;
    const attributes: ResolvedAttribute[] = [];
    for (const a of s.attributes) {
      const type = a.value ?? next;
      next = type + 1;
      if (a.type === 'unused' || a.type === 'pad') continue;
      const bigEndian = a['byte-order'] === 'big-endian';
      need(!bigEndian || a.type === 'u16' || a.type === 'u32', `attribute ${s.name}.${a.name}: big-endian is supported for u16 and u32 only`);
      // The kernel's NLA_BE16/NLA_BE32: the wire carries them in network byte order.
      const kind = bigEndian ? (a.type === 'u16' ? 'be16' : 'be32') : KINDS[a.type ?? ''];
      need(kind, `attribute ${s.name}.${a.name}: type ${a.type} is not supported`);
      const nested = a['nested-attributes'];
      if (kind === 'nested' || kind === 'nested-array') {
        need(nested && rawSets.has(nested), `attribute ${s.name}.${a.name}: nested-attributes names no attribute set`);
        need(kind === 'nested' || a['sub-type'] === 'nest', `attribute ${s.name}.${a.name}: only indexed arrays of nests are supported`);
      }
      attributes.push({
        name: a.name,
        type,
        kind,
        multi: a['multi-attr'] === true,
        ...(a.doc ? { doc: a.doc } : {}),
        ...(nested && (kind === 'nested' || kind === 'nested-array') ? { nested } : {}),
      });
    }
    return { name: s.name, ...(s.doc ? { doc: s.doc } : {}), attributes };
  });
  const setByName = new Map(sets.map((s) => [s.name, s]));
  const mcastGroups = (spec['mcast-groups']?.list ?? []).map((g) => g.name);

  const checkNames = (op: string, set: ResolvedSet, names: string[] | undefined): string[] => {
    for (const n of names ?? []) need(set.attributes.some((a) => a.name === n), `operation ${op}: no attribute ${n} in set ${set.name}`);
    return names ?? [];
  };
  const mode = (op: string, set: ResolvedSet, m: SpecOperation['do']): ResolvedMode | undefined => {
    if (!m) return undefined;
    const reply = m.reply ? checkNames(op, set, m.reply.attributes) : undefined;
    return { request: checkNames(op, set, m.request?.attributes), ...(reply ? { reply } : {}) };
  };

  const operations: ResolvedOperation[] = [];
  let next = 1;
  for (const op of spec.operations.list) {
    const value = op.value ?? next;
    next = value + 1;
    // A notify op shares the operation's reply, and with it its attribute set (as YNL's nlspec.py does).
    const setName = op['attribute-set'] ?? (op.notify ? spec.operations.list.find((o) => o.name === op.notify)?.['attribute-set'] : undefined);
    need(setName, `operation ${op.name} has no attribute-set`);
    const set = setByName.get(setName);
    need(set, `operation ${op.name}: no attribute set ${setName}`);
    const resolved: ResolvedOperation = { name: op.name, value, set: set.name, ...(op.doc ? { doc: op.doc } : {}) };
    const d = mode(op.name, set, op.do);
    const du = mode(op.name, set, op.dump);
    if (d) resolved.do = d;
    if (du) resolved.dump = du;
    if (op.event || op.notify) {
      let attributes = checkNames(op.name, set, op.event?.attributes);
      if (op.notify) {
        const base = spec.operations.list.find((o) => o.name === op.notify);
        need(base, `operation ${op.name}: notify names no operation ${op.notify}`);
        attributes = checkNames(op.name, set, base.do?.reply?.attributes ?? base.dump?.reply?.attributes);
      }
      if (op.mcgrp) need(mcastGroups.includes(op.mcgrp), `operation ${op.name}: no multicast group ${op.mcgrp}`);
      resolved.notification = { attributes, ...(op.mcgrp ? { mcgrp: op.mcgrp } : {}) };
    }
    operations.push(resolved);
  }
  return { name: spec.name, ...(spec.doc ? { doc: spec.doc } : {}), consts, enums, sets, operations, mcastGroups };
}
