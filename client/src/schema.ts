/**
 * Attribute sets: a small description of a family's attributes (name →
 * type number and kind) used to encode plain objects, decode messages into
 * plain objects, and map extended-ACK offsets back to attribute names.
 * Pure functions, no I/O.
 * @module
 */
import {
  decodeAttributes,
  decodeScalar,
  encodeAttribute,
  encodeScalar,
  type RawAttribute,
  type ScalarKind,
  type ScalarValue,
} from './attributes.js';
import { AttributeEncodeError, MalformedMessageError } from './errors.js';

/** Kind of an attribute: a scalar, a nest of another set, or an indexed array of nests. */
export type AttributeKind = ScalarKind | 'nested' | 'nested-array';

/** Description of one attribute in a set. */
export interface AttributeSpec {
  /** Attribute type number (`nla_type` without flag bits). */
  type: number;
  /** How the payload is encoded. */
  kind: AttributeKind;
  /** The set describing the nest's content, for `nested` and `nested-array`. */
  nested?: AttributeSet;
  /** The attribute may repeat; its value is an array (one element per occurrence). */
  multi?: boolean;
}

/** A named group of attribute descriptions, e.g. rtnetlink's `IFLA_*`. */
export interface AttributeSet {
  readonly name: string;
  readonly attributes: Readonly<Record<string, AttributeSpec>>;
  /** Reverse index: type number → [name, spec]. */
  readonly byType: ReadonlyMap<number, readonly [string, AttributeSpec]>;
}

/** A decoded attribute value. */
export type AttributeValue = ScalarValue | AttributeValues | AttributeValue[];

/**
 * Attributes as a plain object keyed by attribute name. Attributes of unknown
 * type decode under their type number (`'42'`) as raw `Buffer`s.
 */
export interface AttributeValues {
  [name: string]: AttributeValue | undefined;
}

/** Builds an {@link AttributeSet}; checks that type numbers are unique. */
export function defineAttributeSet(name: string, attributes: Record<string, AttributeSpec>): AttributeSet {
  const byType = new Map<number, readonly [string, AttributeSpec]>();
  for (const [key, spec] of Object.entries(attributes)) {
    if (byType.has(spec.type)) throw new Error(`attribute set ${name}: type ${spec.type} used twice`);
    if ((spec.kind === 'nested' || spec.kind === 'nested-array') && !spec.nested)
      throw new Error(`attribute set ${name}: ${key} is ${spec.kind} but has no nested set`);
    byType.set(spec.type, [key, spec]);
  }
  return Object.freeze({ name, attributes: Object.freeze({ ...attributes }), byType });
}

/**
 * An {@link AttributeSet} whose type numbers come from a constants table by the same names
 * (`IFA`, `RTA`, `CTRL_ATTR`, …), listed by kind, so each name is written once: `{ binary:
 * ['ADDRESS', 'LOCAL'], u32: ['FLAGS'] }`. `extra` adds attributes given in full (nests). The
 * set lists its attributes in type order.
 */
export function attributeSetOf(
  name: string,
  types: Readonly<Record<string, number>>,
  kinds: Partial<Record<ScalarKind, readonly string[]>>,
  extra: Record<string, AttributeSpec> = {},
): AttributeSet {
  const listed: [string, AttributeSpec][] = Object.entries(kinds).flatMap(([kind, names]) =>
    (names ?? []).map((key): [string, AttributeSpec] => {
      const type = types[key];
      if (type === undefined) throw new Error(`attribute set ${name}: no type number for ${key}`);
      return [key, { type, kind: kind as ScalarKind }];
    }),
  );
  const all = [...listed, ...Object.entries(extra)].sort((a, b) => a[1].type - b[1].type);
  return defineAttributeSet(name, Object.fromEntries(all));
}

/**
 * Encodes a plain object into attributes, in the object's key order.
 * `undefined` values and `false` flags are skipped. Nests get `NLA_F_NESTED`.
 * Throws {@link AttributeEncodeError} for unknown names and bad values.
 */
export function encodeAttributeSet(set: AttributeSet, values: AttributeValues, path: string[] = []): Buffer {
  if (!isPlainObject(values)) throw new AttributeEncodeError(`expected an object of ${set.name} attributes`, path);
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const spec = set.attributes[key];
    const here = [...path, key];
    if (!spec) throw new AttributeEncodeError(`no attribute ${key} in set ${set.name}`, here);
    const items = spec.multi ? value : [value];
    if (!Array.isArray(items)) throw new AttributeEncodeError('repeated attribute needs an array', here);
    for (const item of items) {
      if (spec.kind === 'flag' && item === false) continue;
      parts.push(encodeOne(spec, item, here));
    }
  }
  return Buffer.concat(parts);
}

