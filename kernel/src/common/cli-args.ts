// The command lines of every lab CLI: node's parseArgs with the lab's defaults, and numbers
// read so that `--messages ten` is a clear message instead of a NaN that runs anyway.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LabError } from './errors.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The parseArgs config every lab CLI uses, for the options it declares. */
export interface CommandLineConfig<O extends OptionsConfig> {
  args: string[];
  allowPositionals: true;
  strict: true;
  options: O;
}

/** Positionals allowed, unknown flags refused (the CLIs print the refusal and exit 2). */
export function parseCommandLine<O extends OptionsConfig>(argv: string[], options: O): ReturnType<typeof parseArgs<CommandLineConfig<O>>> {
  return parseArgs<CommandLineConfig<O>>({ args: argv, allowPositionals: true, strict: true, options });
}

/** `value` as a number above zero (or zero when `zero`), or a LabError naming the flag. */
export function numberOption(flag: string, value: string, how: { zero?: boolean; whole?: boolean } = {}): number {
  const n = Number(value);
  const fits = value.trim() !== '' && Number.isFinite(n) && (how.zero ? n >= 0 : n > 0) && (!how.whole || Number.isInteger(n));
  if (!fits) throw new LabError(`--${flag} takes ${how.whole ? 'a whole number' : 'a number'}${how.zero ? '' : ' above 0'}, not "${value}"`);
  return n;
}
