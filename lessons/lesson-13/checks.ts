// Lesson 13 checks: a value's META travels as a nest. The kernel's YNL client, driven by the
// spec the TypeScript client was generated from, must see the same nests in GET, LIST and the
// SET notification; requests with a bad nest must be refused with an extended ACK that points
// inside it; and a dump whose nests overflow one skb must be cut between entries.
//
// Raw requests (neither side under test) are built here from the lesson's numbers, so the
// kernel-side checks do not depend on the student's spec.
import { isDeepStrictEqual } from 'node:util';
import {
  decodeAttributes,
  decodeErrorMessage,
  decodeGenlMessage,
  decodeMessages,
  defineAttributeSet,
  encodeAttribute,
  encodeMessages,
  errnoCode,
  NETLINK,
  NLM_F,
  NLMSG,
  openSocket,
  type ErrorReport,
  type GenlFamily,
  type NetlinkSocket,
} from 'netlink-lab/client';
import { type CheckContext, CheckFailed, clientJson, clientSpec, defineChecks, ensure, ensureWatchAgrees, ensureYnlAgrees, loadFamily, moduleLog, ynlJson, ynlSubscribe } from 'netlink-lab/grader';

const CMD = { SET: 1, GET: 2, LIST: 4 } as const;
const A = { KEY: 1, VALUE: 2, META: 5 } as const;
const META = { OWNER: 1, VERSION: 2, TAGS: 3 } as const;
const NLA_F_NESTED = 0x8000;
const NLMSG_HDRLEN = 16;
const GENL_HDRLEN = 4;
/** The generated module next to the client's main.js. */
const GENERATED = 'nlab_kv-ynl.js';

// ---- raw requests ---------------------------------------------------------------------------

const str = (type: number, s: string): Buffer => encodeAttribute(type, Buffer.from(`${s}\0`));
const u64 = (type: number, n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return encodeAttribute(type, b);
};

interface Meta {
  owner?: string;
  version?: bigint;
  tags?: string[];
}

/** META's inner attributes, in the order the module writes them. */
function metaBody(m: Meta): Buffer {
  return Buffer.concat([
    ...(m.owner !== undefined ? [str(META.OWNER, m.owner)] : []),
    ...(m.version !== undefined ? [u64(META.VERSION, m.version)] : []),
    ...(m.tags ?? []).map((t) => str(META.TAGS, t)),
  ]);
}

/** A SET's genl payload: KEY, VALUE, then META built by `meta` (its bytes and whether it is flagged). */
function setPayload(key: string, value: Buffer, meta?: { body: Buffer; nested?: boolean }): Buffer {
  const attrs = [str(A.KEY, key), encodeAttribute(A.VALUE, value)];
  if (meta) attrs.push(encodeAttribute(A.META, meta.body, meta.nested ?? true));
  return Buffer.concat([Buffer.from([CMD.SET, 1, 0, 0]), ...attrs]);
}

/** Where META starts in a request made by {@link setPayload}, from the nlmsghdr. */
function metaOffset(key: string, value: Buffer): number {
  return NLMSG_HDRLEN + GENL_HDRLEN + str(A.KEY, key).length + encodeAttribute(A.VALUE, value).length;
}

/** Sends one request with NLM_F_ACK and returns its NLMSG_ERROR (and anything before it). */
async function request(sock: NetlinkSocket, family: GenlFamily, payload: Buffer, seq: number): Promise<{ ack: ErrorReport; replies: Buffer[] }> {
  sock.sendBytes(encodeMessages([{ type: family.id, flags: NLM_F.REQUEST | NLM_F.ACK, seq, pid: 0, payload }]));
  const replies: Buffer[] = [];
  for (;;) {
    const d = await sock.receive({ timeout: 5000 });
    for (const m of decodeMessages(d.data)) {
      if (m.type === NLMSG.ERROR) return { ack: decodeErrorMessage(m), replies };
      if (m.type === family.id) replies.push(m.payload);
    }
  }
}

/** One request on a socket of its own. */
async function requestOnce(family: GenlFamily, payload: Buffer): Promise<{ ack: ErrorReport; replies: Buffer[] }> {
  const sock = openSocket(NETLINK.GENERIC);
  try {
    return await request(sock, family, payload, 1);
  } finally {
    sock.close();
  }
}

