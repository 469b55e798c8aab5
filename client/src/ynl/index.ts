// The YNL code generator's face: what the rest of the lab (the grader's lesson generators, the
// command line) uses. A build tool, not part of the runtime library, so the bundle and
// `netlink-lab/client` leave it out.

import { basename } from 'node:path';
import { parse } from 'yaml';
import { generateClient } from './generate.js';
import { SpecError } from './spec.js';

export { generateClient, type GenerateOptions } from './generate.js';
export { resolveSpec, SpecError, type ResolvedSpec, type YnlSpec } from './spec.js';

/**
 * A spec file's YAML text → the client `npm run ynl-gen -- SPEC OUT` writes for it. `file` names
 * the spec in the header comment; the text is embedded as `specSource`. Throws SpecError or
 * yaml's YAMLParseError (see isSpecInputError).
 */
export function generateClientFromYaml(text: string, file: string): string {
  return generateClient(parse(text), { specFile: basename(file), specText: text });
}

/** True for the errors bad spec input raises (not for bugs in the generator). */
export function isSpecInputError(e: unknown): e is Error {
  return e instanceof SpecError || (e instanceof Error && e.name === 'YAMLParseError');
}
