// The tools a lesson.json may name in "generated": name → a pure function, input text in,
// generated text out. Each must produce exactly what its command-line tool writes, so a file
// a student regenerates by hand and one `lessons sync` makes are the same.

import { generateClientFromYaml } from '../../../client/src/ynl/index.js';
import { LessonFormatError, type GeneratedFile, type GeneratorTool } from './schema.js';

/** `text` is the input file's content, `file` its path (for names and messages). */
export type Generator = (text: string, file: string) => string;

const GENERATORS: Record<GeneratorTool, Generator> = {
  // `npm run ynl-gen -- SPEC OUT` (client/src/ynl/cli.ts).
  'ynl-gen': generateClientFromYaml,
};

/**
 * Runs `g.tool` on `input` (the text of `g.from`); `where` names the copy in messages, e.g.
 * lessons/<id>/starter. A tool's failure is a LessonFormatError naming the input.
 */
export function runGenerator(g: GeneratedFile, input: string, where: string): string {
  try {
    return GENERATORS[g.tool](input, g.from);
  } catch (e) {
    throw new LessonFormatError(`${where}/${g.from}: ${g.tool} cannot make ${g.file} from it: ${(e as Error).message}`);
  }
}
