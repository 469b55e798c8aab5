import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateClient } from '../../client/src/ynl/index.js';
import { LessonFormatError, validateLesson } from '../src/lesson/schema.js';
import { runGenerator } from '../src/lesson/generators.js';

const good = {
  id: 'lesson-9',
  title: 'T',
  part: 1,
  summary: 'S',
  module: 'm',
  netlink: { unit: 31 },
  client: 'main.ts',
  checks: [{ id: 'a-b', title: 't', points: 1, side: 'both', hint: 'h', todos: [1] }],
};

const gen = { file: 'client/x-ynl.ts', from: 'client/x.yaml', tool: 'ynl-gen' };

describe('validateLesson', () => {
  it('accepts a well-formed lesson', () => {
    expect(validateLesson(good, 'x').checks[0]!.id).toBe('a-b');
  });

  it.each([
    [{ ...good, netlink: {} }, /"netlink" must be/],
    [{ ...good, checks: [], common: { builds: false, 'client-builds': false, loads: false } }, /"checks" must be a non-empty array/],
    [{ ...good, common: { nope: false } }, /common\.nope: not a common check; they are builds, client-builds, loads/],
    [{ ...good, common: { loads: { hint: '' } } }, /common\.loads: "hint" must be a non-empty string/],
    [{ ...good, common: { loads: { todos: [1] } } }, /common\.loads: must be false \(left out\) or an object/],
    [{ ...good, base: 'lesson-9' }, /"base" must name another lesson/],
    [{ ...good, checks: [{ ...good.checks[0], side: 'user' }] }, /checks\[0\]: "side"/],
    [{ ...good, checks: [good.checks[0], good.checks[0]] }, /duplicate check id "a-b"/],
    [{ ...good, checks: [{ ...good.checks[0], id: 'Bad Id' }] }, /"id" must be lowercase/],
    [{ ...good, client: undefined, checks: [{ ...good.checks[0], side: 'client' }] }, /needs a lesson with a "client"/],
    [{ ...good, generated: [] }, /"generated" must be a non-empty array/],
    [{ ...good, generated: [{ ...gen, tool: 'protoc' }] }, /generated\[0\]: "tool" must be one of ynl-gen/],
    [{ ...good, generated: [{ ...gen, file: undefined }] }, /generated\[0\]: "file" must be a path relative to solution\//],
    [{ ...good, generated: [{ ...gen, from: '../elsewhere.yaml' }] }, /"from" must be a path relative/],
    [{ ...good, generated: [{ ...gen, file: '/abs/x.ts' }] }, /"file" must be a path relative/],
    [{ ...good, generated: [{ ...gen, file: gen.from }] }, /"file" and "from" must differ/],
    [{ ...good, generated: [gen, gen] }, /generated\[1\]: "client\/x-ynl\.ts" is generated twice/],
    [{ ...good, generated: [{ ...gen, tool: 'ynl-gen-c', file: 'kernel/x.h' }] }, /"mode" must be one of uapi, kernel for ynl-gen-c/],
    [{ ...good, generated: [{ ...gen, tool: 'ynl-gen-c', mode: 'uapi', file: 'kernel/x.c' }] }, /no source in uapi mode/],
    [{ ...good, generated: [{ ...gen, tool: 'ynl-gen-c', mode: 'kernel' }] }, /must end in one/],
    [{ ...good, generated: [{ ...gen, mode: 'kernel' }] }, /"mode" is for ynl-gen-c only/],
    [{ ...good, styleExceptions: {} }, /"styleExceptions" must be an array/],
    [{ ...good, styleExceptions: [{ type: 'LINUX_VERSION_CODE' }] }, /styleExceptions\[0\]: needs a checkpatch "type"/],
    [{ ...good, styleExceptions: [{ type: 'not a type', why: 'w' }] }, /styleExceptions\[0\]: needs a checkpatch "type"/],
  ])('explains what is wrong (%#)', (raw, message) => {
    expect(() => validateLesson(raw, 'lessons/x/lesson.json')).toThrow(message);
  });

  it('accepts style exceptions with their reason', () => {
    const x = [{ type: 'LINUX_VERSION_CODE', why: 'two kernels' }];
    expect(validateLesson({ ...good, styleExceptions: x }, 'x').styleExceptions).toEqual(x);
  });

  it('accepts generated files', () => {
    expect(validateLesson({ ...good, generated: [gen] }, 'x').generated).toEqual([gen]);
  });

  it('runs a generator as its command would, and names the input when it fails', () => {
    const spec = 'name: x\nprotocol: genetlink\ndoc: X.\nattribute-sets: []\noperations:\n  list: []\n';
    const g = { file: 'client/x-ynl.ts', from: 'client/x.yaml', tool: 'ynl-gen' } as const;
    expect(runGenerator(g, spec, 'lessons/x/solution')).toBe(generateClient(parse(spec), { specFile: 'x.yaml', specText: spec }));
    expect(() => runGenerator(g, 'name: [', 'lessons/x/solution')).toThrow(LessonFormatError);
    expect(() => runGenerator(g, 'name: [', 'lessons/x/solution')).toThrow(/^lessons\/x\/solution\/client\/x\.yaml: ynl-gen cannot make client\/x-ynl\.ts/);
  });
});
