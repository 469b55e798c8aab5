// What checkpatch.pl, sparse and kernel-doc say about a module's sources, parsed from their
// output. Pure text in, findings out; style.ts runs the tools.

export type StyleTool = 'checkpatch' | 'sparse' | 'kernel-doc';

/** checkpatch's ERROR, WARNING and CHECK (--strict); sparse's and kernel-doc's error and warning. */
export type StyleSeverity = 'error' | 'warning' | 'check';

export interface StyleFinding {
  tool: StyleTool;
  file: string;
  line?: number;
  column?: number;
  severity: StyleSeverity;
  /** checkpatch's type name (e.g. `LINE_SPACING`), for a reader who looks it up. */
  type?: string;
  message: string;
}

/** Turns a path as the tool printed it into the path a person edits. */
export type PathMapper = (printed: string) => string;

const same: PathMapper = (p) => p;

// `--terse --show-types`: "file:line: SEVERITY:TYPE: message".
const CHECKPATCH = /^(.+?):(\d+): (ERROR|WARNING|CHECK):([A-Z0-9_]+): (.*)$/;

/** Findings in the output of `checkpatch.pl --terse --show-types`. */
export function parseCheckpatch(output: string, mapPath: PathMapper = same): StyleFinding[] {
  const out: StyleFinding[] = [];
  for (const raw of output.split('\n')) {
    const m = CHECKPATCH.exec(raw.trimEnd());
    if (!m) continue;
    out.push({ tool: 'checkpatch', file: mapPath(m[1]!), line: Number(m[2]), severity: m[3]!.toLowerCase() as StyleSeverity, type: m[4]!, message: m[5]! });
  }
  return out;
}

// Kbuild echoes "  CHECK   <file>" before running the checker on it, and "  CC [M]  …",
// "  MODPOST …" and the like before every other step.
const KBUILD_CHECK = /^ {2}CHECK +(\S+)$/;
const KBUILD_STEP = /^ {2}[A-Z][A-Z0-9_]*( \[M\])? +\S/;
const SPARSE = /^(.+?):(\d+):(\d+): (warning|error): (.*)$/;
// sparse explains a type mismatch on the lines after it: "file:l:c:    expected …", "…    got …".
const SPARSE_MORE = /^(.+?):(\d+):(\d+): {2,}(\S.*)$/;

/**
 * sparse's findings in a Kbuild log made with `C=1` or `C=2`: only what is printed between a
 * `CHECK` step and the next step, so the compiler's own warnings in the same log are left out.
 */
export function parseSparseLog(log: string, mapPath: PathMapper = same): StyleFinding[] {
  const out: StyleFinding[] = [];
  let inCheck = false;
  for (const raw of log.split('\n')) {
    const line = raw.trimEnd();
    if (KBUILD_CHECK.test(line)) {
      inCheck = true;
      continue;
    }
    if (KBUILD_STEP.test(line) || line.startsWith('make')) {
      inCheck = false;
      continue;
    }
    if (!inCheck) continue;
    const m = SPARSE.exec(line);
    if (m) {
      out.push({ tool: 'sparse', file: mapPath(m[1]!), line: Number(m[2]), column: Number(m[3]), severity: m[4] as StyleSeverity, message: m[5]! });
      continue;
    }
    const more = SPARSE_MORE.exec(line);
    const last = out.at(-1);
    if (more && last) last.message += `; ${more[4]!.replace(/\s+/g, ' ')}`;
  }
  return out;
}

// `kernel-doc -none`: "file:line: warning: message" on stderr, one per line.
const KERNEL_DOC = /^(.+?):(\d+): (warning|error): (.*)$/;

/** Findings in what `kernel-doc -none -Wall` prints. */
export function parseKernelDoc(output: string, mapPath: PathMapper = same): StyleFinding[] {
  return output.split('\n').flatMap((raw): StyleFinding[] => {
    const m = KERNEL_DOC.exec(raw.trimEnd());
    return m ? [{ tool: 'kernel-doc', file: mapPath(m[1]!), line: Number(m[2]), severity: m[3] as StyleSeverity, message: m[4]! }] : [];
  });
}

/** The files a Kbuild log says the checker ran on (its `CHECK` steps), as printed. */
export function sparseCheckedFiles(log: string): string[] {
  return log.split('\n').flatMap((l) => KBUILD_CHECK.exec(l.trimEnd())?.[1] ?? []);
}

const RANK: Record<StyleSeverity, number> = { error: 0, warning: 1, check: 2 };

/** Errors first, then warnings, then checks; within each, by file and line. */
export function sortFindings(findings: readonly StyleFinding[]): StyleFinding[] {
  return [...findings].sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

/** `file:line: tool severity: message [TYPE]`, the form editors turn into links. */
export function formatFinding(f: StyleFinding): string {
  const where = `${f.file}${f.line ? `:${f.line}` : ''}${f.column ? `:${f.column}` : ''}`;
  return `${where}: ${f.tool} ${f.severity}: ${f.message}${f.type ? ` [${f.type}]` : ''}`;
}
