// A line diff for lesson progressions: which runs of lines one text replaces in another.
// Pure; texts are a few hundred lines, so a longest-common-subsequence table is fast enough.

/** One run of changed lines: `removed` at `oldStart` of the old text became `added` at `newStart`. */
export interface Change {
  /** 0-based index of the first removed line in the old text (where the run sits when none is removed). */
  oldStart: number;
  /** 0-based index of the first added line in the new text (likewise). */
  newStart: number;
  removed: string[];
  added: string[];
}

/** The changes that turn `a` into `b`, in order; equal texts give none. */
export function diffLines(a: readonly string[], b: readonly string[]): Change[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  // lcs[i * (m + 1) + j]: the longest common subsequence of x[i..] and y[j..].
  const [n, m] = [x.length, y.length];
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * (m + 1) + j] = x[i] === y[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
  const changes: Change[] = [];
  let open: Change | undefined;
  const close = (): void => {
    if (open) changes.push(open);
    open = undefined;
  };
  let [i, j] = [0, 0];
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      close();
      i++;
      j++;
      continue;
    }
    open ??= { oldStart: head + i, newStart: head + j, removed: [], added: [] };
    if (j >= m || (i < n && lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!)) open.removed.push(x[i++]!);
    else open.added.push(y[j++]!);
  }
  close();
  return changes;
}

/** A change as one comparable string: what a declared change and an actual one must agree on. */
export function changeKey(c: Pick<Change, 'removed' | 'added'>): string {
  return [...c.removed.map((l) => `-${l}`), ...c.added.map((l) => `+${l}`)].join('\n');
}

/** A unified-diff hunk around a group of nearby changes, `context` lines either side. */
export interface Hunk {
  header: string;
  lines: string[];
  changes: Change[];
}

/** Groups changes whose contexts touch into hunks, as `diff -U context` prints them. */
export function hunks(a: readonly string[], changes: readonly Change[], context = 2): Hunk[] {
  const out: Hunk[] = [];
  let k = 0;
  while (k < changes.length) {
    const group = [changes[k]!];
    while (k + 1 < changes.length && changes[k + 1]!.oldStart - (group.at(-1)!.oldStart + group.at(-1)!.removed.length) <= 2 * context) group.push(changes[++k]!);
    k++;
    const first = group[0]!;
    const last = group.at(-1)!;
    const oldFrom = Math.max(0, first.oldStart - context);
    const oldTo = Math.min(a.length, last.oldStart + last.removed.length + context);
    const newFrom = first.newStart - (first.oldStart - oldFrom);
    const lines: string[] = [];
    let at = oldFrom;
    for (const c of group) {
      for (; at < c.oldStart; at++) lines.push(` ${a[at]}`);
      lines.push(...c.removed.map((l) => `-${l}`), ...c.added.map((l) => `+${l}`));
      at += c.removed.length;
    }
    for (; at < oldTo; at++) lines.push(` ${a[at]}`);
    const oldLen = oldTo - oldFrom;
    const newLen = oldLen + group.reduce((s, c) => s + c.added.length - c.removed.length, 0);
    const range = (from: number, len: number): string => `${len ? from + 1 : from},${len}`;
    out.push({ header: `@@ -${range(oldFrom, oldLen)} +${range(newFrom, newLen)} @@`, lines, changes: group });
  }
  return out;
}

/** The changes a hunk's lines record (context lines separate them), for comparison by changeKey. */
export function hunkChanges(lines: readonly string[]): Pick<Change, 'removed' | 'added'>[] {
  const out: Pick<Change, 'removed' | 'added'>[] = [];
  let open: Pick<Change, 'removed' | 'added'> | undefined;
  for (const l of lines) {
    if (l.startsWith('-') || l.startsWith('+')) {
      open ??= { removed: [], added: [] };
      (l[0] === '-' ? open.removed : open.added).push(l.slice(1));
      continue;
    }
    if (open) out.push(open);
    open = undefined;
  }
  if (open) out.push(open);
  return out;
}
