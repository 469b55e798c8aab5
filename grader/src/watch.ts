// --watch: re-grade whenever a file of the lesson is saved, or when Enter is pressed
// (for file systems where change events never arrive).

import { watch } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dim } from '../../kernel/src/index.js';
import type { Lesson, Target } from './lesson/load.js';

const DEBOUNCE_MS = 200;

export async function watchLesson(lesson: Lesson, target: Target, grade: (l: Lesson) => Promise<unknown>): Promise<void> {
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) return void (again = true);
    running = true;
    try {
      await grade(lesson);
    } catch (e) {
      console.error(e instanceof Error ? e.message : e);
    }
    running = false;
    process.stderr.write(dim(`watching ${join(lesson.dir, target)}: save a file or press Enter to grade again; Ctrl-C quits\n`));
    if (again) {
      again = false;
      await run();
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), DEBOUNCE_MS);
  };
  watch(join(lesson.dir, target), { recursive: true }, soon);
  // Enter is one deliberate request, not a burst of save events: no debounce.
  createInterface({ input: process.stdin }).on('line', () => {
    clearTimeout(timer);
    void run();
  });
  await run();
  await new Promise<never>(() => {});
}
