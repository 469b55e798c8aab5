import { dirname } from 'node:path';

// Errors the lab raises on purpose. Each carries a sentence for a person and a fix,
// so command-line front ends print them without a stack trace.

/** A problem with the lab's setup or its input, with how to fix it. */
export class LabError extends Error {
  override name = 'LabError';
  constructor(
    message: string,
    /** What to do about it, one line. */
    readonly fix?: string,
  ) {
    super(message);
  }
}

/** A full disk as a LabError that names the folder; undefined for any other error. */
export function diskFullError(e: unknown, folder: string): LabError | undefined {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return undefined;
  return new LabError(`no space left for the run folder ${folder}`, `free disk space; old run folders under ${dirname(folder)} can be deleted`);
}
