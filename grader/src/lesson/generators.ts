// The tools a lesson.json may name in "generated": name → a function, input text in,
// generated text out. Each must produce exactly what its command-line tool writes, so a file
// a student regenerates by hand and one `lessons sync` makes are the same.

import { generateClientFromYaml } from '../../../client/src/ynl/index.js';
import { LessonFormatError, type GeneratedFile, type GeneratorTool } from './schema.js';
import { ynlGenC, ynlGenCAsync } from './ynl-gen-c.js';

/** `text` is the input file's content; `g` says what to make of it (names, mode). */
export type Generator = (text: string, g: GeneratedFile) => string;

const GENERATORS: Record<GeneratorTool, Generator> = {
  // `npm run ynl-gen -- SPEC OUT` (client/src/ynl/cli.ts).
  'ynl-gen': (text, g) => generateClientFromYaml(text, g.from),
  // `npm run ynl-gen-c -- --mode MODE SPEC OUT` (grader/src/ynl-gen-c-cli.ts): the kernel's
  // tools/net/ynl/ynl-gen-c.py, a .h with --header and a .c with --source. The schema checks
  // that a ynl-gen-c entry has a mode.
  'ynl-gen-c': (text, g) => ynlGenC(text, g.from, g.mode!, g.file),
};

/**
 * Runs `g.tool` on `input` (the text of `g.from`); `where` names the copy in messages, e.g.
 * lessons/<id>/starter. A tool's failure is a LessonFormatError naming the input.
 */
export function runGenerator(g: GeneratedFile, input: string, where: string): string {
  try {
    return GENERATORS[g.tool](input, g);
  } catch (e) {
    throw new LessonFormatError(`${where}/${g.from}: ${g.tool} cannot make ${g.file} from it: ${(e as Error).message}`);
  }
}

/** {@link runGenerator}'s tool, without blocking the event loop where the tool is a program; its own error when it fails. */
export async function runGeneratorAsync(g: GeneratedFile, input: string): Promise<string> {
  return g.tool === 'ynl-gen-c' ? ynlGenCAsync(input, g.from, g.mode!, g.file) : GENERATORS[g.tool](input, g);
}
