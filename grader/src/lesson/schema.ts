// lesson.json: a lesson's metadata and checks (documented in lessons/README.md).
// Validation is by hand so that an instructor's typo gets a sentence, not a stack trace.

import { COMMON_CHECKS, COMMON_CHECK_IDS, type CheckText, type CommonOverride } from './common-checks.js';

export type Side = 'kernel' | 'client' | 'both';

/**
 * Review gates a lesson may score, run on the host on the graded module (../gates.ts):
 * checkpatch.pl --strict, sparse, and kernel-doc on the files the check lists.
 */
export const GATE_BUILTINS = ['checkpatch', 'sparse', 'kernel-doc'] as const;
export type GateBuiltin = (typeof GATE_BUILTINS)[number];
/**
 * Builtins that run in the guest, as a job of the grade like a checks.ts function, followed
 * by the health gate: `fuzz` sends the lesson's fuzz datagrams to the loaded module
 * (../fuzz/check.ts).
 */
export const GUEST_BUILTINS = ['fuzz'] as const;
/**
 * `generated`: each of the lesson's `generated` files is what its tool makes from the graded
 * copy's input (the spec passes the tool's schema, and nobody edited the output by hand).
 */
export const BUILTINS = ['kernel-builds', 'client-builds', 'generated', ...GATE_BUILTINS, ...GUEST_BUILTINS] as const;
export type Builtin = (typeof BUILTINS)[number];
export type GuestBuiltin = (typeof GUEST_BUILTINS)[number];

export const isGate = (b: unknown): b is GateBuiltin => (GATE_BUILTINS as readonly unknown[]).includes(b);
export const isGuestBuiltin = (b: unknown): b is GuestBuiltin => (GUEST_BUILTINS as readonly unknown[]).includes(b);
/** A builtin check the grader decides on the host, without a guest job. */
export const runsOnHost = (c: Pick<LessonCheck, 'builtin'>): boolean => c.builtin !== undefined && !isGuestBuiltin(c.builtin);

/** Tools a lesson may name in `generated`; each maps to a function in ./generators.ts. */
export const GENERATOR_TOOLS = ['ynl-gen', 'ynl-gen-c'] as const;
export type GeneratorTool = (typeof GENERATOR_TOOLS)[number];

/** What the kernel's C generator makes (its --mode): the uAPI header, or the kernel's tables. */
export const YNL_GEN_C_MODES = ['uapi', 'kernel'] as const;
export type YnlGenCMode = (typeof YNL_GEN_C_MODES)[number];

/**
 * A file made by a tool from another file of the same copy of the lesson, both given relative
 * to solution/ (and starter/): the solution's is committed as generated from the solution's
 * input, the starter's is regenerated from the starter's input by `lessons sync`.
 */
export interface GeneratedFile {
  /** The output, e.g. client/nlab_kv-ynl.ts. */
  file: string;
  /** The input, e.g. client/nlab_kv.yaml. */
  from: string;
  tool: GeneratorTool;
  /** ynl-gen-c only: its --mode; a .h file is made with --header, a .c with --source. */
  mode?: YnlGenCMode;
}

export interface LessonCheck {
  id: string;
  title: string;
  points: number;
  side: Side;
  /** One short sentence; the grader adds the link to the docs section. */
  hint: string;
  /**
   * The level-2 hint: more specific than `hint`, shown only on request
   * (`npm run grade LESSON -- --hint ID`). Every check with TODOs has one.
   */
  hint2?: string;
  /** TODO numbers this check depends on. */
  todos: number[];
  /** A check the grader implements instead of a function in checks.ts (on the host, or in the guest for GUEST_BUILTINS). */
  builtin?: Builtin;
  /**
   * A `kernel-doc` check's files, relative to the module's folder (kernel/); the last
   * segment may hold `*`, e.g. `uapi/*.h`.
   */
  files?: string[];
  timeoutMs?: number;
  /** Added by the loader (./common-checks.ts), not written in lesson.json. */
  common?: true;
  /** A common check's Chinese texts, unless the lesson overrides them (then its zh-CN.json gives them). */
  zh?: Partial<CheckText>;
}

