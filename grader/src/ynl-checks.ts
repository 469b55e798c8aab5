// What the checks of a spec-driven lesson (12, 13) share: the kernel's YNL tools (cli.py and
// the genetlink schema, from `.lab/ynl/`, which `npm run setup` extracts from Debian's
// linux-source-6.12), the spec the client under test was generated from, how to wait for
// a subscriber to join a group, and comparing what YNL and the client print. Programs start through the Check API (t.start, t.startClient).
// Exported through `netlink-lab/grader`; everything runs in the guest.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { NETLINK } from 'netlink-lab/client';
import type { CheckContext, RunningProgram } from './check-api.js';
import { CheckFailed, ensure, moduleLog } from './check-basics.js';

/** cli.py under TCG: python3 with yaml and jsonschema takes 6–25 s in the lab (cold caches, a busy host). */
export const YNL_TIMEOUT_MS = 90000;

/** Where the kernel's YNL tools are. */
export interface YnlTools {
  dir: string;
  cli: string;
  schema: string;
}

/**
 * `$LAB_YNL_DIR`, or the first `ynl/` with `tools/net/ynl/cli.py` above `from` (a checks.ts's
 * `import.meta.url`: its compiled copy sits under `.lab/`, beside `.lab/ynl`).
 */
export function findYnl(from: string): YnlTools {
  const candidates = process.env.LAB_YNL_DIR ? [process.env.LAB_YNL_DIR] : [];
  for (let d = dirname(fileURLToPath(from)); dirname(d) !== d; d = dirname(d)) candidates.push(join(d, 'ynl'));
  const dir = candidates.find((c) => existsSync(join(c, 'tools/net/ynl/cli.py')));
  ensure(dir, "the kernel's YNL tools are not there (.lab/ynl/tools/net/ynl/cli.py): run npm run setup, which extracts them from linux-source-6.12");
  return { dir, cli: join(dir, 'tools/net/ynl/cli.py'), schema: join(dir, 'Documentation/netlink/genetlink.yaml') };
}

/**
 * The schema a spec declares with its `protocol` (genetlink when it names none), as YNL's own
 * loader would pick it: Documentation/netlink/<protocol>.yaml.
 */
export function schemaFor(y: YnlTools, spec: string): string {
  const protocol = /^protocol:\s*([\w-]+)/m.exec(readFileSync(spec, 'utf8'))?.[1] ?? 'genetlink';
  return join(dirname(y.schema), `${protocol}.yaml`);
}

/** How a program run by {@link runProgram} ended. */
export interface ProgramRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/**
 * Runs `argv` to its end (or the timeout) through the Check API, so its output is capped, it
 * ends with the check, and a plain `python3 SCRIPT` starts from a waiting spare; `onStart`
 * gets its pid (cli.py's socket port), e.g. to watch it join a group.
 */
export async function runProgram(t: CheckContext, argv: readonly string[], timeoutMs: number, onStart?: (pid: number) => void): Promise<ProgramRun> {
  const p = t.start(argv, { timeoutMs });
  if (p.pid !== undefined) onStart?.(p.pid);
  const r = await p.done;
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, ms: r.durationMs, timedOut: r.timedOut };
}

/** Evidence lines for a program run: how it ended, and the tails of its output. */
export function programNotes(what: string, r: ProgramRun): string[] {
  const tail = (s: string): string => s.trim().split('\n').slice(-8).join('\n') || '(none)';
  return [
    `${what}: ${r.timedOut ? 'timed out' : `exit ${r.code}`} after ${(r.ms / 1000).toFixed(1)} s`,
    `  stdout: ${tail(r.stdout)}`,
    `  stderr: ${tail(r.stderr)}`,
  ];
}

/**
 * The spec the client under test was generated from (the `specSource` of `generated`, the
 * compiled module next to its main.js), written to a file YNL can read.
 */