/** SETs that must all succeed, in datagrams of 20, ACKed only at the end. */
async function setMany(family: GenlFamily, entries: { key: string; value: Buffer; meta?: Meta }[]): Promise<void> {
  const sock = openSocket(NETLINK.GENERIC);
  try {
    for (let i = 0; i < entries.length; i += 20) {
      const batch = entries.slice(i, i + 20).map((e, j) => ({
        type: family.id,
        flags: NLM_F.REQUEST | NLM_F.ACK,
        seq: i + j + 1,
        pid: 0,
        payload: setPayload(e.key, e.value, e.meta ? { body: metaBody(e.meta) } : undefined),
      }));
      sock.sendBytes(encodeMessages(batch));
      for (let acked = 0; acked < batch.length; ) {
        for (const m of decodeMessages((await sock.receive({ timeout: 5000 })).data)) {
          if (m.type !== NLMSG.ERROR) continue;
          const { errno, extack } = decodeErrorMessage(m);
          ensure(errno === 0, `SET ${entries[m.seq - 1]?.key} with META failed with ${errnoCode(errno)}${extack.message ? `: ${extack.message}` : ''}`, {
            notes: ['the checks store entries with raw SET requests: KEY, VALUE and a META nest (owner, version, tags)'],
          });
          acked++;
        }
      }
    }
  } finally {
    sock.close();
  }
}

/** How an ACK reads in evidence. */
function showAck(a: ErrorReport): string {
  const x = a.extack;
  const parts = [a.errno ? errnoCode(a.errno) : 'ACK 0'];
  if (x.message) parts.push(`"${x.message}"`);
  if (x.offset !== undefined) parts.push(`offset ${x.offset}`);
  if (x.missingNest !== undefined) parts.push(`missing-nest offset ${x.missingNest}`);
  if (x.missingType !== undefined) parts.push(`missing type ${x.missingType}`);
  return parts.join(', ');
}

const show = (v: unknown): string => JSON.stringify(v);

/** What the checks decode replies with: the lesson's attributes, independent of the student's spec. */
const metaSet = defineAttributeSet('meta', {
  owner: { type: META.OWNER, kind: 'string' },
  version: { type: META.VERSION, kind: 'u64' },
  tags: { type: META.TAGS, kind: 'string', multi: true },
});
const kvSet = defineAttributeSet('kv', {
  key: { type: A.KEY, kind: 'string' },
  value: { type: A.VALUE, kind: 'binary' },
  meta: { type: A.META, kind: 'nested', nested: metaSet },
});

/** GET `key` raw: the reply decoded with the lesson's own attribute sets, or undefined. */
async function getRaw(family: GenlFamily, key: string): Promise<{ meta?: unknown } | undefined> {
  const r = await requestOnce(family, Buffer.concat([Buffer.from([CMD.GET, 1, 0, 0]), str(A.KEY, key)]));
  if (r.ack.errno !== 0 || r.replies.length !== 1) return undefined;
  return decodeGenlMessage({ type: family.id, flags: 0, seq: 1, pid: 0, payload: r.replies[0]! }, kvSet).attributes;
}

// ---- the client and YNL, side by side -------------------------------------------------------

/** The entries `ynl-same` stores, as cli.py's JSON shows them. */
const M1 = { key: 'm1', value: Buffer.from('hello').toString('hex'), meta: { owner: 'alice', version: 2 ** 32 + 1, tags: ['red', 'green', 'blue'] } };
const M2 = { key: 'm2', value: '00ff', meta: { owner: 'bob', version: 0 } };
const M3 = { key: 'm3', value: '01', meta: { owner: 'carol', version: 7, tags: ['x'] } };

