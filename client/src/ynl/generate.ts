/**
 * The YNL code generator: a genetlink spec in, the TypeScript source of a typed client out.
 * The generated module sits on the client library (`defineAttributeSet`, `genlRequest`,
 * `genlDump`, `subscribe`) and adds, per spec: constants, an attribute set and its value
 * types per attribute set, one function per do or dump, and a notification decoder.
 * Pure: no I/O, same input, same text.
 * @module
 */
import { resolveSpec, type ResolvedAttribute, type ResolvedOperation, type ResolvedSet, type ResolvedSpec } from './spec.js';

export interface GenerateOptions {
  /** The spec's file name, for the header comment. */
  specFile?: string;
  /** The spec's text: embedded as `specSource`, so tools can hand exactly this spec to YNL. */
  specText?: string;
  /** Where the client library is imported from. Default `netlink-lab/client`. */
  libraryImport?: string;
}

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(' '),
);

function words(name: string): string[] {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean);
}

/** `dev-get` → `devGet`; a reserved word gets an `Op` suffix. */
export function camel(name: string): string {
  const w = words(name).map((x, i) => (i === 0 ? x.toLowerCase() : x[0]!.toUpperCase() + x.slice(1).toLowerCase()));
  let id = w.join('') || '_';
  if (/^[0-9]/.test(id)) id = `_${id}`;
  return RESERVED.has(id) ? `${id}Op` : id;
}

/** `dev-get` → `DevGet`. */
export function pascal(name: string): string {
  const c = camel(name).replace(/Op$/, '');
  return c[0]!.toUpperCase() + c.slice(1);
}

