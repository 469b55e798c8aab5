// Lesson 10 checks: SET_NTF and DEL_NTF notifications on the "events" group — who gets them,
// what they carry, the requester's own copy with NLM_F_ECHO — and a client that watches
// them, joins the group by name, resyncs with a dump after the kernel dropped some
// (ENOBUFS) and rejoins after the module is reloaded.
import { execFileSync, spawn } from 'node:child_process';
import {
  decodeAttributes,
  decodeMessages,
  encodeAttribute,
  encodeMessages,
  errnoCode,
  NETLINK,
  NLM_F,
  NLMSG,
  openSocket,
  type GenlFamily,
  type NetlinkMessage,
  type NetlinkSocket,
  type PolicyInfo,
} from 'netlink-lab/client';
import { type CheckContext, comparePolicies, type DeclaredPolicy, decodeForReport, defineChecks, ensure, loadFamily, moduleLog } from 'netlink-lab/grader';

const CMD = { SET: 1, GET: 2, DEL: 3, LIST: 4, SET_NTF: 5, DEL_NTF: 6 } as const;
const ATTR = { KEY: 1, VALUE: 2, FLAGS: 3, PREFIX: 4 } as const;
/** Every command's policy as nlctrl must report it: SET, GET and DEL as in lesson 8, and LIST's dump, as lesson 9 left them. */
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

function eventsGroup(family: GenlFamily): number {
  const id = family.groups.events;
  ensure(id !== undefined, 'the family has no multicast group named "events"', { actual: JSON.stringify(family.groups) });
  return id;
}

/** Sends SET/DEL requests (seq 1, 2, …) with ACKs, and waits for every ACK to be 0. */
async function change(family: GenlFamily, reqs: { cmd: number; key: string; value?: string }[], receiveBufferSize?: number): Promise<void> {
  const sock = openSocket(NETLINK.GENERIC, receiveBufferSize ? { receiveBufferSize } : {});
  try {
    for (let i = 0; i < reqs.length; i += 50) {
      const batch = reqs.slice(i, i + 50).map((r, j) => ({
        type: family.id,
        flags: NLM_F.REQUEST | (i + j === reqs.length - 1 ? NLM_F.ACK : 0),
        seq: i + j + 1,
        pid: 0,
        payload: genl(r.cmd, [str(ATTR.KEY, r.key), ...(r.value === undefined ? [] : [encodeAttribute(ATTR.VALUE, Buffer.from(r.value))])]),
      }));
      sock.sendBytes(encodeMessages(batch));
    }
    for (;;) {
      const d = await sock.receive({ timeout: 5000 });
      for (const m of decodeMessages(d.data)) {
        if (m.type !== NLMSG.ERROR) continue;
        const errno = -m.payload.readInt32LE(0);
        ensure(errno === 0, `request #${m.seq} (${reqs[m.seq - 1]?.key}) failed with ${errnoCode(errno)}`);
        if (m.seq === reqs.length) return;
      }
    }
  } finally {
    sock.close();
  }
}