export interface LessonMeta {
  id: string;
  title: string;
  part: number;
  summary: string;
  /**
   * The lesson whose finished code this one starts from (lessons/<id>/CHANGES.md says what
   * changes); only the first lesson has none.
   */
  base?: string;
  /** Files (paths inside solution/) the lesson takes unchanged from its base's finished code (./inherit.ts). */
  fromBase?: string[];
  /**
   * Files the lesson holds under a new name: new path → the base's path (both inside solution/).
   * Each is compared with the base's old file, and CHANGES.md shows it as a rename with its diff.
   */
  renamed?: Record<string, string>;
  /** The kernel module's name (the .ko built from solution/kernel). */
  module: string;
  netlink: { unit: number } | { family: string };
  /** The client's entry file in client/, when the lesson has a client. */
  client?: string;
  /** The lesson's own checks; the loader puts the common ones (./common-checks.ts) before them. */
  checks: LessonCheck[];
  /** A common check left out (`false`) or with another title, hint or points, by id. */
  common?: Record<string, CommonOverride>;
  /** Files generated from other files of the lesson, in the order they are made. */
  generated?: GeneratedFile[];
  /** What the robustness fuzzer sends (grader/src/fuzz/): valid requests it mutates. */
  fuzz?: LessonFuzz;
  /**
   * checkpatch findings the lesson's modules are allowed, by type, each with the reason.
   * The style gate and the grade's style report leave them out; each must still occur in
   * the solution, so an exception cannot outlive its cause.
   */
  styleExceptions?: StyleException[];
  /** What the lesson's solution serves in `npm run bench`; each role belongs to one lesson. */
  bench?: BenchRole[];
}

/**
 * The lesson-specific inputs of `npm run bench` and the load test: `grade` is the lesson the
 * grade and watch figures time; `netlink-raw`, `netlink-genl` and `netlink-dump` are the
 * solution modules the netlink benchmark drives (a unit answering NLAB_MSG_ECHO, the nlab_kv
 * family's GET, its LIST dump); `load` is the family module the load test hammers.
 */
export const BENCH_ROLES = ['grade', 'netlink-raw', 'netlink-genl', 'netlink-dump', 'load'] as const;
export type BenchRole = (typeof BENCH_ROLES)[number];

/** One checkpatch type a lesson may trigger, and why its code needs it. */
export interface StyleException {
  /** checkpatch's type name, as `--show-types` prints it (e.g. `LINUX_VERSION_CODE`). */
  type: string;
  why: string;
}

/** One attribute of a fuzz seed: exactly one value key, or `nested` attributes. */
export interface FuzzAttribute {
  type: number;
  hex?: string;
  string?: string;
  u8?: number;
  u16?: number;
  u32?: number;
  flag?: true;
  nested?: FuzzAttribute[];
}

/** Netlink header flags a seed may name. */
export const FUZZ_FLAGS = { REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, ECHO: 0x8, ROOT: 0x100, MATCH: 0x200, DUMP: 0x300, EXCL: 0x200, CREATE: 0x400 } as const;
export type FuzzFlag = keyof typeof FUZZ_FLAGS;

/**
 * One valid request: `type` (a unit lesson's nlmsg_type) or `cmd` (a family lesson's
 * genlmsghdr.cmd; nlmsg_type is the family id), then a payload (`text` gets a NUL, `hex`
 * as is) and attributes.
 */
export interface FuzzSeed {
  type?: number;
  cmd?: number;
  version?: number;
  flags?: FuzzFlag[];
  text?: string;
  hex?: string;
  attributes?: FuzzAttribute[];
}

/**
 * Header fields a lesson's module deliberately trusts (an earlier lesson's code, fixed by a
 * later one): `nlmsg_pid` keeps the first message's nlmsg_pid equal to the sender's port.
 */
export const FUZZ_TRUSTS = ['nlmsg_pid'] as const;
export type FuzzTrust = (typeof FUZZ_TRUSTS)[number];

export interface LessonFuzz {
  seeds: FuzzSeed[];
  trusts?: FuzzTrust[];
  /** Datagrams per run (default 10 000). */
  messages?: number;
}

export class LessonFormatError extends Error {
  override name = 'LessonFormatError';
}

const ID = /^[a-z0-9][a-z0-9-]*$/;

function need(cond: unknown, where: string, what: string): asserts cond {
  if (!cond) throw new LessonFormatError(`${where}: ${what}`);
}

