// `npm run grade LESSON --hint CHECK` | `npm run grade [LESSON|all] [--solution] [--kernel K] [--json] [--junit FILE] [--watch] [--verbose] [--only CHECK] [--no-style] [--pcap] [--student DIR]`

import { writeFileSync } from 'node:fs';
import { bold, describeKernel, parseCommandLine, dim, FAIL, findKernel, HOST_CONSENT_FLAG, LabError, ms, PASS, requireHostBackend, WARN } from '../../kernel/src/index.js';
import { reportCliError } from './cli-errors.js';
import { gradeLesson, type GradeOptions, type Progress } from './grade.js';
import { checkHints, checksWithMoreHelp } from './lesson/hints.js';
import { loadAllLessons, loadLesson, type Lesson } from './lesson/load.js';
import { describeEntry, readProgress, recordProgress } from './progress.js';
import { findDocsSite } from './report/docs-site.js';
import { docsLocale, hintUrl } from './report/hint-link.js';
import { formatReport } from './report/human.js';
import { toJunit } from './report/junit.js';
import type { GradeReport } from './report/types.js';
import { takeStudentStarter } from './student-copy.js';
import { watchLesson } from './watch.js';

const USAGE = `usage: npm run grade [LESSON|all] [-- --solution] [--kernel 6.1|6.12|host|PATH] [--backend vm|host] [--json] [--junit FILE] [--watch] [--verbose] [--only CHECK] [--no-style] [--pcap] [--student DIR] [--warm|--no-warm]
  npm run grade              list the lessons and your last result
  npm run grade lesson-N     grade your code in lessons/lesson-N/starter
  npm run grade lesson-N -- --hint CHECK
                             print a failed check's hint and its more specific second hint (no grading)
  npm run grade all          grade every lesson
  --warm / --no-warm         keep the guest booted for the next grade of the same module (default in a
                             terminal; ends after 10 idle minutes; npm run lab -- down stops it)
  --pcap                     capture each check's netlink traffic in the guest (one pcap per run)
  --student DIR              grade the lessons/<id>/starter of a student's checkout at DIR with this
                             repository's checks and grader (classrooms: see grader/classroom)`;

function listLessons(): number {
  const progress = readProgress();
  let part = -1;
  for (const l of loadAllLessons()) {
    if (l.part !== part) console.log(bold(`Part ${(part = l.part)}`));
    const { done, text } = describeEntry(progress[l.id]);
    const mark = done === undefined ? dim('·') : done ? PASS : FAIL;
    console.log(`  ${mark} ${l.id.padEnd(10)} ${l.title.padEnd(40)} ${done === undefined ? dim(text) : text}`);
  }
  console.log(dim('\ngrade one with: npm run grade lesson-N'));
  return 0;
}

/**
 * Whether a single grade uses the shared warm guest: --warm or --no-warm, else NETLINK_LAB_WARM
 * (1 or 0), else yes for a person at a terminal and no for scripts and CI, which should leave
 * no process behind them.
 */
function wantsSharedGuest(on: boolean | undefined, off: boolean | undefined): boolean {
  if (on && off) throw new LabError('--warm and --no-warm contradict each other', 'give one of them');
  if (on || off) return Boolean(on);
  const env = process.env.NETLINK_LAB_WARM;
  if (env === '1' || env === '0') return env === '1';
  return Boolean(process.stdout.isTTY && process.stderr.isTTY) && !process.env.CI;
}

/** `--hint CHECK`: the check's two levels of help, then where the solution is folded; no grading. */
async function printHints(wanted: string | undefined, id: string): Promise<number> {
  if (!wanted || wanted === 'all') throw new LabError('--hint needs one lesson', 'name it: npm run grade lesson-N -- --hint CHECK');
  const lesson = loadLesson(wanted);
  const locale = docsLocale();
  const h = checkHints(lesson, id, locale);
  const zh = locale === 'zh-CN';
  const page = hintUrl(`docs/lessons/${lesson.id}.md#check-${id}`, await findDocsSite(), locale);
  console.log(bold(`${lesson.id} · ${id}: ${h.title}`));
  console.log(`  ${zh ? '提示 1' : 'hint 1'}: ${h.hint}`);
  if (h.hint2) console.log(`  ${zh ? '提示 2' : 'hint 2'}: ${h.hint2}`);
  else console.log(dim(`  ${zh ? '这项检查没有第二级提示：它不依赖任何 TODO。' : 'no second hint: this check depends on no TODO.'}`));
  const todos = h.check.todos.length ? `TODO ${h.check.todos.join(', ')}` : '';
  if (todos) console.log(dim(`  ${zh ? `还是卡住了？页面上 ${todos} 下折叠着参考答案：` : `still stuck: the page folds the solution under ${todos}: `}${page}`));
  else console.log(dim(`  ${page}`));
  return 0;
}

