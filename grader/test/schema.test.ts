import { describe, expect, it } from 'vitest';
import { validateLesson } from '../src/lesson/schema.js';

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

describe('validateLesson', () => {
  it('accepts a well-formed lesson', () => {
    expect(validateLesson(good, 'x').checks[0]!.id).toBe('a-b');
  });

  it.each([
    [{ ...good, netlink: {} }, /"netlink" must be/],
    [{ ...good, checks: [] }, /"checks" must be a non-empty array/],
    [{ ...good, checks: [{ ...good.checks[0], side: 'user' }] }, /checks\[0\]: "side"/],
    [{ ...good, checks: [good.checks[0], good.checks[0]] }, /duplicate check id "a-b"/],
    [{ ...good, checks: [{ ...good.checks[0], id: 'Bad Id' }] }, /"id" must be lowercase/],
    [{ ...good, client: undefined, checks: [{ ...good.checks[0], side: 'client' }] }, /needs a lesson with a "client"/],
  ])('explains what is wrong (%#)', (raw, message) => {
    expect(() => validateLesson(raw, 'lessons/x/lesson.json')).toThrow(message);
  });
});
