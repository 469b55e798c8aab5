// TODO markers: how a starter is derived from a solution (see lessons/README.md).
// Pure text in, text out, so the grader, `lessons sync` and the docs site share it.

export type MarkerLanguage = 'c' | 'ts' | 'yaml';

/** One TODO block of a solution file. */
export interface TodoBlock {
  /** The TODO's number, unique within a lesson. */
  n: number;
  /** The instruction, without comment syntax, lines joined by spaces. */
  text: string;
  /** The TODO comment lines exactly as written (kept in the starter). */
  comment: string[];
  /** The solution's lines that the starter leaves out. */
  solution: string[];
  /** The lines the starter gets instead (`STARTER:` payloads, indentation kept). */
  starter: string[];
  /** 1-based line of the TODO comment in the solution file. */
  line: number;
}

/** A solution file cut into plain text and TODO blocks, in order. */
export type Segment = { kind: 'text'; lines: string[] } | { kind: 'todo'; block: TodoBlock };

export class MarkerError extends Error {
  override name = 'MarkerError';
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

const SYNTAX = {
  c: {
    todo: /^(\s*)\/\*\s*TODO (\d+):\s*(.*?)\s*(\*\/)?\s*$/,
    cont: /^\s*\*(?!\/)\s?(.*?)\s*(\*\/)?\s*$/,
    starter: /^(\s*)\/\*\s*STARTER:\s?(.*?)\s*\*\/\s*$/,
    end: /^\s*\/\*\s*END TODO\s*\*\/\s*$/,
  },
  ts: {
    todo: /^(\s*)\/\/\s*TODO (\d+):\s*(.*)$/,
    cont: /^\s*\/\/\s?(?!\s*(END TODO|STARTER:|TODO \d+:))(.*)$/,
    starter: /^(\s*)\/\/\s*STARTER:\s?(.*)$/,
    end: /^\s*\/\/\s*END TODO\s*$/,
  },
  // YAML has only line comments: the TypeScript rules with # for //.
  yaml: {
    todo: /^(\s*)#\s*TODO (\d+):\s*(.*)$/,
    cont: /^\s*#\s?(?!\s*(END TODO|STARTER:|TODO \d+:))(.*)$/,
    starter: /^(\s*)#\s*STARTER:\s?(.*)$/,
    end: /^\s*#\s*END TODO\s*$/,
  },
} as const;

const C_TODO_SECOND_LINE = /^\s*\*\s*TODO (\d+):\s*(.*?)\s*(\*\/)?\s*$/;

/** The marker language of a file, by its name, or undefined for files without markers. */
export function markerLanguage(file: string): MarkerLanguage | undefined {
  if (/\.(c|h)$/.test(file)) return 'c';
  if (/\.(ts|mts)$/.test(file)) return 'ts';
  if (/\.(yaml|yml)$/.test(file)) return 'yaml';
  return undefined;
}

/** Cuts a solution file into segments; throws MarkerError on unbalanced markers. */
export function parseMarkers(source: string, lang: MarkerLanguage, file = '<input>'): Segment[] {
  const syn = SYNTAX[lang];
  const lines = source.split('\n');
  const segments: Segment[] = [];
  let text: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // Kernel style may open a long comment with a bare "/*" and put "* TODO n:" below it.
    const opener = lang === 'c' && /^\s*\/\*\s*$/.test(line) ? C_TODO_SECOND_LINE.exec(lines[i + 1] ?? '') : null;
    const head = opener ? ([line, /^(\s*)/.exec(line)![1], opener[1], opener[2], opener[3]] as const) : syn.todo.exec(line);
    if (!head) {
      if (syn.end.test(line) || syn.starter.test(line)) throw new MarkerError(file, i + 1, 'marker outside a TODO block');
      text.push(line);
      continue;
    }
    if (text.length) segments.push({ kind: 'text', lines: text });
    text = [];
    const block: TodoBlock = { n: Number(head[2]), text: head[3]!, comment: [line], solution: [], starter: [], line: i + 1 };
    if (opener) block.comment.push(lines[++i]!);
    // The comment may go on: C until its closing */, TypeScript (YAML) while // (#) lines follow.
    let open = lang === 'c' && !head[4];
    while (i + 1 < lines.length) {
      const next = lines[i + 1]!;
      if (lang === 'c' && !open) break;
      if (lang === 'c' && /^\s*\*\/\s*$/.test(next)) {
        block.comment.push(next);
        i++;
        break;
      }
      const cont = syn.cont.exec(next);
      if (!cont) break;
      const words = (lang === 'c' ? cont[1] : cont[2]) ?? '';
      if (lang === 'c' && cont[2]) open = false;
      block.comment.push(next);
      if (words) block.text += ` ${words}`;
      i++;
    }
    for (i++; ; i++) {
      if (i >= lines.length) throw new MarkerError(file, block.line, `TODO ${block.n} has no END TODO`);
      const body = lines[i]!;
      if (syn.end.test(body)) break;
      if (syn.todo.test(body)) throw new MarkerError(file, i + 1, `TODO inside TODO ${block.n}`);
      const stub = syn.starter.exec(body);
      if (stub) block.starter.push(`${stub[1]}${stub[2]}`);
      else block.solution.push(body);
    }
    segments.push({ kind: 'todo', block });
  }
  if (text.length) segments.push({ kind: 'text', lines: text });
  return segments;
}

/** The starter version of a solution file: TODO comments and stubs, no solution lines. */
export function toStarter(source: string, lang: MarkerLanguage, file?: string): string {
  return parseMarkers(source, lang, file)
    .flatMap((s) => (s.kind === 'text' ? s.lines : [...s.block.comment, ...s.block.starter]))
    .join('\n');
}

/** The solution as a reader should see it: the code, with no markers and no stubs. */
export function toSolutionView(source: string, lang: MarkerLanguage, file?: string): string {
  return parseMarkers(source, lang, file)
    .flatMap((s) => (s.kind === 'text' ? s.lines : s.block.solution))
    .join('\n');
}

/** Every TODO block in a solution file. */
export function todoBlocks(source: string, lang: MarkerLanguage, file?: string): TodoBlock[] {
  return parseMarkers(source, lang, file).flatMap((s) => (s.kind === 'todo' ? [s.block] : []));
}
