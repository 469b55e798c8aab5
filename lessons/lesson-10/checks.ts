// Lesson 10 checks: SET_NTF and DEL_NTF notifications on the "events" group — who gets them,
// what they carry, the requester's own copy with NLM_F_ECHO — and a client that watches
// them, joins the group by name, resyncs with a dump after the kernel dropped some
// (ENOBUFS) and rejoins after the module is reloaded.
import { decodeForReport, defineChecks, ensure, loadFamily, moduleLog } from 'netlink-lab/grader';
import { change, CMD, describeEvent, drain, echoCheck, eventsGroup, policiesCheck, rejoinCheck, shiftGroupIds } from 'netlink-lab/grader/nlab-kv';

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

  echo: echoCheck(),

  rejoin: rejoinCheck(),

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
