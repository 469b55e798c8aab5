// Lesson 9 checks: the LIST dump of nlab_kv — every key once across many datagrams, the
// 32 KiB rule, the prefix filter, NLM_F_DUMP_INTR when the store changes mid-dump — and a
// client that starts over when its dump was interrupted.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeDoneMessage, decodeMessages, encodeMessages, errnoCode, type GenlFamily, NLM_F, NLMSG } from 'netlink-lab/client';
import { type CheckContext, type ClientRun, defineChecks, ensure, loadFamily, moduleLog, runNotes } from 'netlink-lab/grader';
import { ATTR, change, CMD, DEL_DURING_LIST, genl, genlAttrs, numberedKeys as keys, policiesCheck, str } from 'netlink-lab/grader/nlab-kv';

const DUMP_BUFFER = 32 * 1024;

/** Stores `entries` (the check fails when a SET does). */
const fill = (t: CheckContext, family: GenlFamily, entries: [string, string][]): Promise<void> =>
  change(t, family, entries.map(([key, value]) => ({ key, value })), { receiveBufferSize: 1 << 20 });

interface DumpResult {
  entries: [string, string][];
  datagrams: number;
  largest: number;
  truncated: number;
  interrupted: number;
  notMulti: number;
  wrongSeq: number;
  doneErrno: number | undefined;
}

/**
 * Runs a LIST dump by hand with a 32 KiB receive buffer. `between` runs after the given
 * datagram arrives (1-based), to change the store while the dump is in flight.
 */
/** LIST with a PREFIX attribute per string in `prefix` (none when undefined). */
async function dumpList(t: CheckContext, family: GenlFamily, prefix?: string | string[], between?: { after: number; run: () => Promise<void> }): Promise<DumpResult> {
  const sock = t.socket({ receiveBufferSize: DUMP_BUFFER });
  const r: DumpResult = { entries: [], datagrams: 0, largest: 0, truncated: 0, interrupted: 0, notMulti: 0, wrongSeq: 0, doneErrno: undefined };
  try {
    const payload = genl(CMD.LIST, [prefix ?? []].flat().map((p) => str(ATTR.PREFIX, p)));
    sock.send(encodeMessages([{ type: family.id, flags: NLM_F.REQUEST | NLM_F.DUMP, seq: 77, pid: 0, payload }]));
    while (r.doneErrno === undefined) {
      const d = await sock.receive(3000);
      r.datagrams++;
      r.largest = Math.max(r.largest, d.bytes.length);
      if (d.truncated) r.truncated++;
      for (const m of decodeMessages(d.bytes)) {
        if (m.seq !== 77) r.wrongSeq++;
        if (m.flags & NLM_F.DUMP_INTR) r.interrupted++;
        if (m.type === NLMSG.DONE) r.doneErrno = decodeDoneMessage(m).errno;
        else if (m.type === NLMSG.ERROR) r.doneErrno = -m.payload.readInt32LE(0);
        else {
          if (!(m.flags & NLM_F.MULTI)) r.notMulti++;
          const a = genlAttrs(m);
          r.entries.push([a.get(ATTR.KEY)?.toString('latin1').replace(/\0$/, '') ?? '?', a.get(ATTR.VALUE)?.toString('latin1') ?? '?']);
        }
      }
      if (between && r.datagrams === between.after) await between.run();
    }
    return r;
  } finally {
    sock.close();
  }
}

function summary(r: DumpResult): string[] {
  return [
    `${r.entries.length} entries in ${r.datagrams} datagrams (largest ${r.largest} bytes), ${r.interrupted} flagged NLM_F_DUMP_INTR, ` +
      `${r.notMulti} without NLM_F_MULTI, ${r.truncated} truncated, ${r.wrongSeq} with another seq, ` +
      `NLMSG_DONE ${r.doneErrno === undefined ? 'missing' : r.doneErrno === 0 ? 'with 0' : `with ${errnoCode(r.doneErrno)}`}`,
  ];
}

