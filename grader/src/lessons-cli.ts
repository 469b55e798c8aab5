// `npm run lessons -- sync|check` and `npm run lesson -- reset ID`: instructor and student
// tools for starters generated from solutions.

import { join } from 'node:path';
import { LAB_STATE } from '../../kernel/src/paths.js';
import { FAIL, PASS, dim } from '../../kernel/src/term.js';
import { loadAllLessons, loadLesson } from './lesson/load.js';
import { resetStarter, solutionDrift, starterDrift, writeSolutionFiles, writeStarter } from './lesson/starters.js';
import { reportCliError } from './cli-errors.js';

const USAGE = `usage:
  npm run lessons -- sync          regenerate every starter/ from its solution/ (and every
                                   generated file lesson.json declares, from its input)
  npm run lessons -- check         fail if a committed starter/ differs from its solution/,
                                   or a generated file from what its tool makes
  npm run lesson -- reset LESSON   restore LESSON's starter/ (your old copy is kept under .lab/backups)`;

function main(argv: string[]): number {
  const [cmd, arg] = argv;
  if (cmd === 'sync') {
    for (const l of loadAllLessons()) {
      // The solution's generated files, then the starter (whose own come from its own inputs).
      const regenerated = writeSolutionFiles(l);
      const note = regenerated.length ? dim(` (regenerated ${regenerated.join(', ')})`) : '';
      console.log(`${PASS} ${l.id}: ${writeStarter(l)} file(s)${note}`);
    }
    return 0;
  }
  if (cmd === 'check') {
    let bad = 0;
    for (const l of loadAllLessons()) {
      const drift = [...solutionDrift(l), ...starterDrift(l)];
      bad += drift.length;
      console.log(drift.length ? `${FAIL} ${l.id}: not what the solution generates: ${drift.join(', ')}` : `${PASS} ${l.id}`);
    }
    if (bad) console.log(dim('run `npm run lessons -- sync` and commit the result'));
    return bad ? 1 : 0;
  }
  if (cmd === 'reset' && arg) {
    const backup = resetStarter(loadLesson(arg), join(LAB_STATE, 'backups'));
    console.log(`${PASS} ${arg}: starter restored${backup ? dim(` (your previous copy: ${backup})`) : ''}`);
    return 0;
  }
  console.error(USAGE);
  return cmd === undefined || cmd === 'help' ? 0 : 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.exitCode = reportCliError(e);
}
