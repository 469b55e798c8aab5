// Parses compiler and modpost output into structured diagnostics.

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  file?: string;
  line?: number;
  column?: number;
  severity: Severity;
  message: string;
}

const GCC = /^(.+?):(\d+):(?:(\d+):)? (fatal error|error|warning|note): (.*)$/;
const MODPOST = /^(ERROR|WARNING): modpost: (.*)$/;

/**
 * Every diagnostic in `log`, in order. `mapPath` turns a build-tree path back into
 * the source path a person edits (builds run in a copy of the source folder).
 */
export function parseDiagnostics(log: string, mapPath: (p: string) => string = (p) => p): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const raw of log.split('\n')) {
    const line = raw.trimEnd();
    const g = GCC.exec(line);
    if (g) {
      const severity = g[4] === 'fatal error' ? 'error' : (g[4] as Severity);
      out.push({ file: mapPath(g[1]!), line: Number(g[2]), ...(g[3] ? { column: Number(g[3]) } : {}), severity, message: g[5]! });
      continue;
    }
    const m = MODPOST.exec(line);
    if (m) out.push({ severity: m[1] === 'ERROR' ? 'error' : 'warning', message: `modpost: ${m[2]}` });
  }
  return out;
}

/** `file:line:col: severity: message`, the form editors turn into links. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}` : ''}${d.column ? `:${d.column}` : ''}: ` : '';
  return `${where}${d.severity}: ${d.message}`;
}
