import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateClient } from '../../client/src/ynl/index.js';
import { withCommonChecks } from '../src/lesson/common-checks.js';
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
const kdoc = { id: 'kdoc', points: 1, side: 'kernel', todos: [], builtin: 'kernel-doc', files: ['nlab_kv.h'] };

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
    [{ ...good, checks: [{ ...good.checks[0], builtin: 'lint' }] }, /"builtin" must be one of kernel-builds, client-builds, generated, checkpatch, sparse, kernel-doc/],
    [{ ...good, checks: [{ ...good.checks[0], builtin: 'generated' }] }, /a "generated" check needs the lesson's "generated" files to compare/],
    [{ ...good, checks: [{ ...kdoc, builtin: 'fuzz', files: undefined }] }, /a "fuzz" check needs the lesson's "fuzz" seeds to mutate/],
    [{ ...good, checks: [{ ...kdoc, builtin: 'fuzz', files: undefined, side: 'client' }] }, /a "fuzz" check is on the module: its "side" must be kernel/],
    [{ ...good, checks: [{ ...kdoc, files: undefined }] }, /checks\[0\]: "files" must list the files kernel-doc checks/],
    [{ ...good, checks: [{ ...kdoc, files: [] }] }, /"files" must list/],
    [{ ...good, checks: [{ ...kdoc, files: ['*/x.h'] }] }, /"\*" in the file name only/],
    [{ ...good, checks: [{ ...kdoc, files: ['../x.h'] }] }, /"files" must list/],
    [{ ...good, checks: [{ ...kdoc, builtin: 'sparse' }] }, /"files" belongs to a "kernel-doc" check only/],
    [{ ...good, checks: [{ ...kdoc, side: 'both' }] }, /a "kernel-doc" check is on the module: its "side" must be kernel/],
    [{ ...good, checks: [{ ...good.checks[0], title: undefined }] }, /checks\[0\]: "title" is required/],
    [{ ...good, checks: [{ ...kdoc, hint: '' }] }, /checks\[0\]: "hint" is required/],
    [{ ...good, styleExceptions: {} }, /"styleExceptions" must be an array/],
    [{ ...good, styleExceptions: [{ type: 'LINUX_VERSION_CODE' }] }, /styleExceptions\[0\]: needs a checkpatch "type"/],
    [{ ...good, styleExceptions: [{ type: 'not a type', why: 'w' }] }, /styleExceptions\[0\]: needs a checkpatch "type"/],
  ])('explains what is wrong (%#)', (raw, message) => {
    expect(() => validateLesson(raw, 'lessons/x/lesson.json')).toThrow(message);
  });

  it('gives a review gate without a title or hint the grader\'s own, in both languages', () => {
    const checks = withCommonChecks(validateLesson({ ...good, checks: [kdoc, { ...kdoc, id: 'cp', builtin: 'checkpatch', files: undefined, title: 'Mine' }] }, 'x'));
    const [doc, cp] = checks.slice(-2);
    expect(doc).toMatchObject({ title: expect.stringContaining('kernel-doc'), hint: expect.stringContaining('@name'), files: ['nlab_kv.h'] });
    expect(doc!.zh).toEqual({ title: expect.stringContaining('kernel-doc'), hint: expect.stringMatching(/[\u4e00-\u9fff]/) });
    // A title of the lesson's own needs its own Chinese (zh-CN.json); the hint is still the grader's.
    expect(cp).toMatchObject({ title: 'Mine', hint: expect.stringContaining('checkpatch') });
    expect(cp!.zh).toEqual({ hint: expect.stringContaining('checkpatch') });
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
