// Lesson 10 checks: SET_NTF and DEL_NTF notifications on the "events" group — who gets them,
// what they carry, the requester's own copy with NLM_F_ECHO — and a client that watches
// them, joins the group by name, resyncs with a dump after the kernel dropped some
// (ENOBUFS) and rejoins after the module is reloaded.
import { decodeMessages, encodeMessages, NLM_F, NLMSG, type NetlinkMessage } from 'netlink-lab/client';
import { type CheckContext, type CheckSocket, decodeForReport, defineChecks, ensure, loadFamily, moduleLog } from 'netlink-lab/grader';
import { CMD, change, describeEvent, eventsGroup, genl, key, policiesCheck, value } from 'netlink-lab/grader/nlab-kv';

/** Every message that arrives on `sock` within `ms`, with the datagram it came in. */
async function drain(sock: CheckSocket, ms: number): Promise<{ message: NetlinkMessage; bytes: Buffer; groups: number; port: number }[]> {
  return (await sock.collect(ms)).flatMap((d) => decodeMessages(d.bytes).map((message) => ({ message, bytes: d.bytes, groups: d.groups, port: d.from })));
}

/**
 * Loads the distro's team driver first: its family has a multicast group of its own, so
 * "events" gets another id than on a fresh boot (8 → 9 on 6.1), and a client that hard-coded
 * the id it once saw joins team's group and hears nothing. Returns the undo.
 */
async function shiftGroupIds(t: CheckContext): Promise<() => Promise<void>> {
  const r = await t.run(['modprobe', 'team'], { timeoutMs: 30000 });
  if (r.code !== 0) {
    t.note('modprobe team failed: group ids are as on a fresh boot this time');
    return async () => {};
  }
  // Still in use or already gone, the undo may fail: the guest is thrown away anyway.
  return async () => void (await t.run(['modprobe', '-r', 'team'], { timeoutMs: 30000 }));
}

