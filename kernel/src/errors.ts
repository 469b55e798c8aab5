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
