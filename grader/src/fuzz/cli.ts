// `node dist/grader/src/fuzz/cli.js [LESSON…|all] [--starter] [--kernel K] [--seed N] [--messages N] [--json]`:
// fuzzes lesson modules in a guest and prints one line per lesson (or JSON); exit 1 on any fault.

import { findKernel, numberOption, parseCommandLine } from '../../../kernel/src/index.js';
import { reportCliError } from '../cli-errors.js';
import { loadAllLessons, loadLesson } from '../lesson/load.js';
import { describeReport } from './describe.js';
import { fuzzModules } from './host.js';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
      starter: { type: 'boolean', default: false },
      kernel: { type: 'string' },
      seed: { type: 'string' },
      messages: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
  const lessons = positionals.length === 0 || positionals[0] === 'all' ? loadAllLessons().filter((l) => l.fuzz) : positionals.map(loadLesson);
  const target = values.starter ? 'starter' : 'solution';
  const reports = await fuzzModules(
    lessons.map((lesson) => ({ lesson, target })),
    findKernel(values.kernel),
    {
      ...(values.seed ? { seed: numberOption('seed', values.seed, { zero: true, whole: true }) } : {}),
      ...(values.messages ? { messages: numberOption('messages', values.messages, { whole: true }) } : {}),
      onReport: (r) => void (!values.json && console.log(describeReport(r).join('\n'))),
    },
  );
  if (values.json) console.log(JSON.stringify(reports, null, 2));
  return reports.every((r) => r.outcome === 'clean') ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => void (process.exitCode = code),
  (e: unknown) => void (process.exitCode = reportCliError(e)),
);