function progressPrinter(enabled: boolean): (p: Progress) => void {
  if (!enabled) return () => {};
  return (p) => {
    if (p.phase === 'build') process.stderr.write(dim(`  built ${p.what}${p.cached ? ' (cached)' : ` in ${ms(p.ms)}`}\n`));
    else if (p.phase === 'boot') process.stderr.write(dim(p.attempt > 1 ? `  rebooting a fresh guest (boot ${p.attempt})…\n` : p.shared ? '  using the warm lab VM, or booting one…\n' : '  booting the lab VM…\n'));
    else if (p.phase === 'warning') process.stderr.write(`${WARN} ${p.message}\n`);
    else if (p.phase === 'check-start') process.stderr.write(dim(`  ▸ ${p.job.check} (${p.job.pairing.kernel} module, ${p.job.pairing.client} client)\n`));
  };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
      solution: { type: 'boolean', default: false },
      kernel: { type: 'string' },
      backend: { type: 'string', default: 'vm' },
      json: { type: 'boolean', default: false },
      junit: { type: 'string' },
      watch: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-style': { type: 'boolean', default: false },
      pcap: { type: 'boolean', default: false },
      student: { type: 'string' },
      warm: { type: 'boolean' },
      'no-warm': { type: 'boolean' },
      help: { type: 'boolean', default: false },
      hint: { type: 'string' },
      [HOST_CONSENT_FLAG.slice(2)]: { type: 'boolean', default: false },
    });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const wanted = positionals[0];
  if (values.hint !== undefined) return printHints(wanted, values.hint);
  if (!wanted) return listLessons();
  const onHost = values.backend === 'host';
  if (!onHost && values.backend !== 'vm') throw new LabError(`unknown backend "${values.backend}"`, 'use --backend vm (default) or --backend host');
  // The host backend loads student code into this machine's kernel: consent first, then a kernel that can take modules.
  if (onHost) requireHostBackend(values[HOST_CONSENT_FLAG.slice(2)] === true);
  let lessons: Lesson[] = wanted === 'all' ? loadAllLessons() : [loadLesson(wanted)];
  if (values.student !== undefined) {
    if (values.solution || values.watch) throw new LabError('--student grades a student\'s starter once', 'leave out --solution and --watch');
    lessons = lessons.map((l) => {
      const { lesson, skipped } = takeStudentStarter(l, values.student!);
      for (const s of skipped) process.stderr.write(`${dim(`${l.id}: not graded: ${s}`)}\n`);
      return lesson;
    });
  }
  if (values.only && lessons.length === 1 && !lessons[0]!.checks.some((c) => c.id === values.only)) {
    console.error(`${FAIL} ${lessons[0]!.id} has no check "${values.only}"; its checks are: ${lessons[0]!.checks.map((c) => c.id).join(', ')}`);
    return 2;
  }
  const kernel = findKernel(onHost ? 'host' : values.kernel);
  const target = values.solution ? 'solution' : 'starter';
  const human = !values.json;
  // --watch keeps one guest between grades while it stays healthy; `grade all` keeps one
  // between lessons (the grader retires it after any health event, panic or hang).
  const shared = lessons.length === 1 && !values.watch && !onHost && wantsSharedGuest(values.warm, values['no-warm']);
  const warm: GradeOptions['warm'] = values.watch || lessons.length > 1 || shared ? {} : undefined;
  const grade = async (lesson: Lesson): Promise<GradeReport> => {
    if (human) process.stderr.write(`${bold(`grading ${lesson.id}`)} ${dim(`(${lesson.starterDir ? `the starter of ${values.student}` : target}) on ${describeKernel(kernel)}`)}\n`);
    const report = await gradeLesson({
      lesson,
      target,
      kernel,
      ...(values.only ? { only: values.only } : {}),
      style: !values['no-style'],
      pcap: values.pcap,
      onProgress: progressPrinter(human),
      ...(warm ? { warm } : {}),
      ...(shared ? { sharedGuest: true } : {}),
      ...(onHost ? { host: { consent: true } } : {}),
      ...(values.verbose ? { onGuestLine: (l: string) => process.stderr.write(dim(`  guest: ${l}\n`)) } : {}),
    });
    recordProgress(report, lesson.checks.map((c) => c.id));
    if (human) {
      // Probe for the local site only when a hint will be shown.
      const site = report.checks.some((c) => c.status === 'fail') ? await findDocsSite() : undefined;
      const locale = docsLocale();
      console.log(`${formatReport(report, values.verbose, site ? (l) => hintUrl(l, site, locale) : undefined, checksWithMoreHelp(lesson))}\n`);
    }
    return report;
  };

  if (values.watch) {
    if (lessons.length !== 1) throw new Error('--watch grades one lesson at a time');
    await watchLesson(lessons[0]!, target, grade);
    return 0;
  }
  const reports: GradeReport[] = [];
  for (const l of lessons) reports.push(await grade(l));
  await (shared ? warm?.session?.release() : warm?.session?.stop());
  if (values.json) console.log(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
  if (values.junit) writeFileSync(values.junit, toJunit(reports));
  if (human && reports.length > 1) {
    const score = reports.reduce((s, r) => s + r.score, 0);
    const total = reports.reduce((s, r) => s + r.total, 0);
    console.log(bold(`All lessons: Score: ${score}/${total}`));
  }
  return reports.every((r) => r.score === r.total) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => void (process.exitCode = code),
  (e: unknown) => void (process.exitCode = reportCliError(e)),
);
