// Expected failures become one clear message and exit code 2; only real bugs show a stack.

import { dim, FAIL, LabError } from '../../kernel/src/index.js';
import { UnknownCheck } from './lesson/hints.js';
import { LessonNotFound } from './lesson/load.js';
import { LessonFormatError } from './lesson/schema.js';
import { MarkerError } from './lesson/todo-markers.js';

export function reportCliError(e: unknown): number {
  if (e instanceof LabError) {
    console.error(`${FAIL} ${e.message}${e.fix ? `\n  ${dim('fix:')} ${e.fix}` : ''}`);
    return 2;
  }
  if (e instanceof LessonNotFound || e instanceof UnknownCheck || e instanceof LessonFormatError || e instanceof MarkerError) {
    console.error(`${FAIL} ${e.message}`);
    return 2;
  }
  if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${FAIL} ${e.message}`);
    return 2;
  }
  throw e;
}
