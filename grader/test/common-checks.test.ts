// The common checks the loader adds (builds, client-builds, loads): first, in order, with the
// points and ids classroom grades were made with; a lesson leaves one out or overrides its texts.
import { describe, expect, it } from 'vitest';
import { withCommonChecks } from '../src/lesson/common-checks.js';
import { checkHints } from '../src/lesson/hints.js';
import { loadAllLessons, loadLesson } from '../src/lesson/load.js';
import type { LessonMeta } from '../src/lesson/schema.js';

const own = { id: 'own', title: 'Own', points: 2, side: 'kernel', hint: 'h', todos: [1] } as const;
const meta = (m: Partial<LessonMeta>): LessonMeta => ({ id: 'lesson-9', title: 'T', part: 1, summary: 'S', module: 'm', netlink: { unit: 31 }, checks: [{ ...own, todos: [1] }], ...m });

describe('withCommonChecks', () => {
  it('puts builds, client-builds (with a client) and loads first, one point each', () => {
    const checks = withCommonChecks(meta({ client: 'main.ts' }));
    expect(checks.map((c) => `${c.id}:${c.points}:${c.side}:${c.builtin ?? ''}`)).toEqual(['builds:1:kernel:kernel-builds', 'client-builds:1:client:client-builds', 'loads:1:kernel:', 'own:2:kernel:']);
    expect(withCommonChecks(meta({})).map((c) => c.id)).toEqual(['builds', 'loads', 'own']);
    expect(checks.filter((c) => c.common).every((c) => c.zh?.title && c.zh.hint && c.todos.length === 0)).toBe(true);
  });

  it('gives a family lesson the family hint for loads, in both languages', () => {
    const [unit, family] = [meta({}), meta({ netlink: { family: 'f' } })].map((m) => withCommonChecks(m).find((c) => c.id === 'loads')!);
    expect(unit.hint).toMatch(/socket/);
    expect(family.hint).toMatch(/genl_register_family/);
    expect(family.zh!.hint).toMatch(/genl_register_family/);
  });

  it('leaves out a check the lesson opts out of, and drops the Chinese of an overridden text', () => {
    const checks = withCommonChecks(meta({ client: 'main.ts', common: { 'client-builds': false, loads: { hint: 'Return 0.' } } }));
    expect(checks.map((c) => c.id)).toEqual(['builds', 'loads', 'own']);
    const loads = checks.find((c) => c.id === 'loads')!;
    expect(loads.hint).toBe('Return 0.');
    expect(loads.zh).toEqual({ title: 'insmod 能加载模块' });
  });

  it('keeps every lesson\'s reported check list: common checks first, lesson 11 without client-builds', () => {
    const lessons = loadAllLessons();
    for (const l of lessons) expect(l.checks.slice(0, l.client && l.id !== 'lesson-11' ? 3 : 2).map((c) => c.id), l.id).toEqual(['builds', ...(l.client && l.id !== 'lesson-11' ? ['client-builds'] : []), 'loads']);
    expect(lessons.find((l) => l.id === 'lesson-11')!.checks.some((c) => c.id === 'client-builds')).toBe(false);
  });

  it('gives grade --hint the common checks\' Chinese, and a lesson\'s own where it overrides one', () => {
    expect(checkHints(loadLesson('lesson-3'), 'loads', 'zh-CN')).toMatchObject({ title: 'insmod 能加载模块', hint: '套接字创建成功时，init 函数必须返回 0。' });
    expect(checkHints(loadLesson('lesson-1'), 'loads', 'zh-CN').hint).toBe('init 函数成功时必须返回 0。');
    expect(checkHints(loadLesson('lesson-12'), 'client-builds', 'zh-CN').title).toBe('客户端及生成的编解码器通过类型检查');
  });
});