/** Checks a parsed lesson.json; `where` names the file in messages. */
export function validateLesson(raw: unknown, where: string): LessonMeta {
  need(raw && typeof raw === 'object', where, 'must be a JSON object');
  const l = raw as Record<string, unknown>;
  for (const key of ['id', 'title', 'summary', 'module'] as const) need(typeof l[key] === 'string' && l[key], where, `"${key}" must be a non-empty string`);
  need(Number.isInteger(l.part), where, '"part" must be an integer');
  need(l.base === undefined || (typeof l.base === 'string' && ID.test(l.base) && l.base !== l.id), where, '"base" must name another lesson by its id');
  const nl = l.netlink as Record<string, unknown> | undefined;
  need(nl && (Number.isInteger(nl.unit) || typeof nl.family === 'string'), where, '"netlink" must be { "unit": N } or { "family": "name" }');
  need(l.client === undefined || typeof l.client === 'string', where, '"client" must be a file name');
  if (l.fromBase !== undefined) {
    need(Array.isArray(l.fromBase) && l.fromBase.every(innerPath) && new Set(l.fromBase).size === l.fromBase.length, where, '"fromBase" must list paths inside solution/, like kernel/Makefile, each once');
    need(l.base !== undefined, where, '"fromBase" needs a "base" to take the files from');
  }
  if (l.renamed !== undefined) {
    const r = l.renamed as Record<string, unknown>;
    need(r && typeof r === 'object' && !Array.isArray(r) && Object.entries(r).every(([now, was]) => innerPath(now) && innerPath(was) && now !== was), where, '"renamed" must map a path inside solution/ to the base\'s old path, like { "kernel/nlab_reply.c": "kernel/nlab_unit.c" }');
    need(new Set(Object.values(r)).size === Object.keys(r).length, where, '"renamed" names one of the base\'s files twice');
    need(l.base !== undefined, where, '"renamed" needs a "base" whose files were renamed');
  }
  if (l.common !== undefined) validateCommon(l.common, where);
  const common = (l.common ?? {}) as Record<string, unknown>;
  const commons = COMMON_CHECKS.filter((c) => common[c.id] !== false && (!c.needsClient || l.client)).length;
  need(Array.isArray(l.checks) && l.checks.length + commons > 0, where, '"checks" must be a non-empty array');
  const ids = new Set<string>();
  for (const [i, c] of (l.checks as Record<string, unknown>[]).entries()) {
    const at = `${where}: checks[${i}]`;
    need(typeof c.id === 'string' && ID.test(c.id), at, '"id" must be lowercase words joined by dashes');
    need(!ids.has(c.id), at, `duplicate check id "${c.id}"`);
    ids.add(c.id);
    // A review gate or the fuzz check brings its own title and hint (common-checks.ts) unless the lesson gives one.
    const gate = isGate(c.builtin) || isGuestBuiltin(c.builtin);
    need((gate && c.title === undefined) || (typeof c.title === 'string' && c.title), at, '"title" is required');
    need(typeof c.points === 'number' && c.points > 0, at, '"points" must be a positive number');
    need(c.side === 'kernel' || c.side === 'client' || c.side === 'both', at, '"side" must be kernel, client or both');
    need((gate && c.hint === undefined) || (typeof c.hint === 'string' && c.hint), at, '"hint" is required');
    need(c.hint2 === undefined || (typeof c.hint2 === 'string' && c.hint2), at, '"hint2" must be a non-empty string');
    need(Array.isArray(c.todos) && c.todos.every(Number.isInteger), at, '"todos" must be an array of TODO numbers');
    need(c.builtin === undefined || (BUILTINS as readonly unknown[]).includes(c.builtin), at, `"builtin" must be one of ${BUILTINS.join(', ')}`);
    need(!gate || c.side === 'kernel', at, `a "${c.builtin as string}" check is on the module: its "side" must be kernel`);
    if (c.builtin === 'kernel-doc') need(Array.isArray(c.files) && c.files.length > 0 && c.files.every(filePattern), at, '"files" must list the files kernel-doc checks, relative to the module\'s folder, "*" in the file name only (e.g. "nlab_kv.h" or "uapi/*.h")');
    else need(c.files === undefined, at, '"files" belongs to a "kernel-doc" check only');
    need(c.builtin !== 'fuzz' || l.fuzz !== undefined, at, 'a "fuzz" check needs the lesson\'s "fuzz" seeds to mutate');
    need(c.builtin !== 'generated' || (Array.isArray(l.generated) && l.generated.length > 0), at, 'a "generated" check needs the lesson\'s "generated" files to compare');
    need(c.timeoutMs === undefined || (typeof c.timeoutMs === 'number' && c.timeoutMs > 0), at, '"timeoutMs" must be positive');
    need(c.side !== 'client' || l.client, at, 'a client-side check needs a lesson with a "client"');
  }
  if (l.generated !== undefined) validateGenerated(l.generated, where);
  if (l.fuzz !== undefined) validateFuzz(l.fuzz, `${where}: fuzz`, 'family' in nl);
  if (l.styleExceptions !== undefined) {
    need(Array.isArray(l.styleExceptions), where, '"styleExceptions" must be an array of { "type", "why" }');
    for (const [i, x] of (l.styleExceptions as Record<string, unknown>[]).entries())
      need(x && typeof x.type === 'string' && /^[A-Z0-9_]+$/.test(x.type) && typeof x.why === 'string' && x.why, `${where}: styleExceptions[${i}]`, 'needs a checkpatch "type" (e.g. LINUX_VERSION_CODE) and a "why"');
  }
  if (l.bench !== undefined) {
    const roles = l.bench as unknown[];
    need(Array.isArray(roles) && roles.every((r) => (BENCH_ROLES as readonly unknown[]).includes(r)) && new Set(roles).size === roles.length, where, `"bench" must be an array of distinct roles: ${BENCH_ROLES.join(', ')}`);
  }
  return l as unknown as LessonMeta;
}