/** `key-size` → `KEY_SIZE`. */
function upper(name: string): string {
  const id = words(name).join('_').toUpperCase();
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** A property name, quoted when it is not an identifier. */
function prop(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

/** `.name`, or `["name"]` when it is not an identifier. */
function member(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

function docComment(doc: string | undefined, indent = ''): string[] {
  if (!doc) return [];
  const lines = doc.trim().replace(/\*\//g, '*\\/').split('\n');
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`];
}

/** The TypeScript types of a scalar kind: as decoded, and as accepted for encoding. */
const SCALAR_TS: Record<string, { out: string; in: string }> = Object.fromEntries(
  (
    [
      [['flag'], 'boolean', 'boolean'],
      [['binary'], 'Buffer', 'Buffer'],
      [['string'], 'string', 'string'],
      [['u8', 'u16', 'u32', 's8', 's16', 's32'], 'number', 'number'],
      [['u64', 's64', 'uint', 'sint'], 'bigint', 'number | bigint'],
      [['be16', 'be32'], 'number', 'number'],
      [['bitfield32'], '{ value: number; selector: number }', '{ value: number; selector: number }'],
    ] as const
  ).flatMap(([kinds, out, input]) => kinds.map((k) => [k, { out, in: input }])),
);

const setConst = (s: string): string => `${camel(s).replace(/Op$/, '')}Attributes`;
const valuesType = (s: string): string => `${pascal(s)}Attributes`;
const inputType = (s: string): string => `${pascal(s)}Input`;

function attrType(a: ResolvedAttribute, input: boolean): string {
  let t: string;
  if (a.kind === 'nested') t = input ? inputType(a.nested!) : valuesType(a.nested!);
  else if (a.kind === 'nested-array') t = `${input ? inputType(a.nested!) : valuesType(a.nested!)}[]`;
  else t = input ? SCALAR_TS[a.kind]!.in : SCALAR_TS[a.kind]!.out;
  return a.multi ? `${t.includes('|') ? `(${t})` : t}[]` : t;
}

function pick(base: string, names: string[]): string {
  return names.length ? `Pick<${base}, ${names.map((n) => JSON.stringify(n)).join(' | ')}>` : `Pick<${base}, never>`;
}

interface Fn {
  op: ResolvedOperation;
  how: 'do' | 'dump';
  fn: string;
  type: string;
}

/** One function per do and per dump; a dump is `<op>Dump` only when the op also has a do. */
function functions(spec: ResolvedSpec): Fn[] {
  const out: Fn[] = [];
  for (const op of spec.operations) {
    if (op.do) out.push({ op, how: 'do', fn: camel(op.name), type: pascal(op.name) });
    if (op.dump) {
      const both = Boolean(op.do);
      out.push({ op, how: 'dump', fn: both ? `${camel(op.name)}Dump` : camel(op.name), type: both ? `${pascal(op.name)}Dump` : pascal(op.name) });
    }
  }
  return out;
}

function setSection(s: ResolvedSet): string[] {
  const out: string[] = [];
  out.push(...docComment(s.doc ?? `Attribute set "${s.name}".`));
  out.push(`export const ${setConst(s.name)}: AttributeSet = defineAttributeSet(${JSON.stringify(s.name)}, {`);
  for (const a of s.attributes) {
    const parts = [`type: ${a.type}`, `kind: '${a.kind}'`];
    if (a.nested) parts.push(`nested: ${setConst(a.nested)}`);
    if (a.multi) parts.push('multi: true');
    out.push(`  ${prop(a.name)}: { ${parts.join(', ')} },`);
  }
  out.push('});', '');
  for (const input of [false, true]) {
    out.push(
      input
        ? `/** Values of "${s.name}" as requests take them (64-bit integers as number or bigint). */`
        : `/** Values of "${s.name}" as replies and notifications decode them. */`,
    );
    out.push(`export interface ${input ? inputType(s.name) : valuesType(s.name)} {`);
    for (const a of s.attributes) {
      out.push(...docComment(a.doc, '  '));
      out.push(`  ${prop(a.name)}?: ${attrType(a, input)};`);
    }
    out.push('}', '');
  }
  return out;
}

/** Attribute sets in an order where nested sets come before the sets that use them. */
function orderSets(sets: ResolvedSet[]): ResolvedSet[] {
  const byName = new Map(sets.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: ResolvedSet[] = [];
  const visit = (s: ResolvedSet, stack: string[]): void => {
    if (done.has(s.name)) return;
    if (stack.includes(s.name)) throw new Error(`attribute sets nest each other in a cycle: ${[...stack, s.name].join(' → ')}`);
    for (const a of s.attributes) if (a.nested && a.nested !== s.name) visit(byName.get(a.nested)!, [...stack, s.name]);
    done.add(s.name);
    out.push(s);
  };
  for (const s of sets) visit(s, []);
  return out;
}

/** Generates the TypeScript client for a parsed YNL genetlink spec. Throws `SpecError`. */
export function generateClient(raw: unknown, options: GenerateOptions = {}): string {
  const spec = resolveSpec(raw);
  const lib = options.libraryImport ?? 'netlink-lab/client';
  const fns = functions(spec);
  const notes = spec.operations.filter((o) => o.notification);
  const hasDo = fns.some((f) => f.how === 'do');
  const hasDump = fns.some((f) => f.how === 'dump');
  const o: string[] = [];

  o.push(`// Generated by ynl-gen from ${options.specFile ?? 'a YNL spec'}: do not edit.`);
  o.push('// Change the spec, then run `npm run ynl-gen -- SPEC OUT` again.');
  o.push('');
  const imports = ['defineAttributeSet', 'resolveFamily'];
  if (hasDo) imports.push('genlRequest');
  if (hasDump) imports.push('genlDump');
  if (notes.length) imports.push('decodeGenlHeader', 'decodeGenlMessage');
  if (spec.mcastGroups.length) imports.push('subscribe as subscribeFamily');
  const types = ['type AttributeSet', 'type AttributeValues', 'type GenlFamily', 'type NetlinkSocket', 'type RequestOptions'];
  if (hasDump) types.push('type DumpOptions');
  if (notes.length) types.push('type NetlinkMessage');
  if (spec.mcastGroups.length) types.push('type SubscribeOptions');
  o.push(`import {`, ...[...imports, ...types].map((i) => `  ${i},`), `} from ${JSON.stringify(lib)};`, '');

  o.push(...docComment(spec.doc));
  o.push(`export const FAMILY_NAME = ${JSON.stringify(spec.name)};`, '');
  if (options.specText !== undefined) {
    o.push('/** The spec this file was generated from, verbatim (what YNL tools should be given). */');
    o.push(`export const specSource = ${JSON.stringify(options.specText)};`, '');
  }

  for (const c of spec.consts) {
    o.push(...docComment(c.doc));
    o.push(`export const ${upper(c.name)} = ${JSON.stringify(c.value)};`);
  }
  if (spec.consts.length) o.push('');
  for (const e of spec.enums) {
    o.push(...docComment(e.doc ?? `${e.flags ? 'Flags' : 'Enum'} "${e.name}".`));
    o.push(`export const ${upper(e.name)} = {`);
    for (const x of e.entries) {
      o.push(...docComment(x.doc, '  '));
      o.push(`  ${prop(x.name)}: ${x.value},`);
    }
    o.push('} as const;', '');
  }

  o.push('/** Operations: genlmsghdr.cmd, the same number in both directions. */');
  o.push('export const CMD = {');
  for (const op of spec.operations) o.push(`  ${prop(op.name)}: ${op.value},`);
  o.push('} as const;', '');

  if (spec.mcastGroups.length) {
    o.push('/** Multicast groups, joined by name. */');
    o.push(`export const MCAST_GROUPS = [${spec.mcastGroups.map((g) => JSON.stringify(g)).join(', ')}] as const;`);
    o.push('export type McastGroup = (typeof MCAST_GROUPS)[number];', '');
  }

  for (const s of orderSets(spec.sets)) o.push(...setSection(s));

  o.push('// The library types attributes loosely; the spec makes them precise.');
  o.push('function attrs(values: object): AttributeValues {');
  o.push('  return values as AttributeValues;');
  o.push('}');
  o.push('function typed<T>(values: AttributeValues): T {');
  o.push('  return values as unknown as T;');
  o.push('}', '');

  o.push(`/** Resolves the "${spec.name}" family through nlctrl (ENOENT when it is not registered). */`);
  o.push('export function resolve(sock: NetlinkSocket, options: RequestOptions = {}): Promise<GenlFamily> {');
  o.push('  return resolveFamily(sock, FAMILY_NAME, options);');
  o.push('}', '');

  for (const f of fns) {
    const mode = f.op[f.how]!;
    const set = valuesType(f.op.set);
    const input = inputType(f.op.set);
    const setName = setConst(f.op.set);
    o.push(`/** The request of ${f.how} "${f.op.name}". */`);
    o.push(`export type ${f.type}Request = ${pick(input, mode.request)};`);
    if (mode.reply) {
      o.push(`/** ${f.how === 'do' ? 'The reply' : 'Each message'} of ${f.how} "${f.op.name}". */`);
      o.push(`export type ${f.type}Reply = ${pick(set, mode.reply)};`);
    }
    o.push('');
    o.push(...docComment(f.op.doc ? `${f.op.doc.trim()}\n\n${f.how} "${f.op.name}" (cmd ${f.op.value}).` : `${f.how} "${f.op.name}" (cmd ${f.op.value}).`));
    // The unified enum model: a do's reply carries the op's own command, and genlRequest checks it.
    const replyCmd = f.how === 'do' ? `, replyCmd: CMD${member(f.op.name)}` : '';
    const req = `{ family, cmd: CMD${member(f.op.name)}, set: ${setName}, attributes: attrs(request)${replyCmd} }`;
    if (f.how === 'do') {
      o.push(
        `export async function ${f.fn}(sock: NetlinkSocket, family: GenlFamily, request: ${f.type}Request, options: RequestOptions = {}): Promise<${mode.reply ? `${f.type}Reply` : 'void'}> {`,
      );
      if (mode.reply) {
        o.push(`  const [reply] = await genlRequest(sock, ${req}, options);`);
        o.push(`  if (!reply) throw new Error('${f.op.name}: the kernel answered with an ACK only');`);
        o.push(`  return typed<${f.type}Reply>(reply.attributes);`);
      } else {
        o.push(`  await genlRequest(sock, ${req}, options);`);
      }
    } else {
      const item = mode.reply ? `${f.type}Reply` : 'AttributeValues';
      o.push(
        `export async function* ${f.fn}(sock: NetlinkSocket, family: GenlFamily, request: ${f.type}Request = {}, options: DumpOptions = {}): AsyncGenerator<${item}, void, undefined> {`,
      );
      o.push(`  for await (const m of genlDump(sock, ${req}, options)) yield ${mode.reply ? `typed<${item}>(m.attributes)` : 'm.attributes'};`);
    }
    o.push('}', '');
  }

  if (notes.length) {
    for (const op of notes) {
      o.push(`/** The attributes of notification "${op.name}"${op.notification!.mcgrp ? ` (group "${op.notification!.mcgrp}")` : ''}. */`);
      o.push(`export type ${pascal(op.name)}Notification = ${pick(valuesType(op.set), op.notification!.attributes)};`);
    }
    o.push('');
    o.push('/** A decoded notification, shaped like the entries YNL\'s cli.py prints for --subscribe. */');
    o.push(`export type Notification =${notes.map((op) => `\n  | { name: ${JSON.stringify(op.name)}; msg: ${pascal(op.name)}Notification }`).join('')};`);
    o.push('');
    o.push('/** Decodes a notification of this family; undefined for any other message. */');
    o.push('export function decodeNotification(message: NetlinkMessage, family: GenlFamily | number): Notification | undefined {');
    o.push("  if (message.type !== (typeof family === 'number' ? family : family.id)) return undefined;");
    o.push('  switch (decodeGenlHeader(message.payload).cmd) {');
    for (const op of notes) {
      o.push(`    case ${op.value}:`);
      o.push(`      return { name: ${JSON.stringify(op.name)}, msg: typed<${pascal(op.name)}Notification>(decodeGenlMessage(message, ${setConst(op.set)}).attributes) };`);
    }
    o.push('    default:');
    o.push('      return undefined;');
    o.push('  }');
    o.push('}', '');
  }

  if (spec.mcastGroups.length) {
    o.push('/**');
    o.push(' * Opens a socket of its own for notifications, resolves the family and joins `groups`');
    o.push(' * (default: all of them) by name. Close the socket when done.');
    o.push(' */');
    o.push(
      'export function subscribe(groups: readonly McastGroup[] = MCAST_GROUPS, options: SubscribeOptions = {}): Promise<{ socket: NetlinkSocket; family: GenlFamily }> {',
    );
    o.push('  return subscribeFamily(FAMILY_NAME, groups, options);');
    o.push('}', '');
  }

  o.push('/**');
  o.push(" * JSON the way YNL's cli.py prints it with --output-json: bytes as hex strings, flags as");
  o.push(' * true, big integers as numbers.');
  o.push(' */');
  o.push('export function toJson(value: unknown): string {');
  o.push('  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {');
  o.push('    const raw = this[key];');
  o.push("    if (Buffer.isBuffer(raw)) return raw.toString('hex');");
  o.push("    if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();");
  o.push('    return v;');
  o.push('  });');
  o.push('}');
  return `${o.join('\n')}\n`;
}
