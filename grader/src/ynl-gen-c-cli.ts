// `npm run ynl-gen-c -- --mode uapi|kernel SPEC OUT`: the kernel's tools/net/ynl/ynl-gen-c.py
// on a spec outside a kernel tree (lesson/ynl-gen-c.ts): OUT.h gets the header, OUT.c the source.

import { readFileSync, writeFileSync } from 'node:fs';
import { YNL_GEN_C_MODES, type YnlGenCMode } from './lesson/schema.js';
import { YnlGenCError, ynlGenC } from './lesson/ynl-gen-c.js';

const USAGE = `usage: npm run ynl-gen-c -- --mode ${YNL_GEN_C_MODES.join('|')} SPEC.yaml OUT.h|OUT.c`;

function main(argv: string[]): number {
  const [flag, mode, specPath, outPath, ...rest] = argv;
  if (flag !== '--mode' || !(YNL_GEN_C_MODES as readonly string[]).includes(mode ?? '') || !specPath || !outPath || rest.length || !/\.[ch]$/.test(outPath)) {
    console.error(USAGE);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(specPath, 'utf8');
  } catch (e) {
    console.error(`${specPath}: ${(e as Error).message}`);
    return 1;
  }
  try {
    writeFileSync(outPath, ynlGenC(text, specPath, mode as YnlGenCMode, outPath));
  } catch (e) {
    if (!(e instanceof YnlGenCError)) throw e;
    console.error(`${specPath}: ${e.message}`);
    return 1;
  }
  console.error(`wrote ${outPath}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
