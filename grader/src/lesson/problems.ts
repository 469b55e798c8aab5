// What `lessons check` reports: one problem per place, as file:line.

export interface Problem {
  /** Path as shown to the instructor (relative to the repository when inside it). */
  file: string;
  /** 1-based. */
  line: number;
  message: string;
  /** A warning is reported but does not fail `lessons check`. */
  warning?: true;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

/** The 1-based line of a character offset in `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
