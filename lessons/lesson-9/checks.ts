// Lesson 9 checks: the LIST dump of nlab_kv — every key once across many datagrams, the
// 32 KiB rule, the prefix filter, NLM_F_DUMP_INTR when the store changes mid-dump — and a
// client that starts over when its dump was interrupted.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeAttributes,
  decodeDoneMessage,
  decodeMessages,
  encodeAttribute,
  encodeMessages,
  errnoCode,
  NETLINK,
  NLM_F,
  NLMSG,
  openSocket,
  type GenlFamily,
  type PolicyInfo,
} from 'netlink-lab/client';
import { type ClientRun, comparePolicies, type DeclaredPolicy, defineChecks, ensure, loadFamily, moduleLog, runNotes } from 'netlink-lab/grader';

const CMD = { SET: 1, GET: 2, DEL: 3, LIST: 4 } as const;
const ATTR = { KEY: 1, VALUE: 2, FLAGS: 3, PREFIX: 4 } as const;
const DUMP_BUFFER = 32 * 1024;

/** Every command's policy as nlctrl must report it: SET, GET and DEL as in lesson 8, and LIST's dump. */
const KEY_POLICY: PolicyInfo = { type: 'nul-string', maxLength: 63 };
const POLICIES: Record<string, DeclaredPolicy> = {
  SET: {
    cmd: CMD.SET,
    mode: 'do',
    attrs: new Map([
      [ATTR.KEY, KEY_POLICY],
      [ATTR.VALUE, { type: 'binary', maxLength: 1024 }],
      [ATTR.FLAGS, { type: 'u32', mask: 1n }],
    ]),
  },
  GET: { cmd: CMD.GET, mode: 'do', attrs: new Map([[ATTR.KEY, KEY_POLICY]]) },
  DEL: { cmd: CMD.DEL, mode: 'do', attrs: new Map([[ATTR.KEY, KEY_POLICY]]) },
  LIST: { cmd: CMD.LIST, mode: 'dump', attrs: new Map([[ATTR.PREFIX, KEY_POLICY]]) },
};
const ATTR_NAME = new Map<number, string>(Object.entries(ATTR).map(([n, v]) => [v, n]));

const str = (type: number, s: string): Buffer => encodeAttribute(type, Buffer.from(`${s}\0`));
const genl = (cmd: number, attrs: Buffer[]): Buffer => Buffer.concat([Buffer.from([cmd, 1, 0, 0]), ...attrs]);

