// Lesson 16 checks: the family held to what reviewers and their bots check first. W=1,
// checkpatch, sparse, kernel-doc and the regenerated files are builtins on the host
// (lesson.json); here, in the guest: nlctrl's view equals the spec, three clients agree (the
// kernel's YNL cli.py and the TypeScript client, both driven by the spec, and pyroute2 with
// no spec at all), and an rmmod with a dump in flight is safe.
//
// cli.py runs in `ynl-same` only: under TCG each run costs 6–25 s. The spec comes from the
// reference client (its generated codecs embed the spec they were made from).
import { isDeepStrictEqual } from 'node:util';
import {
  clientJson,
  clientSpec,
  compareFamilyWithSpec,
  defineChecks,
  ensure,
  ensureWatchAgrees,
  loadFamily,
  ynlJson,
  ynlSubscribe,
} from 'netlink-lab/grader';
import { change, pyroute2, type PyOp, unloadInUseCheck } from 'netlink-lab/grader/nlab-kv';

/** The generated module next to the client's main.js. */
const GENERATED = 'nlab_kv-ynl.js';
/** The spec's marks, as bits: cli.py prints a bitfield32 of flags as their names. */
const MARK_BITS: Record<string, number> = { starred: 1, archived: 2 };

const show = (v: unknown): string => JSON.stringify(v);

/** A value as the TypeScript client prints it: cli.py's mark names become the bits they stand for. */
function asClientPrints(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(asClientPrints);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const names = k === 'marks' && x && typeof x === 'object' ? (x as Record<string, unknown>) : undefined;
    out[k] = names
      ? Object.fromEntries(Object.entries(names).map(([f, n]) => [f, Array.isArray(n) ? n.reduce((b: number, name: unknown) => b | (MARK_BITS[String(name)] ?? 0), 0) : n]))
      : asClientPrints(x);
  }
  return out;
}

/** `ours` (the client's JSON) equals `theirs` (another client's), or the check fails with both. */
function ensureSame(ours: { value: unknown; notes: string[] }, theirs: unknown, what: string, notes: string[]): void {
  ensure(isDeepStrictEqual(ours.value, theirs), what, { expected: show(theirs), actual: show(ours.value), notes: [...notes, ...ours.notes] });
}

/** What pyroute2 stores under p1 and q, as a GET answers it (HITS aside): a reply's MARKS selects every mark. */
const RICH = {
  value: Buffer.from('py').toString('hex'),
  meta: { owner: 'guido', version: 2 ** 40, tags: ['x', 'y'] },
  priority: 2,
  port: 8080,
  marks: { value: 1, selector: 3 },
};

/** The client's `set` arguments for an entry with every property the spec has. */
const RICH_SET = ['set', 'm1', 'hello', '--owner', 'alice', '--version', String(2 ** 32 + 1), '--tag', 'red', '--tag', 'green', '--priority', '3', '--port', '8080', '--mark', 'starred'];

