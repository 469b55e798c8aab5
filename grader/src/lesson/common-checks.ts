// The checks every lesson has unless it says otherwise: the module builds, the client
// type-checks (lessons with a client), the module loads. The loader puts them first, in this
// order, so a lesson.json lists only its own checks; `"common"` in lesson.json opts out of one
// (`false`) or overrides its title, hint or points. Their Chinese texts live here too, once.

import type { LessonCheck, LessonMeta } from './schema.js';

/** A common check's Chinese title and hint. */
export interface CheckText {
  title: string;
  hint: string;
}

export interface CommonCheck extends Omit<LessonCheck, 'todos' | 'common' | 'zh'> {
  'zh-CN': CheckText;
  /** Only for lessons with a client. */
  needsClient?: true;
  /** The hint for a generic netlink family lesson, where init registers a family instead of a socket. */
  family?: { hint: string; 'zh-CN': string };
}

export const COMMON_CHECKS: readonly CommonCheck[] = [
  {
    id: 'builds',
    title: 'The module builds without warnings',
    points: 1,
    side: 'kernel',
    hint: "Read the compiler's first error or warning; W=1 is on, so unused variables and missing prototypes count.",
    builtin: 'kernel-builds',
    'zh-CN': { title: '模块编译无警告', hint: '看编译器给出的第一个错误或警告；已开启 W=1，未使用的变量和缺少的函数原型都算。' },
  },
  {
    id: 'client-builds',
    title: 'The client type-checks',
    points: 1,
    side: 'client',
    hint: 'Read the first TypeScript error: file, line and what it expected.',
    builtin: 'client-builds',
    needsClient: true,
    'zh-CN': { title: '客户端通过类型检查', hint: '看第一个 TypeScript 错误：文件、行号，以及它期望的是什么。' },
  },
  {
    id: 'loads',
    title: 'insmod loads the module',
    points: 1,
    side: 'kernel',
    hint: 'Your init function must return 0 when the socket was created.',
    'zh-CN': { title: 'insmod 能加载模块', hint: '套接字创建成功时，init 函数必须返回 0。' },
    family: {
      hint: 'genl_register_family() must return 0; -EEXIST means another module already registered "nlab_kv".',
      'zh-CN': 'genl_register_family() 必须返回 0；-EEXIST 表示另一个模块已经注册了 "nlab_kv"。',
    },
  },
];

/**
 * A review gate's or the fuzz check's title and hint (schema.ts GATE_BUILTINS, GUEST_BUILTINS),
 * for a lesson.json check that names the builtin and leaves them out.
 */
export interface GateText {
  title: string;
  hint: string;
  'zh-CN': CheckText;
}

export const GATE_TEXTS: Readonly<Record<string, GateText>> = {
  checkpatch: {
    title: 'checkpatch.pl --strict has nothing to say about the module',
    hint: "Fix each finding at the file and line it names; the [TYPE] after it is the name to look up in the kernel's Documentation/dev-tools/checkpatch.rst.",
    'zh-CN': {
      title: 'checkpatch.pl --strict 对模块没有任何意见',
      hint: '按每条结果给出的文件和行号修改；后面的 [TYPE] 是它的类型名，可在内核的 Documentation/dev-tools/checkpatch.rst 中查到。',
    },
  },
  sparse: {
    title: 'sparse finds no problem in the module',
    hint: 'Read the first sparse warning at its file and line: a restricted type such as __be16 wants its conversion (htons(), cpu_to_be16()), a symbol used in one file wants static.',
    'zh-CN': {
      title: 'sparse 在模块中找不到问题',
      hint: '看第一条 sparse 警告及其文件和行号：__be16 这类受限类型需要相应的转换（htons()、cpu_to_be16()），只在一个文件里用的符号应当是 static。',
    },
  },
  fuzz: {
    title: 'The module survives the fuzzer: the kernel stays healthy, nothing leaks, and the module still answers',
    hint: "Mutated requests reached a path the other checks never take: the report names the window of datagrams, what the kernel logged, and a command that sends the same datagrams again. Look at the error paths the mutations point to (a missing attribute, an empty or oversized value, a nest without a field): each must undo what it did before it returns.",
    'zh-CN': {
      title: '模块经受住模糊测试：内核保持健康，没有泄漏，模块仍然应答',
      hint: '变异后的请求走到了其他检查从未走过的路径：报告给出出问题的数据报范围、内核日志的内容，以及重新发送同样数据报的命令。看这些变异指向的错误路径（缺少属性、值为空或过长、嵌套里缺少字段）：每条错误路径在返回前都必须撤销它之前做过的事。',
    },
  },
  'kernel-doc': {
    title: 'kernel-doc finds every documented member and parameter',
    hint: 'Each /** comment must name, with @name:, exactly the members or parameters its declaration has, and a function its return value (Return:). Read the warning at its file and line.',
    'zh-CN': {
      title: 'kernel-doc 确认每个成员和参数都有文档',
      hint: '每个 /** 注释都要用 @name: 逐一写出它所描述的声明确实拥有的成员或参数，不多不少；函数还要写返回值（Return:）。看警告给出的文件和行号。',
    },
  },
};

export const COMMON_CHECK_IDS: readonly string[] = COMMON_CHECKS.map((c) => c.id);

/** What a lesson.json's "common" says about one common check: leave it out, or change these fields. */
export type CommonOverride = false | Partial<Pick<LessonCheck, 'title' | 'hint' | 'points'>>;

/**
 * The lesson's checks with the common ones first, in their order, as the grader, the report and
 * the site see them. A common check the lesson lists itself in "checks" is not added again.
 */
export function withCommonChecks(meta: LessonMeta): LessonCheck[] {
  const own = new Set(meta.checks.map((c) => c.id));
  const added = COMMON_CHECKS.flatMap((c): LessonCheck[] => {
    const override = meta.common?.[c.id];
    if (override === false || own.has(c.id) || (c.needsClient && !meta.client)) return [];
    const family = 'family' in meta.netlink && c.family;
    const zh: CheckText = { title: c['zh-CN'].title, hint: family ? c.family!['zh-CN'] : c['zh-CN'].hint };
    const check: LessonCheck = {
      id: c.id,
      title: override?.title ?? c.title,
      points: override?.points ?? c.points,
      side: c.side,
      hint: override?.hint ?? (family ? c.family!.hint : c.hint),
      todos: [],
      ...(c.builtin ? { builtin: c.builtin } : {}),
      common: true,
    };
    // An overridden English text needs the lesson's own translation (its zh-CN.json).
    const keep = { title: override?.title === undefined, hint: override?.hint === undefined };
    if (keep.title && keep.hint) check.zh = zh;
    else if (keep.title || keep.hint) check.zh = { ...(keep.title ? { title: zh.title } : {}), ...(keep.hint ? { hint: zh.hint } : {}) };
    return [check];
  });
  return [...added, ...meta.checks.map(withGateText)];
}

/** A review gate with the title and hint it left out filled in, and their Chinese. */
function withGateText(c: LessonCheck): LessonCheck {
  const text = c.builtin ? GATE_TEXTS[c.builtin] : undefined;
  if (!text || (c.title && c.hint)) return c;
  const zh = { ...(c.title ? {} : { title: text['zh-CN'].title }), ...(c.hint ? {} : { hint: text['zh-CN'].hint }) };
  return { ...c, title: c.title || text.title, hint: c.hint || text.hint, zh };
}