/** Stores `entries` with SETs that ask for no ACK (errors still come back), 100 per datagram. */
async function fill(family: GenlFamily, entries: [string, string][]): Promise<void> {
  const sock = openSocket(NETLINK.GENERIC, { receiveBufferSize: 1 << 20 });
  try {
    for (let i = 0; i < entries.length; i += 100) {
      const batch = entries.slice(i, i + 100).map(([k, v], j) => ({
        type: family.id,
        flags: NLM_F.REQUEST,
        seq: i + j + 1,
        pid: 0,
        payload: genl(CMD.SET, [str(ATTR.KEY, k), encodeAttribute(ATTR.VALUE, Buffer.from(v))]),
      }));
      sock.sendBytes(encodeMessages(batch));
    }
    // One request with an ACK at the end: it is answered after all the SETs before it.
    sock.sendBytes(encodeMessages([{ type: family.id, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 0xffff, pid: 0, payload: genl(CMD.GET, [str(ATTR.KEY, entries[0]![0])]) }]));
    for (;;) {
      const d = await sock.receive({ timeout: 5000 });
      for (const m of decodeMessages(d.data)) {
        if (m.type !== NLMSG.ERROR) continue;
        const errno = -m.payload.readInt32LE(0);
        ensure(errno === 0, `storing the test keys failed: SET #${m.seq} got ${errnoCode(errno)}`);
        if (m.seq === 0xffff) return;
      }
    }
  } finally {
    sock.close();
  }
}

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
async function dumpList(family: GenlFamily, prefix?: string | string[], between?: { after: number; run: () => Promise<void> }): Promise<DumpResult> {
  const sock = openSocket(NETLINK.GENERIC, { receiveBufferSize: DUMP_BUFFER });
  const r: DumpResult = { entries: [], datagrams: 0, largest: 0, truncated: 0, interrupted: 0, notMulti: 0, wrongSeq: 0, doneErrno: undefined };
  try {
    const payload = genl(CMD.LIST, [prefix ?? []].flat().map((p) => str(ATTR.PREFIX, p)));
    sock.sendBytes(encodeMessages([{ type: family.id, flags: NLM_F.REQUEST | NLM_F.DUMP, seq: 77, pid: 0, payload }]));
    while (r.doneErrno === undefined) {
      const d = await sock.receive({ timeout: 3000 });
      r.datagrams++;
      r.largest = Math.max(r.largest, d.data.length);
      if (d.truncated) r.truncated++;
      for (const m of decodeMessages(d.data)) {
        if (m.seq !== 77) r.wrongSeq++;
        if (m.flags & NLM_F.DUMP_INTR) r.interrupted++;
        if (m.type === NLMSG.DONE) r.doneErrno = decodeDoneMessage(m).errno;
        else if (m.type === NLMSG.ERROR) r.doneErrno = -m.payload.readInt32LE(0);
        else {
          if (!(m.flags & NLM_F.MULTI)) r.notMulti++;
          const a = new Map(decodeAttributes(m.payload.subarray(4)).map((x) => [x.type, x.payload]));
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

/** `n` entries "<prefix>0000"…; values padded to `valueSize` so that a dump needs many skbs. */
const keys = (n: number, prefix = 'key-', valueSize = 0): [string, string][] =>
  Array.from({ length: n }, (_, i) => [`${prefix}${String(i).padStart(4, '0')}`, `v${i}`.padEnd(valueSize, '.')]);

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
    await fill(family, want);
    const r = await dumpList(family);
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
    await fill(family, [...a, ...b, ['a', 'no slash']]);
    const r = await dumpList(family, 'a/');
    const notes = [...summary(r), ...(await moduleLog(t))];
    ensure(r.doneErrno === 0, 'LIST with PREFIX "a/" did not end with NLMSG_DONE carrying 0', { notes });
    const diff = sameEntries(r.entries, a);
    ensure(!diff, `LIST with PREFIX "a/" is wrong: ${diff}`, { notes });
    const all = await dumpList(family);
    ensure(all.entries.length === 301, `LIST without a prefix returned ${all.entries.length} entries, not 301`, { notes: summary(all) });
  },

  async policies(t) {
    await loadFamily(t);
    const got = await comparePolicies('nlab_kv', POLICIES, ATTR_NAME);
    const notes = got.map((g) => g.line);
    for (const g of got) ensure(g.diff.length === 0, `CTRL_CMD_GETPOLICY: ${g.name}'s policy differs from the lesson's: ${g.diff.join('; ')}`, { expected: g.expected, notes });
    t.note(notes.join('; '));
  },

  async 'prefix-twice'(t) {
    const family = await loadFamily(t);
    const a = keys(3, 'a/');
    const b = keys(3, 'b/');
    await fill(family, [...a, ...b]);
    const r = await dumpList(family, ['a/', 'b/']);
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
    await fill(family, want);
    // After the first datagram, delete the first key: every later entry moves up one place.
    const r = await dumpList(family, undefined, {
      after: 1,
      run: async () => {
        const sock = openSocket(NETLINK.GENERIC);
        try {
          sock.sendBytes(encodeMessages([{ type: family.id, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 1, pid: 0, payload: genl(CMD.DEL, [str(ATTR.KEY, 'key-0000')]) }]));
          await sock.receive({ timeout: 2000 });
        } finally {
          sock.close();
        }
      },
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
    await fill(family, want);
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
    await fill(family, want);
    // A preload in the client's process deletes key-0000 through its own socket right after
    // the client sends its first LIST: the kernel then flags that dump NLM_F_DUMP_INTR.
    const dir = mkdtempSync(join(tmpdir(), 'nlab-l9-'));
    const preload = join(dir, 'preload.mjs');
    const log = join(dir, 'lists.json');
    writeFileSync(
      preload,
      `import { writeFileSync } from 'node:fs';
import { encodeMessages, decodeMessages, NetlinkSocket, openSocket } from ${JSON.stringify(import.meta.resolve('netlink-lab/client'))};
let lists = 0;
const P = NetlinkSocket.prototype;
const sendBytes = P.sendBytes;
P.sendBytes = function (bytes, to) {
  const r = sendBytes.call(this, bytes, to);
  const [m] = decodeMessages(bytes);
  if (m && (m.flags & ${NLM_F.DUMP}) && m.payload[0] === ${CMD.LIST} && ++lists === 1) {
    const s = openSocket(${NETLINK.GENERIC});
    const key = Buffer.from('key-0000\\0');
    const attr = Buffer.alloc(4 + 12);
    attr.writeUInt16LE(4 + key.length, 0);
    attr.writeUInt16LE(${ATTR.KEY}, 2);
    key.copy(attr, 4);
    sendBytes.call(s, encodeMessages([{ type: m.type, flags: 5, seq: 1, pid: 0, payload: Buffer.concat([Buffer.from([${CMD.DEL}, 1, 0, 0]), attr]) }]));
    s.receiveSync(2000);
    s.close();
  }
  return r;
};
process.on('exit', () => writeFileSync(${JSON.stringify(log)}, JSON.stringify(lists)));
`,
    );
    const args = ['list'];
    const run = await t.runClient(undefined, { args, timeoutMs: 15000, env: { NODE_OPTIONS: `--import ${preload}` } });
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
