// `npm run lessons -- sync|check [LESSON]`, `lessons -- new LESSON --from LESSON` and
// `npm run lesson -- reset ID`: instructor and student tools for lessons whose starters are
// generated from solutions. NLAB_LESSONS_DIR and NLAB_DOCS_DIR move the lessons and docs
// folders (tests run these commands on temporary copies).

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { dim, FAIL, parseCommandLine, LAB_STATE, PASS, REPO_ROOT, WARN } from '../../kernel/src/index.js';
import { reportCliError } from './cli-errors.js';
import { REPO_ROOTS, lintLessons, type LintRoots } from './lesson/lint.js';
import { checkLines } from './lesson/lint-todos.js';
import { lessonIds, loadLesson, loadLessonFrom, resolveLessonId } from './lesson/load.js';
import { formatProblem } from './lesson/problems.js';
import { ScaffoldError, scaffoldLesson } from './lesson/scaffold.js';
import { resetStarter, writeSolutionFiles, writeStarter } from './lesson/starters.js';
import { writeChanges } from './lesson/progression.js';
import { recordVariant, variantProblems, writeVariantDraft } from './lesson/variants.js';

const USAGE = `usage:
  npm run lessons -- sync [LESSON]          make every (or LESSON's) starter/, generated file and
                                            CHANGES.md diffs what its solution/ gives (notes are
                                            kept); prints only what changed
  npm run lessons -- check [LESSON]         lint lessons on the host: TODO markers, lesson.json
                                            against the solution, checks.ts and both pages;
                                            starters and generated files up to date; the
                                            solution changes its base exactly as CHANGES.md says;
                                            MUTANTS.md and ALTERNATIVES.md still apply
  npm run lessons -- new LESSON --from L    a new lesson from lesson L's solution (markers
                                            removed), with lesson.json, checks.ts and both pages
  npm run lessons -- variant LESSON NAME     copy LESSON's finished solution (TODO markers removed) to
                                            .lab/variants/LESSON/NAME, to edit into a mutant or an
                                            alternative; then record the edits as diffs with
     … NAME --fails CHECK --says /RE/ [--blames kernel|client] [--why TEXT]   in MUTANTS.md
     … NAME --alternative --why TEXT                                          in ALTERNATIVES.md
  npm run lesson -- reset LESSON            restore LESSON's starter/ (your old copy is kept under .lab/backups)`;

function roots(): LintRoots {
  const lessonsDir = process.env.NLAB_LESSONS_DIR;
  const docsDir = process.env.NLAB_DOCS_DIR;
  if (!lessonsDir && !docsDir) return REPO_ROOTS;
  const l = resolve(lessonsDir ?? REPO_ROOTS.lessonsDir);
  return { lessonsDir: l, docsDir: resolve(docsDir ?? REPO_ROOTS.docsDir), displayRoot: lessonsDir ? dirname(l) : REPO_ROOT };
}

function selected(r: LintRoots, wanted: string | undefined): string[] {
  return wanted ? [resolveLessonId(r.lessonsDir, wanted)] : lessonIds(r.lessonsDir);
}

function sync(wanted: string | undefined): number {
  const r = roots();
  const ids = selected(r, wanted);
  let changed = 0;
  for (const id of ids) {
    const l = loadLessonFrom(r.lessonsDir, id);
    // The solution's generated files first: the starter's own come from the starter's inputs.
    // CHANGES.md needs the base; without it (not a lesson here) `lessons check` says so.
    const base = l.base && lessonIds(r.lessonsDir).includes(l.base) ? loadLessonFrom(r.lessonsDir, l.base) : undefined;
    const files = [...writeSolutionFiles(l), ...writeStarter(l), ...(base ? writeChanges(l, base) : [])];
    changed += files.length;
    if (files.length) console.log(`${PASS} ${id}: ${files.join(', ')}`);
  }
  const what = ids.length === 1 ? ids[0]! : `${ids.length} lessons`;
  console.log(changed ? dim(`${changed} file(s) rewritten in ${what}`) : `${PASS} ${what}: nothing to change`);
  return 0;
}