function validateCommon(raw: unknown, where: string): void {
  need(raw && typeof raw === 'object' && !Array.isArray(raw), where, `"common" must be an object keyed by common check id (${COMMON_CHECK_IDS.join(', ')})`);
  for (const [id, o] of Object.entries(raw as Record<string, unknown>)) {
    const at = `${where}: common.${id}`;
    need(COMMON_CHECK_IDS.includes(id), at, `not a common check; they are ${COMMON_CHECK_IDS.join(', ')}`);
    if (o === false) continue;
    need(o && typeof o === 'object' && Object.keys(o).every((k) => ['title', 'hint', 'points'].includes(k)), at, 'must be false (left out) or an object with "title", "hint" or "points"');
    const x = o as Record<string, unknown>;
    need(x.title === undefined || (typeof x.title === 'string' && x.title), at, '"title" must be a non-empty string');
    need(x.hint === undefined || (typeof x.hint === 'string' && x.hint), at, '"hint" must be a non-empty string');
    need(x.points === undefined || (typeof x.points === 'number' && x.points > 0), at, '"points" must be a positive number');
  }
}

/** A path inside a folder whose last segment may hold `*`. */
function filePattern(p: unknown): boolean {
  return innerPath(p) && !(p as string).slice(0, (p as string).lastIndexOf('/') + 1).includes('*');
}