export default defineChecks({

  async 'ynl-same'(t) {
    const family = await loadFamily(t);
    const spec = await clientSpec(t, GENERATED);
    const group = family.groups.events;
    ensure(group !== undefined, 'the family has no multicast group named "events"', { actual: show(family.groups) });

    // m1 through the client under test: its META is encoded by the generated codecs.
    const args = ['set', 'm1', 'hello', '--owner', 'alice', '--version', String(M1.meta.version), ...M1.meta.tags.flatMap((x) => ['--tag', x])];
    const set = await t.runClient(undefined, { args, timeoutMs: 20000 });
    ensure(set.code === 0, `\`${args.join(' ')}\` did not exit 0`, { actual: set.stderr.trim() || set.stdout.trim() });
    // What the module stored, read raw: a META lost on either side fails here, before cli.py starts.
    const stored = await getRaw(family, 'm1');
    ensure(isDeepStrictEqual(stored?.meta, { ...M1.meta, version: BigInt(M1.meta.version) }), `after \`${args.join(' ')}\`, GET m1 does not answer with that META`, {
      expected: show(M1.meta),
      actual: stored ? (stored.meta ? JSON.stringify(stored.meta, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) : 'no META') : 'no reply',
      notes: ['the client must send the nest (TODO 8), and the module keep it and put it in the reply'],
    });

    // cli.py GETs m1 while another cli.py joins "events" and sleeps, m2 and m3 are stored,
    // and a third dumps. (6.12's cli.py cannot dump in the process that subscribed: a
    // notification in the middle of the dump's replies makes it fail.)
    const theirsGetP = ynlJson(t, import.meta.url, spec.path, ['--do', 'get', '--json', '{"key": "m1"}']);
    // Awaited below; until then a failure must not count as unhandled.
    theirsGetP.catch(() => undefined);
    const events = ynlSubscribe(t, import.meta.url, spec.path, 'events', 6);
    let theirsListP: ReturnType<typeof ynlJson> | undefined;
    const w = t.startClient(['watch', '2']);
    try {
      ensure(await w.waitFor(() => /watching/.test(w.stderr()), 30000), 'the client did not print "watching …" on stderr after joining the group', { notes: w.notes() });
      await events.joined(group, 1);
      await setMany(family, [
        { key: 'm2', value: Buffer.from([0, 0xff]), meta: { owner: 'bob' } },
        { key: 'm3', value: Buffer.from([1]), meta: { owner: 'carol', version: 7n, tags: ['x'] } },
      ]);
      theirsListP = ynlJson(t, import.meta.url, spec.path, ['--dump', 'list', '--json', '{"prefix": "m"}']);
      theirsListP.catch(() => undefined);

      const theirsGet = await theirsGetP;
      ensureYnlAgrees(
        { ...theirsGet, notes: [...theirsGet.notes, `node main.js ${args.join(' ')}`] },
        M1,
        "YNL's `--do get` of m1 is not what `set` stored: is meta (a nest of the meta set, tags repeated) in get's reply in the spec, and did set send it?",
        await clientJson(t, ['get', 'm1']),
        'get m1',
      );
      const theirsList = await theirsListP;
      ensureYnlAgrees(theirsList, [M1, M2, M3], "YNL's `--dump list` is not m1, m2 and m3 with their META (m2 has an owner only)", await clientJson(t, ['list', 'm']), 'list m');

      const expected = [
        { name: 'set-ntf', msg: M2 },
        { name: 'set-ntf', msg: M3 },
      ];
      const r = await events.result;
      if (!r.ok) throw r.e;
      ensure(isDeepStrictEqual(r.v.value, expected), "YNL's notifications are not the SETs of m2 and m3 with their META", { expected: show(expected), actual: show(r.v.value), notes: r.v.notes });
      await ensureWatchAgrees(w, expected);
    } finally {
      await w.stop();
      await Promise.allSettled([theirsGetP, events.stop(), theirsListP]);
    }
  },

  async 'nest-flag'(t) {
    const family = await loadFamily(t);
    const value = Buffer.from('v');
    const body = metaBody({ owner: 'o', tags: ['a'] });

    // The same META without NLA_F_NESTED: strict validation refuses it and points at it.
    const flat = await requestOnce(family, setPayload('f', value, { body, nested: false }));
    const at = metaOffset('f', value);
    ensure(flat.ack.errno !== 0 && flat.ack.extack.offset === at, 'a SET whose META lacks NLA_F_NESTED was not refused with an extended ACK pointing at META', {
      expected: `an error, offset ${at}`,
      actual: showAck(flat.ack),
      notes: ["META's policy must be a nested one (NLA_POLICY_NESTED) and the op must keep strict validation"],
    });

    // A nest inside META that its policy does not know, two levels down: refused where it is.
    const deep = encodeAttribute(7, encodeAttribute(1, str(1, 'deep'), true), true);
    const extra = await requestOnce(family, setPayload('d', value, { body: Buffer.concat([body, deep]) }));
    const deepAt = at + 4 + body.length;
    ensure(extra.ack.errno !== 0 && extra.ack.extack.offset === deepAt, "a SET whose META holds a nest of an unknown type was not refused with an extended ACK pointing at it", {
      expected: `an error, offset ${deepAt}`,
      actual: showAck(extra.ack),
    });

    // The reply's META carries the flag, so a strict parser in user space accepts it.
    await setMany(family, [{ key: 'n', value, meta: { owner: 'o', tags: ['a'] } }]);
    const get = await requestOnce(family, Buffer.concat([Buffer.from([CMD.GET, 1, 0, 0]), str(A.KEY, 'n')]));
    ensure(get.ack.errno === 0 && get.replies.length === 1, 'GET n did not answer', { actual: showAck(get.ack) });
    const meta = decodeAttributes(get.replies[0]!.subarray(GENL_HDRLEN)).find((a) => a.type === A.META);
    ensure(meta, "GET's reply has no META attribute for an entry stored with one", { notes: await moduleLog(t) });
    ensure(meta.nested, "the META of GET's reply lacks NLA_F_NESTED", {
      expected: `nla_type 0x${(A.META | NLA_F_NESTED).toString(16)}`,
      actual: `nla_type 0x${A.META.toString(16)}`,
      notes: ['nla_nest_start() sets the flag; nla_nest_start_noflag() is for old families only'],
    });
  },

  async 'bad-tag'(t) {
    const family = await loadFamily(t);
    const value = Buffer.from('v');
    const tags = ['a', 'b', 'x'.repeat(40)];
    const body = metaBody({ owner: 'o', tags });
    const r = await requestOnce(family, setPayload('t', value, { body }));
    // The third TAGS: after META's header, OWNER and the two good tags.
    const third = metaOffset('t', value) + 4 + metaBody({ owner: 'o', tags: tags.slice(0, 2) }).length;
    ensure(r.ack.errno !== 0 && r.ack.extack.offset === third, 'a SET whose third tag is 40 bytes long was not refused with an extended ACK pointing at that tag', {
      expected: `an error, offset ${third} (META.TAGS[2])`,
      actual: showAck(r.ack),
      notes: ['TAGS needs a length in META\'s policy; the core then checks every TAGS, and names the bad one'],
    });

    // One tag more than the module keeps: its own check, pointing at the first one too many.
    const many = Array.from({ length: 33 }, (_, i) => `t${i}`);
    const m = await requestOnce(family, setPayload('u', value, { body: metaBody({ owner: 'o', tags: many }) }));
    const extraAt = metaOffset('u', value) + 4 + metaBody({ owner: 'o', tags: many.slice(0, 32) }).length;
    ensure(m.ack.errno !== 0 && m.ack.extack.offset === extraAt, 'a SET with 33 tags was not refused with an extended ACK pointing at the 33rd', {
      expected: `an error, offset ${extraAt} (META.TAGS[32])`,
      actual: showAck(m.ack),
    });

    // The client names the attribute by its path.
    const args = ['set', 't', 'v', '--owner', 'o', ...tags.flatMap((x) => ['--tag', x])];
    const c = await t.runClient(undefined, { args, timeoutMs: 20000 });
    ensure(c.code === 1 && /\(at meta\.tags\[2\]\)/.test(c.stderr), `the client did not say where the kernel pointed`, {
      expected: 'exit 1, and "(at meta.tags[2])" on stderr',
      actual: `exit ${c.code}: ${c.stderr.trim() || '(no stderr)'}`,
    });
  },

  async 'missing-owner'(t) {
    const family = await loadFamily(t);
    const value = Buffer.from('v');
    // An empty META: well-formed, flagged, with nothing inside.
    const r = await requestOnce(family, setPayload('e', value, { body: Buffer.alloc(0) }));
    const at = metaOffset('e', value);
    ensure(r.ack.errno !== 0 && r.ack.extack.missingNest === at && r.ack.extack.missingType === META.OWNER, 'an empty META was not refused with the missing OWNER named inside it', {
      expected: `an error with missing-nest offset ${at} and missing type ${META.OWNER} (OWNER)`,
      actual: showAck(r.ack),
      notes: ['NL_REQ_ATTR_CHECK() takes the nest as well as the table'],
    });

    const args = ['set', 'e', 'v', '--version', '3'];
    const c = await t.runClient(undefined, { args, timeoutMs: 20000 });
    ensure(c.code === 1 && /\(missing meta\.owner\)/.test(c.stderr), 'the client did not name the missing attribute', {
      expected: 'exit 1, and "(missing meta.owner)" on stderr',
      actual: `exit ${c.code}: ${c.stderr.trim() || '(no stderr)'}`,
    });
  },

  async 'dump-cut'(t) {
    const family = await loadFamily(t);
    const count = 80;
    const tags = Array.from({ length: 32 }, (_, i) => `tag-${String(i).padStart(2, '0')}-${'x'.repeat(24)}`);
    const entries = Array.from({ length: count }, (_, i) => ({
      key: `k${String(i).padStart(3, '0')}`,
      value: Buffer.alloc(1024, i),
      meta: { owner: `owner-${i}`, version: BigInt(i) << 40n, tags },
    }));
    await setMany(family, entries);

    // The largest entry alone: its reply must have been sized for every attribute in the nest.
    const get = await requestOnce(family, Buffer.concat([Buffer.from([CMD.GET, 1, 0, 0]), str(A.KEY, 'k000')]));
    const got = get.replies.length === 1 ? decodeGenlMessage({ type: family.id, flags: 0, seq: 1, pid: 0, payload: get.replies[0]! }, kvSet).attributes : undefined;
    const gotTags = (got?.meta as { tags?: unknown[] } | undefined)?.tags;
    ensure(get.ack.errno === 0 && isDeepStrictEqual(gotTags, tags), 'GET of an entry with a 1024-byte value and 32 tags of 31 bytes did not answer with all of them', {
      expected: `one reply with ${tags.length} tags, then ACK 0`,
      actual: `${get.replies.length} replies${gotTags ? ` with ${gotTags.length} tags` : ''}, then ${showAck(get.ack)}`,
      notes: ['EMSGSIZE here: the reply was allocated for fewer bytes than the nest takes'],
    });

    const sock = openSocket(NETLINK.GENERIC);
    const seen: string[] = [];
    let datagrams = 0;
    let withEntries = 0;
    try {
      sock.sendBytes(encodeMessages([{ type: family.id, flags: NLM_F.REQUEST | NLM_F.DUMP, seq: 1, pid: 0, payload: Buffer.from([CMD.LIST, 1, 0, 0]) }]));
      for (let done = false; !done; ) {
        const d = await sock.receive({ timeout: 5000 });
        datagrams++;
        const messages = decodeMessages(d.data);
        if (messages.some((m) => m.type === family.id)) withEntries++;
        for (const m of messages) {
          if (m.type === NLMSG.DONE) {
            done = true;
            continue;
          }
          if (m.type === NLMSG.ERROR) throw new CheckFailed(`the dump ended with ${showAck(decodeErrorMessage(m))}`);
          ensure(!(m.flags & NLM_F.DUMP_INTR), 'the dump was marked interrupted (NLM_F_DUMP_INTR) although the store did not change');
          let a;
          try {
            a = decodeGenlMessage(m, kvSet).attributes;
          } catch (e) {
            throw new CheckFailed(`entry ${seen.length + 1} of the dump does not parse: ${(e as Error).message}`, { notes: ['a message cut in the middle of an attribute'] });
          }
          const key = String(a.key);
          const want = entries.find((e) => e.key === key);
          ensure(want, `the dump has an entry with key ${show(a.key)}, which was never stored`);
          const meta = a.meta as { owner?: unknown; version?: unknown; tags?: unknown[] } | undefined;
          ensure(
            meta && meta.owner === want.meta.owner && meta.version === want.meta.version && isDeepStrictEqual(meta.tags, tags),
            `entry ${key} came with a META that is not the one stored (in datagram ${datagrams})`,
            {
              expected: `owner ${want.meta.owner}, version ${want.meta.version}, ${tags.length} tags`,
              actual: meta ? `owner ${String(meta.owner)}, version ${String(meta.version)}, ${meta.tags?.length ?? 0} tags` : 'no META',
              notes: ['a half-written nest must be taken back (nla_nest_cancel) and the whole entry sent in the next skb'],
            },
          );
          seen.push(key);
        }
      }
    } finally {
      sock.close();
    }
    const keys = entries.map((e) => e.key);
    const missing = keys.filter((k) => !seen.includes(k));
    const twice = seen.filter((k, i) => seen.indexOf(k) !== i);
    ensure(missing.length === 0 && twice.length === 0 && seen.length === count, `the dump of ${count} entries lost ${missing.length} and repeated ${twice.length}`, {
      actual: [...(missing.length ? [`missing: ${missing.slice(0, 8).join(' ')}`] : []), ...(twice.length ? [`twice: ${twice.slice(0, 8).join(' ')}`] : [])],
    });
    ensure(withEntries > 1, `the dump's entries came in ${withEntries} datagram; the check needs it cut`, { notes: [`${count} entries of about 2.3 KiB each should not fit one skb`] });
    t.note(`${count} entries in ${withEntries} datagrams`);
  },
});