/** Everything that arrives on `sock` within `ms`. */
async function drain(sock: NetlinkSocket, ms: number): Promise<{ message: NetlinkMessage; bytes: Buffer; groups: number; port: number }[]> {
  const out: { message: NetlinkMessage; bytes: Buffer; groups: number; port: number }[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const d = await sock.receive({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => undefined);
    if (!d) break;
    for (const message of decodeMessages(d.data)) out.push({ message, bytes: d.data, groups: d.groups, port: d.port });
  }
  return out;
}

function describeEvent(m: NetlinkMessage): string {
  const attrs = new Map(decodeAttributes(m.payload.subarray(4)).map((a) => [a.type, a.payload]));
  const key = attrs.get(ATTR.KEY)?.toString('latin1').replace(/\0$/, '');
  const value = attrs.get(ATTR.VALUE)?.toString('latin1');
  return `cmd ${m.payload[0]} seq ${m.seq} pid ${m.pid} KEY ${key ?? '(none)'}${value === undefined ? '' : ` VALUE ${value}`}`;
}

/**
 * Loads the distro's team driver first: its family has a multicast group of its own, so
 * "events" gets another id than on a fresh boot (8 → 9 on 6.1), and a client that hard-coded
 * the id it once saw joins team's group and hears nothing. Returns the undo.
 */
function shiftGroupIds(t: CheckContext): () => void {
  try {
    execFileSync('modprobe', ['team'], { stdio: 'ignore' });
  } catch {
    t.note('modprobe team failed: group ids are as on a fresh boot this time');
    return () => {};
  }
  return () => {
    try {
      execFileSync('modprobe', ['-r', 'team'], { stdio: 'ignore' });
    } catch {
      // Still in use or already gone: the guest is thrown away anyway.
    }
  };
}

/** A `node main.js watch` process whose output the check reads while it runs. */
function startWatch(t: CheckContext, args: string[]): { proc: ReturnType<typeof spawn>; out: () => string; err: () => string; waitFor: (re: RegExp, ms: number) => Promise<boolean> } {
  const c = t.client;
  if (!c) throw new Error('lesson 10 has a client');
  const proc = spawn(process.execPath, [c.path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (b: Buffer) => void (stdout += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => void (stderr += b.toString()));
  const waitFor = async (re: RegExp, ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (re.test(stdout) || re.test(stderr)) return true;
      if (proc.exitCode !== null || proc.signalCode !== null) return re.test(stdout) || re.test(stderr);
      await new Promise((r) => setTimeout(r, 25));
    }
    return false;
  };
  return { proc, out: () => stdout, err: () => stderr, waitFor };
}

function watchNotes(w: { proc: ReturnType<typeof spawn>; out: () => string; err: () => string }): string[] {
  const lines = w.out().trim().split('\n').map((l) => (l.length > 40 ? `${l.slice(0, 40)}…` : l));
  return [
    `node main.js watch: ${w.proc.exitCode !== null ? `exited ${w.proc.exitCode}` : w.proc.signalCode ? `killed by ${w.proc.signalCode}` : 'still running'}`,
    `stdout (${lines.length} lines): ${lines.slice(0, 6).join(' | ') || '(none)'}${lines.length > 6 ? ` | … | ${lines.slice(-3).join(' | ')}` : ''}`,
    `stderr: ${w.err().trim().split('\n').slice(0, 6).join('\n') || '(none)'}`,
  ];
}

async function stop(w: { proc: ReturnType<typeof spawn> }): Promise<void> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
  const gone = new Promise((r) => w.proc.once('close', r));
  w.proc.kill('SIGKILL');
  await gone;
}

export default defineChecks({
  async 'group-registered'(t) {
    const family = await loadFamily(t);
    const id = eventsGroup(family);
    t.note(`nlctrl lists group "events" with id ${id}`);
  },

  async policies(t) {
    await loadFamily(t);
    const got = await comparePolicies('nlab_kv', POLICIES, ATTR_NAME);
    const notes = got.map((g) => g.line);
    for (const g of got) ensure(g.diff.length === 0, `CTRL_CMD_GETPOLICY: ${g.name}'s policy differs from the lesson's: ${g.diff.join('; ')}`, { expected: g.expected, notes });
    t.note(notes.join('; '));
  },

  async 'two-subscribers'(t) {
    const family = await loadFamily(t);
    const group = eventsGroup(family);
    const subs = [openSocket(NETLINK.GENERIC), openSocket(NETLINK.GENERIC)];
    const outsider = openSocket(NETLINK.GENERIC);
    try {
      for (const s of subs) s.joinGroup(group);
      await change(family, [
        { cmd: CMD.SET, key: 'color', value: 'blue' },
        { cmd: CMD.DEL, key: 'color' },
      ]);
      const got = await Promise.all(subs.map((s) => drain(s, 800)));
      const stray = await drain(outsider, 200);
      const notes = [
        ...got.map((g, i) => `subscriber ${i + 1}: ${g.map((e) => describeEvent(e.message)).join('; ') || '(nothing)'}`),
        `socket that did not join: ${stray.length} messages`,
        ...(await moduleLog(t)),
      ];
      const messages = got.map((g, i) => ({ [`subscriber ${i + 1}`]: g.flatMap((e) => decodeForReport(e.bytes).messages) }));
      for (const [i, g] of got.entries()) {
        ensure(g.length === 2, `subscriber ${i + 1} got ${g.length} messages for one SET and one DEL`, { expected: '2 NLAB_CMD_CHANGED messages', messages, notes });
        const [set, del] = g.map((e) => e.message);
        for (const [m, cmd, name] of [[set!, CMD.SET_NTF, 'SET'], [del!, CMD.DEL_NTF, 'DEL']] as const) {
          ensure(m.type === family.id, `the notification of the ${name} is not a message of the family`, { messages, notes });
          ensure(m.payload[0] === cmd, `the notification of the ${name} has command ${m.payload[0]}`, {
            expected: `${cmd} (NLAB_CMD_${name}_NTF): one command per kind of change, so a listener need not guess from the attributes`,
            messages,
            notes,
          });
          ensure(m.seq === 0 && m.pid === 0, `a notification has seq ${m.seq} and pid ${m.pid}`, { expected: 'seq 0, pid 0: it answers no request', messages, notes });
        }
        ensure(describeEvent(set!).endsWith('KEY color VALUE blue'), 'the SET notification does not carry KEY color and VALUE blue', { actual: describeEvent(set!), notes });
        ensure(describeEvent(del!).endsWith('KEY color'), 'the DEL notification should carry KEY color and no VALUE', { actual: describeEvent(del!), notes });
        ensure(g.every((e) => e.port === 0 && e.groups !== 0), 'the notifications were not multicast by the kernel', { notes });
      }
      ensure(stray.length === 0, `a socket that did not join the group got ${stray.length} messages`, { notes });
    } finally {
      for (const s of [...subs, outsider]) s.close();
    }
  },

  async 'client-watch'(t) {
    const unshift = shiftGroupIds(t);
    const family = await loadFamily(t).catch((e: unknown) => {
      unshift();
      throw e;
    });
    t.note(`"events" has group id ${family.groups.events} this time`);
    const w = startWatch(t, ['watch', '3']);
    try {
      const ready = await w.waitFor(/watching/, 10000);
      ensure(ready, 'the client did not print "watching …" on stderr after joining the group', { notes: watchNotes(w) });
      await change(family, [
        { cmd: CMD.SET, key: 'a', value: '1' },
        { cmd: CMD.SET, key: 'a', value: '2' },
        { cmd: CMD.DEL, key: 'a' },
      ]);
      await w.waitFor(/del a/, 5000);
      const lines = w.out().trim().split('\n');
      ensure(lines.join('\n') === 'set a=1\nset a=2\ndel a', 'the client did not print the three changes in order', {
        expected: 'set a=1 | set a=2 | del a',
        notes: [`"events" is group ${family.groups.events} in this run: ids are handed out when families register, so join by name`, ...watchNotes(w), ...(await moduleLog(t))],
      });
      const exited = await w.waitFor(/$^/, 3000).then(() => w.proc.exitCode);
      ensure(exited === 0, '`watch 3` did not exit 0 after three changes', { notes: watchNotes(w) });
    } finally {
      await stop(w);
      unshift();
    }
  },

  async echo(t) {
    const family = await loadFamily(t);
    const requester = openSocket(NETLINK.GENERIC);
    try {
      const notes: string[] = [];
      const ask = async (seq: number, cmd: number, key: string, value: string | undefined, echo: boolean): Promise<NetlinkMessage[]> => {
        const attrs = [str(ATTR.KEY, key), ...(value === undefined ? [] : [encodeAttribute(ATTR.VALUE, Buffer.from(value))])];
        requester.sendBytes(encodeMessages([{ type: family.id, flags: NLM_F.REQUEST | NLM_F.ACK | (echo ? NLM_F.ECHO : 0), seq, pid: 0, payload: genl(cmd, attrs) }]));
        // The ACK comes last; a copy that the multicast would add arrives with it.
        const got = (await drain(requester, 500)).map((e) => e.message);
        const ack = got.find((m) => m.type === NLMSG.ERROR && m.seq === seq);
        ensure(ack && ack.payload.readInt32LE(0) === 0, `request #${seq} got no ACK of 0`, { notes: [...notes, ...(await moduleLog(t))] });
        const ntf = got.filter((m) => m.type !== NLMSG.ERROR);
        notes.push(`${echo ? 'with' : 'without'} NLM_F_ECHO, ${cmd === CMD.SET ? `SET ${key}=${value}` : `DEL ${key}`}: ${ntf.map(describeEvent).join('; ') || 'only the ACK'}`);
        return ntf;
      };
      const set = await ask(1, CMD.SET, 'color', 'blue', true);
      ensure(set.length === 1 && set[0]!.type === family.id && set[0]!.payload[0] === CMD.SET_NTF, 'a SET with NLM_F_ECHO did not get its own SET_NTF back', {
        expected: 'one NLAB_CMD_SET_NTF ahead of the ACK, though the requester joined no group: genl_notify() sends it when the request asks',
        notes,
      });
      ensure(describeEvent(set[0]!).endsWith('KEY color VALUE blue'), 'the echoed SET_NTF does not carry KEY color and VALUE blue', { notes });
      const del = await ask(2, CMD.DEL, 'color', undefined, true);
      ensure(del.length === 1 && del[0]!.payload[0] === CMD.DEL_NTF && describeEvent(del[0]!).endsWith('KEY color'), 'a DEL with NLM_F_ECHO did not get its own DEL_NTF (KEY color) back', { notes });
      const quiet = await ask(3, CMD.SET, 'color', 'red', false);
      ensure(quiet.length === 0, 'a SET without NLM_F_ECHO got more than its ACK', { expected: 'only the ACK: the requester joined no group and did not ask for an echo', notes });
      // A requester that is also a member gets one copy: genl_notify() leaves it out of the multicast.
      requester.joinGroup(eventsGroup(family));
      const member = await ask(4, CMD.SET, 'color', 'green', true);
      ensure(member.length === 1, `a member of "events" that set NLM_F_ECHO got ${member.length} copies of its own change`, { expected: 'one', notes });
      t.note(notes[0]!);
    } finally {
      requester.close();
    }
  },

  async rejoin(t) {
    const first = await loadFamily(t);
    const w = startWatch(t, ['watch', '2']);
    let unshift = (): void => {};
    try {
      ensure(await w.waitFor(/watching/, 10000), 'the client did not print "watching …" on stderr after joining the group', { notes: watchNotes(w) });
      const r = await t.rmmod();
      ensure(r.code === 0, `rmmod failed: ${r.stderr}`);
      // team takes the group id nlab_kv just freed, so "events" comes back with another one.
      unshift = shiftGroupIds(t);
      const second = await loadFamily(t);
      const notes = [`family id ${first.id} → ${second.id}, "events" group id ${first.groups.events} → ${second.groups.events} across the reload`];
      const told = await w.waitFor(/rejoined/, 5000);
      if (!told) notes.push('the client printed no "rejoined" line within 5 s; the changes were made anyway');
      await change(second, [
        { cmd: CMD.SET, key: 'a', value: '1' },
        { cmd: CMD.DEL, key: 'a' },
      ]);
      await w.waitFor(/del a/, 5000);
      ensure(w.out().trim() === 'set a=1\ndel a', 'after the module was reloaded the watcher did not print its next two changes', {
        expected: 'set a=1 | del a',
        notes: [...notes, 'the core drops every member of a group when its family goes away: follow nlctrl\'s "notify" group and rejoin on NEWFAMILY', ...watchNotes(w)],
      });
      const exited = await w.waitFor(/$^/, 3000).then(() => w.proc.exitCode);
      ensure(exited === 0, '`watch 2` did not exit 0 after two changes', { notes: watchNotes(w) });
      t.note(notes[0]!);
    } finally {
      await stop(w);
      unshift();
    }
  },

  async resync(t) {
    const family = await loadFamily(t);
    const w = startWatch(t, ['watch']);
    try {
      ensure(await w.waitFor(/watching/, 10000), 'the client did not print "watching …" on stderr after joining the group', { notes: watchNotes(w) });
      // Freeze the client, and make far more changes than its receive buffer holds.
      w.proc.kill('SIGSTOP');
      const many = Array.from({ length: 600 }, (_, i) => ({ cmd: CMD.SET, key: `k${String(i).padStart(3, '0')}`, value: 'x'.repeat(900) }));
      await change(family, many);
      w.proc.kill('SIGCONT');
      // One more change once the client has caught up: it must still be watching.
      if (await w.waitFor(/resync done/, 15000)) {
        await change(family, [{ cmd: CMD.SET, key: 'after', value: 'resync' }]);
        await w.waitFor(/set after=resync/, 5000);
      }
      const lines = w.out().trim().split('\n');
      const notes = [...watchNotes(w), ...(await moduleLog(t))];
      const r = lines.indexOf('lost events (ENOBUFS); resync');
      const done = lines.indexOf('resync done');
      ensure(r >= 0 && done > r, 'after the kernel dropped notifications the client did not print "lost events (ENOBUFS); resync" … "resync done"', { notes });
      const listed = new Set(lines.slice(r + 1, done).map((l) => l.split('=')[0]));
      ensure(listed.size === 600 && listed.has('k599') && listed.has('k000'), `the resync listed ${listed.size} of the 600 keys k000…k599`, { notes });
      ensure(lines.includes('set after=resync'), 'after the resync the client did not go on printing changes', { notes });
      t.note(`${r} notifications printed before ENOBUFS, then a resync of ${listed.size} keys`);
    } finally {
      await stop(w);
    }
  },
});