export default defineChecks({
  async 'matches-spec'(t) {
    await loadFamily(t);
    const spec = await clientSpec(t, GENERATED);
    const { diff, notes } = await compareFamilyWithSpec('nlab_kv', spec.text);
    ensure(diff.length === 0, `nlctrl's view of nlab_kv differs from the spec: ${diff.join('; ')}`, { notes });
    t.note(notes.join('; '));
  },

  async 'ynl-same'(t) {
    const family = await loadFamily(t);
    const spec = await clientSpec(t, GENERATED);
    const group = family.groups.events;
    ensure(group !== undefined, 'the family has no multicast group named "events"', { actual: show(family.groups) });
    const set = await t.runClient(undefined, { args: RICH_SET, timeoutMs: 20000 });
    ensure(set.code === 0, `\`${RICH_SET.join(' ')}\` did not exit 0`, { actual: set.stderr.trim() || set.stdout.trim() });
    await change(t, family, [
      { key: 'm2', value: Buffer.from([0, 0xff]) },
      { key: 'm3', value: 'three' },
    ]);

    // Three cli.py at once: one asks COUNT and one dumps LIST of what is stored (neither
    // changes HITS), and one joins "events" and sleeps while n1 is stored and deleted, a key
    // outside the prefix. cli.py takes a --do or a --dump, not both, and fails on a
    // notification that arrives among the replies of its operation.
    const counted = ynlJson(t, import.meta.url, spec.path, ['--do', 'count', '--json', '{"prefix": "m"}']);
    counted.catch(() => undefined);
    const asked = ynlJson(t, import.meta.url, spec.path, ['--dump', 'list', '--json', '{"prefix": "m"}']);
    asked.catch(() => undefined);
    const events = ynlSubscribe(t, import.meta.url, spec.path, 'events', 6);
    const w = t.startClient(['watch', '2']);
    try {
      ensure(await w.waitFor(() => /watching/.test(w.stderr()), 30000), 'the client did not print "watching …" on stderr after joining the group', { notes: w.notes() });
      await events.joined(group, 1);
      await change(t, family, [{ key: 'n1', value: '1' }, { key: 'n1' }]);

      const { value, notes } = await asked;
      const list = asClientPrints(value);
      const keys = Array.isArray(list) ? list.map((e) => (e as { key?: unknown }).key) : [];
      ensure(isDeepStrictEqual(keys, ['m1', 'm2', 'm3']), "YNL's dump of prefix m is not m1, m2 and m3", { expected: '["m1","m2","m3"]', actual: show(keys), notes });
      ensureSame(await clientJson(t, ['list', 'm']), list, '`list m` and YNL\'s `--dump list` disagree', notes);

      const c = await counted;
      const count = asClientPrints(c.value);
      ensure(isDeepStrictEqual(count, { count: 3 }), "YNL's `--do count` of prefix m is not 3", { actual: show(count), notes: c.notes });
      ensureSame(await clientJson(t, ['count', 'm']), count, '`count m` and YNL\'s `--do count` disagree', c.notes);

      const r = await events.result;
      if (!r.ok) throw r.e;
      const theirs = asClientPrints(r.v.value);
      const names = Array.isArray(theirs) ? theirs.map((n) => (n as { name?: unknown }).name) : [];
      ensure(isDeepStrictEqual(names, ['set-ntf', 'del-ntf']), "YNL's notifications are not a set-ntf and a del-ntf of n1", { actual: show(r.v.value), notes: r.v.notes });
      await ensureWatchAgrees(w, theirs as unknown[]);
      t.note(`YNL and the client agree on COUNT (${show(count)}), a dump of ${keys.length} entries and ${names.length} notifications`);
    } finally {
      await w.stop();
      await Promise.allSettled([counted, asked, events.stop()]);
    }
  },

  async 'pyroute2-same'(t) {
    await loadFamily(t);
    const rich = (key: string): PyOp => ({ op: 'set', key, value: RICH.value, meta: RICH.meta, priority: RICH.priority, port: RICH.port, marks: [RICH.marks.value, RICH.marks.selector] });
    // The dump and COUNT of prefix p come before any GET (each GET counts itself in HITS); the GET is of q, outside the prefix.
    const ops: PyOp[] = [rich('p1'), { op: 'set', key: 'p2', value: '00ff' }, rich('q'), { op: 'count', prefix: 'p' }, { op: 'list', prefix: 'p' }, { op: 'get', key: 'q' }];
    const { results, notes } = await pyroute2(t, ops);
    for (const [i, r] of results.entries()) ensure(r.errno === 0, `pyroute2's ${r.op} (operation ${i + 1}) was refused with errno ${r.errno}`, { notes });
    const [, , , count, list, get] = results.map((r) => r.reply);
    ensure(isDeepStrictEqual(count, { count: 2 }), "pyroute2's COUNT of prefix p is not 2 (p1, p2; not q)", { actual: show(count), notes });
    const { hits: _hits, ...stored } = (get ?? {}) as Record<string, unknown>;
    ensure(isDeepStrictEqual(stored, { key: 'q', ...RICH }), "pyroute2's GET of q is not what its SET stored", { expected: show({ key: 'q', ...RICH }), actual: show(stored), notes });
    ensureSame(await clientJson(t, ['count', 'p']), count, '`count p` and pyroute2 disagree', notes);
    ensureSame(await clientJson(t, ['list', 'p']), list, '`list p` and pyroute2\'s LIST dump disagree', notes);
    // Each GET counts itself in HITS: pyroute2's was the first, the client's the second.
    const ours = await clientJson(t, ['get', 'q']);
    const hits = (v: unknown): unknown => (v as { hits?: unknown } | undefined)?.hits;
    ensure(hits(get) === 1 && hits(ours.value) === 2, 'HITS of q is not 1 in pyroute2\'s GET and 2 in the client\'s, the GET after it', { actual: `pyroute2 ${show(hits(get))}, client ${show(hits(ours.value))}`, notes });
    ensureSame({ ...ours, value: { ...(ours.value as object), hits: 1 } }, get, '`get q` and pyroute2\'s GET disagree (HITS aside)', notes);
    t.note(`pyroute2 (no spec) and the client agree on COUNT, a dump of ${Array.isArray(list) ? list.length : '?'} entries and GET`);
  },

  'unload-in-use': unloadInUseCheck(),
});