export async function clientSpec(t: CheckContext, generated: string): Promise<{ path: string; text: string }> {
  const c = t.client;
  if (!c) throw new Error('this lesson has no client');
  const source = generated.replace(/\.js$/, '.ts');
  const gen = join(dirname(c.path), generated);
  ensure(existsSync(gen), `the client has no ${source} next to main.ts`, { expected: 'the module generated from the spec by npm run ynl-gen' });
  const m = (await import(pathToFileURL(gen).href)) as { specSource?: unknown };
  ensure(typeof m.specSource === 'string', `${source} exports no specSource: was it made by npm run ynl-gen?`);
  const path = join(mkdtempSync(join(tmpdir(), 'nlab-spec-')), 'spec.yaml');
  writeFileSync(path, m.specSource);
  return { path, text: m.specSource };
}

/**
 * cli.py with `spec` and the kernel's schema, JSON output: what it printed, one JSON value per
 * line (one per operation; with --subscribe, the notifications come last).
 * The check fails when it does not exit 0 or print JSON. `from` is the calling checks.ts's
 * `import.meta.url` (see {@link findYnl}).
 */
async function ynlJsonLines(t: CheckContext, from: string, spec: string, args: string[], onStart?: (pid: number) => void): Promise<{ values: unknown[]; notes: string[] }> {
  const y = findYnl(from);
  const argv = [y.cli, '--spec', spec, '--schema', schemaFor(y, spec), '--output-json', ...args];
  const r = await runProgram(t, ['python3', ...argv], YNL_TIMEOUT_MS, onStart);
  const notes = [`python3 cli.py ${argv.slice(5).join(' ')}`, ...programNotes("YNL's cli.py", r)];
  t.note(`YNL's cli.py ${args.filter((a) => a.startsWith('--') && a !== '--json' && a !== '--sleep').join(' ')} took ${(r.ms / 1000).toFixed(1)} s`);
  ensure(!r.timedOut && r.code === 0, "the kernel's YNL client failed with this spec", { notes: [...notes, ...(await moduleLog(t))] });
  try {
    return { values: r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown), notes };
  } catch {
    throw new CheckFailed("YNL's cli.py did not print JSON", { notes });
  }
}

/** {@link ynlJsonLines} for one operation: the one JSON value cli.py printed. */
export async function ynlJson(t: CheckContext, from: string, spec: string, args: string[], onStart?: (pid: number) => void): Promise<{ value: unknown; notes: string[] }> {
  const { values, notes } = await ynlJsonLines(t, from, spec, args, onStart);
  if (values.length !== 1) throw new CheckFailed(`YNL's cli.py printed ${values.length} JSON values, not one`, { notes });
  return { value: values[0], notes };
}

/** The client's stdout as JSON, or a failed check that shows what it printed. */
export async function clientJson(t: CheckContext, args: string[]): Promise<{ value: unknown; notes: string[] }> {
  const r = await t.runClient(undefined, { args, timeoutMs: 20000 });
  const notes = [
    `node main.js ${args.join(' ')}: ${r.timedOut ? 'timed out' : `exit ${r.code}`}`,
    `  stdout: ${r.stdout.trim().slice(0, 400) || '(none)'}`,
    `  stderr: ${r.stderr.trim().split('\n').slice(0, 4).join('\n') || '(none)'}`,
  ];
  ensure(r.code === 0, `\`${args.join(' ')}\` did not exit 0`, { notes });
  try {
    return { value: JSON.parse(r.stdout), notes };
  } catch {
    throw new CheckFailed(`\`${args.join(' ')}\` did not print one JSON value`, { notes });
  }
}

/** Sockets of NETLINK_GENERIC that joined `group` (visible in /proc/net/netlink for ids below 32); -1 above. */
async function members(t: CheckContext, group: number): Promise<number> {
  if (group >= 32) return -1;
  return (await t.netlinkSockets()).filter((s) => s.protocol === NETLINK.GENERIC && s.port !== 0 && (s.groups >>> (group - 1)) & 1).length;
}