export default defineChecks({
  async 'group-registered'(t) {
    const family = await loadFamily(t);
    const id = eventsGroup(family);
    t.note(`nlctrl lists group "events" with id ${id}`);
  },

  policies: policiesCheck(['SET', 'GET', 'DEL', 'LIST']),

  async 'two-subscribers'(t) {
    const family = await loadFamily(t);
    const group = eventsGroup(family);
    const subs = [t.socket(), t.socket()];
    const outsider = t.socket();
    try {
      for (const s of subs) s.joinGroup(group);
      await change(t, family, [{ key: 'color', value: 'blue' }, { key: 'color' }]);
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
    const unshift = await shiftGroupIds(t);
    const family = await loadFamily(t).catch(async (e: unknown) => {
      await unshift();
      throw e;
    });
    t.note(`"events" has group id ${family.groups.events} this time`);
    const w = t.startClient(['watch', '3']);
    try {
      const ready = await w.waitFor(/watching/, 10000);
      ensure(ready, 'the client did not print "watching …" on stderr after joining the group', { notes: w.notes() });
      await change(t, family, [
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
        { key: 'a' },
      ]);
      await w.waitFor(/del a/, 5000);
      const lines = w.stdout().trim().split('\n');
      ensure(lines.join('\n') === 'set a=1\nset a=2\ndel a', 'the client did not print the three changes in order', {
        expected: 'set a=1 | set a=2 | del a',
        notes: [`"events" is group ${family.groups.events} in this run: ids are handed out when families register, so join by name`, ...w.notes(), ...(await moduleLog(t))],
      });
      const exited = await w.waitFor(/$^/, 3000).then(() => w.exitCode());
      ensure(exited === 0, '`watch 3` did not exit 0 after three changes', { notes: w.notes() });
    } finally {
      await w.stop();
      await unshift();
    }
  },

  async echo(t) {
    const family = await loadFamily(t);
    const requester = t.socket();
    try {
      const notes: string[] = [];
      const ask = async (seq: number, cmd: number, k: string, v: string | undefined, echo: boolean): Promise<NetlinkMessage[]> => {
        const attrs = [key(k), ...(v === undefined ? [] : [value(v)])];
        requester.send(encodeMessages([{ type: family.id, flags: NLM_F.REQUEST | NLM_F.ACK | (echo ? NLM_F.ECHO : 0), seq, pid: 0, payload: genl(cmd, attrs) }]));
        // The ACK comes last; a copy that the multicast would add arrives with it.
        const got = (await drain(requester, 500)).map((e) => e.message);
        const ack = got.find((m) => m.type === NLMSG.ERROR && m.seq === seq);
        ensure(ack && ack.payload.readInt32LE(0) === 0, `request #${seq} got no ACK of 0`, { notes: [...notes, ...(await moduleLog(t))] });
        const ntf = got.filter((m) => m.type !== NLMSG.ERROR);
        notes.push(`${echo ? 'with' : 'without'} NLM_F_ECHO, ${cmd === CMD.SET ? `SET ${k}=${v}` : `DEL ${k}`}: ${ntf.map(describeEvent).join('; ') || 'only the ACK'}`);
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
    const w = t.startClient(['watch', '2']);
    let unshift = async (): Promise<void> => {};
    try {
      ensure(await w.waitFor(/watching/, 10000), 'the client did not print "watching …" on stderr after joining the group', { notes: w.notes() });
      const r = await t.rmmod();
      ensure(r.code === 0, `rmmod failed: ${r.stderr}`);
      // team takes the group id nlab_kv just freed, so "events" comes back with another one.
      unshift = await shiftGroupIds(t);
      const second = await loadFamily(t);
      const notes = [`family id ${first.id} → ${second.id}, "events" group id ${first.groups.events} → ${second.groups.events} across the reload`];
      const told = await w.waitFor(/rejoined/, 5000);
      if (!told) notes.push('the client printed no "rejoined" line within 5 s; the changes were made anyway');
      await change(t, second, [{ key: 'a', value: '1' }, { key: 'a' }]);
      await w.waitFor(/del a/, 5000);
      ensure(w.stdout().trim() === 'set a=1\ndel a', 'after the module was reloaded the watcher did not print its next two changes', {
        expected: 'set a=1 | del a',
        notes: [...notes, 'the core drops every member of a group when its family goes away: follow nlctrl\'s "notify" group and rejoin on NEWFAMILY', ...w.notes()],
      });
      const exited = await w.waitFor(/$^/, 3000).then(() => w.exitCode());
      ensure(exited === 0, '`watch 2` did not exit 0 after two changes', { notes: w.notes() });
      t.note(notes[0]!);
    } finally {
      await w.stop();
      await unshift();
    }
  },

  async resync(t) {
    const family = await loadFamily(t);
    const w = t.startClient(['watch']);
    try {
      ensure(await w.waitFor(/watching/, 10000), 'the client did not print "watching …" on stderr after joining the group', { notes: w.notes() });
      // Freeze the client, and make far more changes than its receive buffer holds.
      w.signal('SIGSTOP');
      const many = Array.from({ length: 600 }, (_, i) => ({ key: `k${String(i).padStart(3, '0')}`, value: 'x'.repeat(900) }));
      await change(t, family, many);
      w.signal('SIGCONT');
      // One more change once the client has caught up: it must still be watching.
      if (await w.waitFor(/resync done/, 15000)) {
        await change(t, family, [{ key: 'after', value: 'resync' }]);
        await w.waitFor(/set after=resync/, 5000);
      }
      const lines = w.stdout().trim().split('\n');
      const notes = [...w.notes(), ...(await moduleLog(t))];
      const r = lines.indexOf('lost events (ENOBUFS); resync');
      const done = lines.indexOf('resync done');
      ensure(r >= 0 && done > r, 'after the kernel dropped notifications the client did not print "lost events (ENOBUFS); resync" … "resync done"', { notes });
      const listed = new Set(lines.slice(r + 1, done).map((l) => l.split('=')[0]));
      ensure(listed.size === 600 && listed.has('k599') && listed.has('k000'), `the resync listed ${listed.size} of the 600 keys k000…k599`, { notes });
      ensure(lines.includes('set after=resync'), 'after the resync the client did not go on printing changes', { notes });
      t.note(`${r} notifications printed before ENOBUFS, then a resync of ${listed.size} keys`);
    } finally {
      await w.stop();
    }
  },
});
