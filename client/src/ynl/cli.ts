// `npm run ynl-gen -- SPEC OUT`: generates a typed TypeScript client from a YNL genetlink spec.
// The only I/O around the pure generator (index.ts, generate.ts).

import { readFileSync, writeFileSync } from 'node:fs';
import { generateClientFromYaml, isSpecInputError } from './index.js';

function main(argv: string[]): number {
  const [specPath, outPath, ...rest] = argv;
  if (!specPath || !outPath || rest.length) {
    console.error('usage: npm run ynl-gen -- SPEC.yaml OUT.ts');
    return 2;
  }
  const text = readFileSync(specPath, 'utf8');
  let source: string;
  try {
    source = generateClientFromYaml(text, specPath);
  } catch (e) {
    if (!isSpecInputError(e)) throw e;
    console.error(`${specPath}: ${e.message}`);
    return 1;
  }
  writeFileSync(outPath, source);
  console.error(`wrote ${outPath}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