/** Every expected entry exactly once, nothing else. */
function sameEntries(got: [string, string][], want: [string, string][]): string | undefined {
  const seen = new Map<string, number>();
  for (const [k] of got) seen.set(k, (seen.get(k) ?? 0) + 1);
  const dup = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  const wantMap = new Map(want);
  const missing = want.filter(([k]) => !seen.has(k)).map(([k]) => k);
  const extra = got.filter(([k]) => !wantMap.has(k)).map(([k]) => k);
  const wrong = got.filter(([k, v]) => wantMap.has(k) && wantMap.get(k) !== v).map(([k]) => k);
  const parts = [
    dup.length && `${dup.length} keys came twice (${dup.slice(0, 3).join(', ')}…)`,
    missing.length && `${missing.length} keys are missing (${missing.slice(0, 3).join(', ')}…)`,
    extra.length && `${extra.length} unexpected keys (${extra.slice(0, 3).join(', ')}…)`,
    wrong.length && `${wrong.length} keys have the wrong value (${wrong.slice(0, 3).join(', ')}…)`,
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : undefined;
}

function parseListOutput(run: ClientRun): [string, string][] {
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf('=');
      return [l.slice(0, i), l.slice(i + 1)] as [string, string];
    });
}

export default defineChecks({
  async 'dump-all'(t) {
    const family = await loadFamily(t);
    const want = keys(1000);
    await fill(t, family, want);
    const r = await dumpList(t, family);
    const notes = [...summary(r), ...(await moduleLog(t))];
    ensure(r.doneErrno === 0, 'the dump did not end with NLMSG_DONE carrying 0', { notes });
    const diff = sameEntries(r.entries, want);
    ensure(!diff, `LIST of 1000 keys is wrong: ${diff}`, { notes });
    ensure(r.notMulti === 0, `${r.notMulti} messages of the dump lack NLM_F_MULTI`, { notes });
    ensure(r.wrongSeq === 0, `${r.wrongSeq} messages do not carry the request's seq`, { notes });
    ensure(r.datagrams > 2, `the dump came in ${r.datagrams} datagrams; 1000 keys need several dumpit calls`, { notes });
    ensure(r.truncated === 0 && r.largest <= DUMP_BUFFER, `with a 32 KiB receive buffer, ${r.truncated} datagrams were truncated (largest ${r.largest} bytes)`, { notes });
    t.note(summary(r)[0]!);
  },

  async prefix(t) {
    const family = await loadFamily(t);
    const a = keys(150, 'a/');
    const b = keys(150, 'b/');
    await fill(t, family, [...a, ...b, ['a', 'no slash']]);
    const r = await dumpList(t, family, 'a/');
    const notes = [...summary(r), ...(await moduleLog(t))];
    ensure(r.doneErrno === 0, 'LIST with PREFIX "a/" did not end with NLMSG_DONE carrying 0', { notes });
    const diff = sameEntries(r.entries, a);
    ensure(!diff, `LIST with PREFIX "a/" is wrong: ${diff}`, { notes });
    const all = await dumpList(t, family);
    ensure(all.entries.length === 301, `LIST without a prefix returned ${all.entries.length} entries, not 301`, { notes: summary(all) });
  },

  policies: policiesCheck(['SET', 'GET', 'DEL', 'LIST']),

  async 'prefix-twice'(t) {
    const family = await loadFamily(t);
    const a = keys(3, 'a/');
    const b = keys(3, 'b/');
    await fill(t, family, [...a, ...b]);
    const r = await dumpList(t, family, ['a/', 'b/']);
    const notes = ['LIST carried PREFIX "a/", then PREFIX "b/"', ...summary(r), ...(await moduleLog(t))];
    ensure(r.doneErrno === 0, 'LIST with two PREFIX attributes did not end with NLMSG_DONE carrying 0', { notes });
    const diff = sameEntries(r.entries, b);
    ensure(!diff, `LIST with PREFIX "a/" then "b/" is wrong: ${diff}`, {
      expected: 'the keys under b/: the core validated the last PREFIX, the one it keeps, so the dump must use that one',
      notes,
    });
  },

  async 'dump-intr'(t) {
    const family = await loadFamily(t);
    // 200-byte values: about 140 entries per 32 KiB skb, so the dump takes several calls.
    const want = keys(1000, 'key-', 200);
    await fill(t, family, want);
    // After the first datagram, delete the first key: every later entry moves up one place.
    const r = await dumpList(t, family, undefined, {
      after: 1,
      run: () => change(t, family, [{ key: 'key-0000' }]),
    });
    const notes = ['key-0000 was deleted after the 1st datagram of the dump', ...summary(r), ...(await moduleLog(t))];
    ensure(r.datagrams > 3, `the dump came in ${r.datagrams} datagrams; too few to change the store in the middle`, { notes });
    if (r.interrupted > 0) {
      t.note(`flagged: ${summary(r)[0]}`);
      return;
    }
    // Not flagged: then the result must be a correct snapshot, before or after the DEL.
    const before = sameEntries(r.entries, want);
    const after = sameEntries(r.entries, want.slice(1));
    ensure(!before || !after, `the store changed during the dump, nothing was flagged NLM_F_DUMP_INTR, and the result is silently wrong: ${after}`, {
      expected: 'NLM_F_DUMP_INTR on the messages after the change (set cb->seq before genl_dump_check_consistent())',
      notes,
    });
  },

  async 'client-list'(t) {
    const family = await loadFamily(t);
    const want = [...keys(300), ['other', 'x'] as [string, string]];
    await fill(t, family, want);
    for (const args of [['list'], ['list', 'key-01']]) {
      const run = await t.runClient(undefined, { args, timeoutMs: 15000 });
      const expect = args[1] ? want.filter(([k]) => k.startsWith(args[1]!)) : want;
      const diff = sameEntries(parseListOutput(run), expect);
      const notes = [...runNotes(run, { args, stdoutLines: 3, stderrLines: 6 }), ...(await moduleLog(t))];
      ensure(run.code === 0, `\`${args.join(' ')}\` exited ${run.code ?? run.signal}`, { expected: 'exit status 0', notes });
      ensure(!diff, `\`${args.join(' ')}\` printed the wrong entries: ${diff}`, { expected: `${expect.length} lines KEY=VALUE`, notes });
    }
    void family;
  },

  async 'client-retry'(t) {
    const family = await loadFamily(t);
    const want = keys(400, 'key-', 300);
    await fill(t, family, want);
    // A preload in the client's process deletes key-0000 through its own socket right after
    // the client sends its first LIST: the kernel then flags that dump NLM_F_DUMP_INTR.
    const log = join(mkdtempSync(join(tmpdir(), 'nlab-l9-')), 'lists.json');
    const args = ['list'];
    const run = await t.runClient(undefined, { args, timeoutMs: 15000, env: { NODE_OPTIONS: `--import ${DEL_DURING_LIST}`, LAB_KV_DEL_KEY: 'key-0000', LAB_KV_LIST_LOG: log } });
    let lists = 0;
    try {
      lists = JSON.parse(readFileSync(log, 'utf8')) as number;
    } catch {
      /* the client died before exit handlers ran */
    }
    const notes = [`the client sent ${lists} LIST requests; key-0000 was deleted during the first`, ...runNotes(run, { args, stdoutLines: 3, stderrLines: 6 }), ...(await moduleLog(t))];
    ensure(run.code === 0, `the client exited ${run.code ?? run.signal} after an interrupted dump`, { expected: 'exit status 0: start the dump over', notes });
    ensure(lists >= 2, 'the client did not start LIST over after the dump was flagged NLM_F_DUMP_INTR', { notes });
    const diff = sameEntries(parseListOutput(run), want.slice(1));
    ensure(!diff, `the client printed a wrong list: ${diff}`, { expected: '399 keys: all but the deleted key-0000', notes });
    void family;
  },
});