function check(wanted: string | undefined): number {
  const started = performance.now();
  const r = roots();
  const results = lintLessons(r, selected(r, wanted));
  const all = results.flatMap((l) => l.problems);
  for (const p of all) console.log(`${p.warning ? WARN : FAIL} ${formatProblem(p)}${p.warning ? dim(' (warning)') : ''}`);
  const problems = all.filter((p) => !p.warning);
  const took = dim(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const what = results.length === 1 ? results[0]!.id : `${results.length} lessons`;
  if (!problems.length) {
    const warnings = all.length ? ` (${all.length} warning${all.length === 1 ? '' : 's'})` : '';
    console.log(`${PASS} ${what}: no problems${warnings} ${took}`);
    return 0;
  }
  const bad = results.filter((l) => l.problems.some((p) => !p.warning)).map((l) => l.id);
  console.log(`${FAIL} ${problems.length} problem(s) in ${bad.join(', ')} ${took}`);
  if (problems.some((p) => /lessons -- sync/.test(p.message))) console.log(dim('generated files: run `npm run lessons -- sync` and commit the result'));
  return 1;
}

function scaffold(args: string[]): number {
  const { values, positionals } = parseCommandLine(args, { from: { type: 'string' } });
  const [id] = positionals;
  if (!id || !values.from || positionals.length > 1) throw new ScaffoldError('usage: npm run lessons -- new lesson-N --from lesson-M');
  const r = roots();
  const written = scaffoldLesson({ id, from: values.from, lessonsDir: r.lessonsDir, docsDir: r.docsDir });
  console.log(`${PASS} ${id}: ${written.length} files from ${resolveLessonId(r.lessonsDir, values.from)}`);
  console.log(dim(`next: its checks (lesson.json, checks.ts), TODO markers in solution/, both pages; then npm run lessons -- sync ${id} && npm run lessons -- check ${id}`));
  return 0;
}

function variant(args: string[]): number {
  const { values, positionals } = parseCommandLine(args, {
    fails: { type: 'string' },
    says: { type: 'string' },
    blames: { type: 'string' },
    why: { type: 'string', default: '' },
    alternative: { type: 'boolean', default: false },
  });
  const [wanted, name] = positionals;
  if (!wanted || !name || positionals.length > 2) throw new ScaffoldError('usage: npm run lessons -- variant LESSON NAME [--fails CHECK --says /RE/ | --alternative --why TEXT]');
  const r = roots();
  const lesson = loadLessonFrom(r.lessonsDir, resolveLessonId(r.lessonsDir, wanted));
  // Beside the lessons folder: the repository's .lab, or a copy's own in the tests.
  const draft = join(dirname(r.lessonsDir), '.lab', 'variants', lesson.id, name);
  if (!values.fails && !values.alternative) {
    const n = writeVariantDraft(lesson, name, draft);
    console.log(`${PASS} ${lesson.id}: ${n} files of the finished solution in ${draft}`);
    console.log(dim(`next: edit them, then the same command with --fails CHECK --says /RE/ (a mutant) or --alternative --why TEXT`));
    return 0;
  }
  if (values.fails && values.alternative) throw new ScaffoldError('a variant is a mutant (--fails) or an alternative (--alternative), not both');
  if (values.fails && !values.says) throw new ScaffoldError('a mutant says what its check\'s message matches: --says /RE/');
  if (values.blames !== undefined && values.blames !== 'kernel' && values.blames !== 'client') throw new ScaffoldError(`--blames is kernel or client, not "${values.blames}"`);
  const fails = values.fails ? { check: values.fails, says: values.says!, ...(values.blames ? { blames: values.blames as 'kernel' | 'client' } : {}) } : undefined;
  const written = recordVariant(lesson, { name, why: values.why, ...(fails ? { fails } : {}) }, draft);
  const shown = (p: string): string => (p.startsWith(`${r.displayRoot}/`) ? p.slice(r.displayRoot.length + 1) : p);
  console.log(`${PASS} ${lesson.id}: ${name} recorded in ${shown(written)}`);
  const json = join(lesson.dir, 'lesson.json');
  const lines = checkLines(readFileSync(json, 'utf8'));
  const problems = variantProblems(loadLessonFrom(r.lessonsDir, lesson.id), shown, { path: shown(json), checkLine: (id) => lines.get(id)?.line ?? 1 });
  for (const p of problems) console.log(`${FAIL} ${formatProblem(p)}`);
  const test = fails ? 'mutants-families' : 'alternatives';
  console.log(dim(`grade it in the lab VM: npx vitest run grader/test/${test}.test.ts -t "${fails ? `${lesson.id} ` : ''}${name}"`));
  return problems.length ? 1 : 0;
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if ((cmd === 'sync' || cmd === 'check') && rest.length <= 1) return cmd === 'sync' ? sync(rest[0]) : check(rest[0]);
  if (cmd === 'new') return scaffold(rest);
  if (cmd === 'variant') return variant(rest);
  if (cmd === 'reset' && rest.length === 1) {
    const backup = resetStarter(loadLesson(rest[0]!), join(LAB_STATE, 'backups'));
    console.log(`${PASS} ${rest[0]}: starter restored${backup ? dim(` (your previous copy: ${backup})`) : ''}`);
    return 0;
  }
  console.error(USAGE);
  return cmd === undefined || cmd === 'help' ? 0 : 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof ScaffoldError)) process.exitCode = reportCliError(e);
  else {
    console.error(`${FAIL} ${e.message}`);
    process.exitCode = 2;
  }
}