/** A path inside solution/: relative, forward slashes, no empty, "." or ".." segments. */
function innerPath(p: unknown): boolean {
  return typeof p === 'string' && !p.includes('\\') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

function validateGenerated(raw: unknown, where: string): void {
  need(Array.isArray(raw) && raw.length > 0, where, '"generated" must be a non-empty array of { "file", "from", "tool" }');
  const outputs = new Set<string>();
  for (const [i, g] of (raw as Record<string, unknown>[]).entries()) {
    const at = `${where}: generated[${i}]`;
    need(g && typeof g === 'object', at, 'must be an object');
    for (const key of ['file', 'from'] as const)
      need(innerPath(g[key]), at, `"${key}" must be a path relative to solution/, like client/x.ts`);
    need(g.file !== g.from, at, '"file" and "from" must differ');
    need(typeof g.tool === 'string' && (GENERATOR_TOOLS as readonly string[]).includes(g.tool), at, `"tool" must be one of ${GENERATOR_TOOLS.join(', ')}`);
    if (g.tool === 'ynl-gen-c') {
      need(typeof g.mode === 'string' && (YNL_GEN_C_MODES as readonly string[]).includes(g.mode), at, `"mode" must be one of ${YNL_GEN_C_MODES.join(', ')} for ynl-gen-c`);
      need(/\.[ch]$/.test(g.file as string), at, 'ynl-gen-c makes a .h (--header) or a .c (--source): "file" must end in one');
      need(g.mode === 'kernel' || (g.file as string).endsWith('.h'), at, 'ynl-gen-c makes no source in uapi mode: "file" must end in .h');
    } else need(g.mode === undefined, at, `"mode" is for ynl-gen-c only, not ${g.tool as string}`);
    need(!outputs.has(g.file as string), at, `"${g.file as string}" is generated twice`);
    outputs.add(g.file as string);
  }
}

const HEX = /^(?:[0-9a-f]{2})*$/i;
const ATTR_VALUES = ['hex', 'string', 'u8', 'u16', 'u32', 'flag', 'nested'] as const;
const UINT_MAX = { u8: 0xff, u16: 0xffff, u32: 0xffffffff } as const;

function validateFuzzAttribute(raw: unknown, at: string, depth: number): void {
  need(raw && typeof raw === 'object', at, 'must be an object');
  const a = raw as Record<string, unknown>;
  need(Number.isInteger(a.type) && (a.type as number) >= 0 && (a.type as number) <= 0x3fff, at, '"type" must be an attribute type 0…16383');
  const keys = ATTR_VALUES.filter((k) => a[k] !== undefined);
  need(keys.length === 1, at, `needs exactly one of ${ATTR_VALUES.join(', ')}`);
  const k = keys[0]!;
  if (k === 'hex') need(typeof a.hex === 'string' && HEX.test(a.hex), at, '"hex" must be an even number of hex digits');
  else if (k === 'string') need(typeof a.string === 'string', at, '"string" must be a string');
  else if (k === 'flag') need(a.flag === true, at, '"flag" must be true');
  else if (k === 'nested') {
    need(depth < 8 && Array.isArray(a.nested), at, '"nested" must be an array of attributes (at most 8 deep)');
    (a.nested as unknown[]).forEach((n, i) => validateFuzzAttribute(n, `${at}.nested[${i}]`, depth + 1));
  } else need(Number.isInteger(a[k]) && (a[k] as number) >= 0 && (a[k] as number) <= UINT_MAX[k], at, `"${k}" must be an integer 0…${UINT_MAX[k]}`);
}

function validateFuzz(raw: unknown, where: string, family: boolean): void {
  need(raw && typeof raw === 'object', where, 'must be an object');
  const f = raw as Record<string, unknown>;
  need(Array.isArray(f.seeds) && f.seeds.length > 0, where, '"seeds" must be a non-empty array');
  need(f.trusts === undefined || (Array.isArray(f.trusts) && f.trusts.every((x) => (FUZZ_TRUSTS as readonly unknown[]).includes(x))), where, `"trusts" must list fields among ${FUZZ_TRUSTS.join(', ')}`);
  need(f.messages === undefined || (Number.isInteger(f.messages) && (f.messages as number) > 0), where, '"messages" must be a positive integer');
  for (const [i, s] of (f.seeds as Record<string, unknown>[]).entries()) {
    const at = `${where}.seeds[${i}]`;
    need(s && typeof s === 'object', at, 'must be an object');
    if (family) need(Number.isInteger(s.cmd) && (s.cmd as number) >= 0 && (s.cmd as number) <= 0xff && s.type === undefined, at, 'a family lesson\'s seed needs "cmd" (0…255), not "type"');
    else need(Number.isInteger(s.type) && (s.type as number) >= 0 && (s.type as number) <= 0xffff && s.cmd === undefined, at, 'a unit lesson\'s seed needs "type" (0…65535), not "cmd"');
    need(s.version === undefined || (Number.isInteger(s.version) && (s.version as number) >= 0 && (s.version as number) <= 0xff), at, '"version" must be 0…255');
    need(s.flags === undefined || (Array.isArray(s.flags) && s.flags.every((x) => typeof x === 'string' && x in FUZZ_FLAGS)), at, `"flags" must be names among ${Object.keys(FUZZ_FLAGS).join(', ')}`);
    need(s.text === undefined || typeof s.text === 'string', at, '"text" must be a string');
    need(s.hex === undefined || (typeof s.hex === 'string' && HEX.test(s.hex)), at, '"hex" must be an even number of hex digits');
    need(s.text === undefined || s.hex === undefined, at, 'give "text" or "hex", not both');
    need(s.attributes === undefined || Array.isArray(s.attributes), at, '"attributes" must be an array');
    ((s.attributes as unknown[] | undefined) ?? []).forEach((a, j) => validateFuzzAttribute(a, `${at}.attributes[${j}]`, 0));
  }
}
