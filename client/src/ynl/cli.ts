// `npm run ynl-gen -- SPEC OUT`: generates a typed TypeScript client from a YNL genetlink spec.
// The only I/O around the pure generator in generate.ts.

import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { generateClient } from './generate.js';
import { SpecError } from './spec.js';

function main(argv: string[]): number {
  const [specPath, outPath, ...rest] = argv;
  if (!specPath || !outPath || rest.length) {
    console.error('usage: npm run ynl-gen -- SPEC.yaml OUT.ts');
    return 2;
  }
  const text = readFileSync(specPath, 'utf8');
  let source: string;
  try {
    source = generateClient(parse(text), { specFile: basename(specPath), specText: text });
  } catch (e) {
    if (!(e instanceof SpecError) && !(e instanceof Error && e.name === 'YAMLParseError')) throw e;
    console.error(`${specPath}: ${e.message}`);
    return 1;
  }
  writeFileSync(outPath, source);
  console.error(`wrote ${outPath}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