/**
 * Waits until `count` sockets are members of `group` (by their bit in /proc/net/netlink) or,
 * for a group id that file cannot show, until cli.py's socket (port `ynlPid()`) exists, plus a
 * margin for it to join; false at once when `gone()` says cli.py has ended.
 */
export async function groupJoined(t: CheckContext, group: number, count: number, ynlPid: () => number, ms: number, gone: () => boolean = () => false): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !gone()) {
    const n = await members(t, group);
    if (n >= count) return true;
    const pid = ynlPid();
    if (n < 0 && pid && (await t.netlinkSockets()).some((s) => s.protocol === NETLINK.GENERIC && s.port === pid)) {
      await new Promise((r) => setTimeout(r, 1500));
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const show = (v: unknown): string => JSON.stringify(v);

/**
 * YNL's reply is `expected` (else the check fails with `wrong`, which says what in the spec to
 * look at), and the client under test printed the same for `command`.
 */
export function ensureYnlAgrees(theirs: { value: unknown; notes: string[] }, expected: unknown, wrong: string, ours: { value: unknown; notes: string[] }, command: string): void {
  ensure(isDeepStrictEqual(theirs.value, expected), wrong, { expected: show(expected), actual: show(theirs.value), notes: theirs.notes });
  ensure(isDeepStrictEqual(ours.value, theirs.value), `\`${command}\` and YNL disagree`, { expected: show(theirs.value), actual: show(ours.value), notes: ours.notes });
}

/** cli.py subscribed to a group ({@link ynlSubscribe}): its notifications once its sleep is over. */
export interface YnlSubscriber {
  /** Settles when cli.py ends: its JSON values, or the failed check. */
  readonly result: Promise<{ ok: true; v: { value: unknown; notes: string[] } } | { ok: false; e: unknown }>;
  /** Waits until cli.py and `others` more sockets are members of `group`; fails the check if cli.py never joins. */
  joined(group: number, others: number): Promise<void>;
  /** Ends cli.py if it still sleeps (the check failed before its answer was needed), then waits for it. */
  stop(): Promise<void>;
}

/** Starts cli.py, subscribed to the family's `group` by name for `sleepS` seconds; it prints what arrived meanwhile. */
export function ynlSubscribe(t: CheckContext, from: string, spec: string, group: string, sleepS: number): YnlSubscriber {
  let pid = 0;
  let ended = false;
  const result = ynlJson(t, from, spec, ['--subscribe', group, '--sleep', String(sleepS)], (p) => void (pid = p))
    .then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e }),
    )
    .finally(() => void (ended = true));
  return {
    result,
    async joined(id, others) {
      // Members before the first change: by the group's bit in /proc/net/netlink or, for a group
      // id too high for it, cli.py's socket plus a margin.
      // cli.py that ended (e.g. it refused the spec) will never join: stop waiting then.
      if (await groupJoined(t, id, others + 1, () => pid, YNL_TIMEOUT_MS - sleepS * 1000, () => ended)) return;
      const r = await result;
      if (!r.ok) throw r.e;
      ensure(false, "YNL's cli.py never joined the events group", { notes: r.v.notes });
    },
    async stop() {
      if (!ended && pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // It ended on its own meanwhile.
        }
      }
      await result;
    },
  };
}

/** The watcher `w` (the client's `watch 2`) printed, one JSON value a line, the notifications YNL printed. */
export async function ensureWatchAgrees(w: RunningProgram, theirs: unknown[]): Promise<void> {
  await w.waitFor(() => w.exitCode() !== null, 5000);
  let ours: unknown[];
  try {
    ours = w.stdout().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
  } catch {
    throw new CheckFailed('`watch 2` printed a line that is not JSON', { notes: w.notes() });
  }
  ensure(isDeepStrictEqual(ours, theirs), '`watch 2` and YNL saw different notifications', { expected: theirs.map(show).join(' | '), actual: ours.map(show).join(' | '), notes: w.notes() });
}