function encodeOne(spec: AttributeSpec, value: AttributeValue, path: string[]): Buffer {
  if (spec.kind === 'nested') {
    if (!isPlainObject(value)) throw new AttributeEncodeError('expected an object for a nest', path);
    return encodeAttribute(spec.type, encodeAttributeSet(spec.nested!, value, path), true, path);
  }
  if (spec.kind === 'nested-array') {
    if (!Array.isArray(value)) throw new AttributeEncodeError('expected an array for a nested array', path);
    // Entries are nests typed by their 1-based index, like CTRL_ATTR_OPS.
    const entries = value.map((entry, i) => {
      if (!isPlainObject(entry)) throw new AttributeEncodeError('expected an object', [...path, String(i)]);
      return encodeAttribute(i + 1, encodeAttributeSet(spec.nested!, entry, [...path, String(i)]), true, [...path, String(i)]);
    });
    return encodeAttribute(spec.type, Buffer.concat(entries), true, path);
  }
  return encodeAttribute(spec.type, encodeScalar(spec.kind, value, path), false, path);
}

function isPlainObject(v: unknown): v is AttributeValues {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * Decodes attributes into a plain object using `set`. Throws
 * {@link MalformedMessageError} on bad lengths or structure.
 * @param baseOffset - where `buf` sits in the enclosing message, for error offsets
 */
export function decodeAttributeSet(set: AttributeSet, buf: Buffer, baseOffset = 0): AttributeValues {
  const out: AttributeValues = {};
  for (const attr of decodeAttributes(buf, baseOffset)) {
    const entry = set.byType.get(attr.type);
    if (!entry) {
      out[String(attr.type)] = attr.payload;
      continue;
    }
    const [key, spec] = entry;
    const value = decodeOne(spec, attr);
    if (spec.multi) ((out[key] as AttributeValue[] | undefined) ?? (out[key] = [])).push(value);
    else out[key] = value;
  }
  return out;
}

function decodeOne(spec: AttributeSpec, attr: RawAttribute): AttributeValue {
  const payloadOffset = attr.offset + 4;
  if (spec.kind === 'nested') return decodeAttributeSet(spec.nested!, attr.payload, payloadOffset);
  if (spec.kind === 'nested-array')
    return decodeAttributes(attr.payload, payloadOffset).map((e) => decodeAttributeSet(spec.nested!, e.payload, e.offset + 4));
  return decodeScalar(spec.kind, attr.payload, attr.offset);
}

/**
 * Maps a byte offset (e.g. from `NLMSGERR_ATTR_OFFS`) to the names of the
 * attributes containing it: `['LINKINFO', 'KIND']`. Unknown attributes appear
 * as their type number. An element of an indexed array, or one occurrence of
 * a repeated (`multi`) attribute, is followed by its 0-based index, as the
 * decoded array numbers it: `['META', 'TAGS', '2']`. Returns `undefined` if
 * the offset is not inside any attribute or `buf` does not parse.
 * @param buf - the attributes of the original request
 * @param offset - offset to look up, in the same coordinates as `baseOffset`
 * @param baseOffset - offset of `buf` within the original message
 */
export function attributePath(
  set: AttributeSet | undefined,
  buf: Buffer,
  offset: number,
  baseOffset = 0,
): string[] | undefined {
  let attrs: RawAttribute[];
  try {
    attrs = decodeAttributes(buf, baseOffset);
  } catch (e) {
    if (e instanceof MalformedMessageError) return undefined;
    throw e;
  }
  for (const attr of attrs) {
    const end = attr.offset + 4 + attr.payload.length;
    if (offset < attr.offset || offset >= end) continue;
    const entry = set?.byType.get(attr.type);
    const spec = entry?.[1];
    const name = entry ? entry[0] : String(attr.type);
    const here = spec?.multi ? [name, String(attrs.filter((a) => a.type === attr.type && a.offset < attr.offset).length)] : [name];
    if (offset === attr.offset) return here;
    if (spec?.kind === 'nested' || (!spec && attr.nested)) {
      const rest = attributePath(spec?.nested, attr.payload, offset, attr.offset + 4);
      return rest ? [...here, ...rest] : here;
    }
    if (spec?.kind === 'nested-array') {
      const inner = attributePath(undefined, attr.payload, offset, attr.offset + 4);
      if (!inner?.[0]) return [name];
      // Array entries are typed by 1-based index; report a 0-based index like the decoded array.
      const index = String(Number(inner[0]) - 1);
      const entryAttr = decodeAttributes(attr.payload, attr.offset + 4).find((a) => a.offset <= offset && offset < a.offset + 4 + a.payload.length);
      const deeper = entryAttr && offset > entryAttr.offset ? attributePath(spec.nested, entryAttr.payload, offset, entryAttr.offset + 4) : undefined;
      return [name, index, ...(deeper ?? [])];
    }
    return here;
  }
  return undefined;
}
