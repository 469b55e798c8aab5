// Lesson 11 checks: who may change nlab_kv (GENL_UNS_ADMIN_PERM, checked from a process running
// without capabilities and from the root of a fresh user namespace), one store per network
// namespace (a process in a fresh namespace from unshare) whose notifications stay in it, and
// an rmmod while sockets are open and a dump is in flight — each followed by the grader's
// health gate; and lesson 10's echo and rejoin, since the notifications it added must survive
// this lesson's changes. `fuzz` is the grader's builtin (lesson.json).
import { decodeMessages, encodeMessages, NLM_F, NLMSG } from 'netlink-lab/client';
import { type CheckSocket, CONTAINER_ROOT, defineChecks, ensure, loadFamily, moduleLog } from 'netlink-lab/grader';
import { ATTR, CMD, echoCheck, genl, genlAttrs, key, probe, type ProbeOp, type ProbeResult, rejoinCheck, value } from 'netlink-lab/grader/nlab-kv';

const EPERM = 1;
const ENOENT = 2;
// Still uid 0, but with an empty bounding set: after exec the process holds no capability.
const UNPRIVILEGED = ['setpriv', '--bounding-set=-all', '--inh-caps=-all'];
const NEW_NETNS = ['unshare', '--net'];

function expectErrno(r: ProbeResult | undefined, errno: number, what: string, notes: string[]): void {
  const name = (n: number | undefined): string => (n === undefined ? 'no result' : n === 0 ? 'success' : n === EPERM ? 'EPERM' : n === ENOENT ? 'ENOENT' : `errno ${n}`);
  ensure(r?.errno === errno, `${what}: ${name(r?.errno)}`, { expected: name(errno), actual: name(r?.errno), notes });
}

/** Every notification that reached `sock`, as `key=value` (`key` alone for a DEL). */
async function drainValues(sock: CheckSocket): Promise<string[]> {
  const out: string[] = [];
  for (const d of await sock.collect(0)) {
    for (const m of decodeMessages(d.bytes)) {
      if (m.type === NLMSG.ERROR || m.payload.length < 4) continue;
      const attrs = genlAttrs(m);
      const k = attrs.get(ATTR.KEY)?.toString().replace(/\0+$/, '') ?? '?';
      const v = attrs.get(ATTR.VALUE);
      out.push(v ? `${k}=${v.toString()}` : k);
    }
  }
  return out;
}

export default defineChecks({
  async 'admin-only'(t) {
    await loadFamily(t);
    const root = await probe(t, [{ cmd: 'set', key: 'owner', value: 'root' }]);
    expectErrno(root.results[0], 0, 'SET as root (with CAP_NET_ADMIN) failed', root.notes);
    const { results, notes } = await probe(t, 
      [
        { cmd: 'set', key: 'mine', value: 'nobody' },
        { cmd: 'del', key: 'owner' },
        { cmd: 'get', key: 'owner' },
        { cmd: 'list' },
      ],
      UNPRIVILEGED,
    );
    notes.push(...(await moduleLog(t)));
    expectErrno(results[0], EPERM, 'SET without CAP_NET_ADMIN should fail with EPERM', notes);
    expectErrno(results[1], EPERM, 'DEL without CAP_NET_ADMIN should fail with EPERM', notes);
    expectErrno(results[2], 0, 'GET without CAP_NET_ADMIN should still work', notes);
    ensure(results[2]?.value === 'root', 'GET without CAP_NET_ADMIN did not return the stored value (did the refused DEL delete it?)', { notes });
    expectErrno(results[3], 0, 'LIST without CAP_NET_ADMIN should still work', notes);
  },

  async 'per-netns'(t) {
    const family = await loadFamily(t);
    // A watcher in the initial namespace: it must hear the SET made there, and not the other one's.
    const watcher = t.socket({ receiveBufferSize: 1 << 20 });
    try {
      watcher.joinGroup(family.groups.events ?? 0);
      const host = await probe(t, [{ cmd: 'set', key: 'where', value: 'init_net' }]);
      expectErrno(host.results[0], 0, 'SET in the initial namespace failed', host.notes);
      const other = await probe(t, 
        [
          { cmd: 'get', key: 'where' },
          { cmd: 'list' },
          { cmd: 'set', key: 'where', value: 'other' },
          { cmd: 'get', key: 'where' },
        ],
        NEW_NETNS,
      );
      const back = await probe(t, [{ cmd: 'get', key: 'where' }, { cmd: 'list' }]);
      // Multicast delivery queues the message before the SET returns, so the probes' exit is late enough.
      const heard = await drainValues(watcher);
      const notes = [
        'in a new network namespace (unshare --net):',
        ...other.notes,
        'back in the initial namespace:',
        ...back.notes,
        `a watcher of "events" in the initial namespace heard: ${heard.length ? heard.join(', ') : '(nothing)'}`,
        ...(await moduleLog(t)),
      ];
      expectErrno(other.results[0], ENOENT, 'a key set in the initial namespace is visible in a new one', notes);
      ensure(other.results[1]?.keys?.length === 0, 'LIST in a new namespace is not empty', { notes });
      expectErrno(other.results[2], 0, 'SET in the new namespace failed', notes);
      ensure(other.results[3]?.value === 'other', 'GET in the new namespace does not return its own value', { notes });
      ensure(back.results[0]?.value === 'init_net', 'the new namespace\'s SET changed the initial namespace\'s value', { notes });
      ensure(back.results[1]?.keys?.length === 1, 'LIST in the initial namespace does not show exactly its one key', { notes });
      ensure(heard.includes('where=init_net'), 'a watcher in the initial namespace did not hear the SET made there', { notes });
      ensure(!heard.includes('where=other'), 'a watcher in the initial namespace heard the SET made in another namespace', { notes });
    } finally {
      watcher.close();
    }
  },

  async 'netns-teardown'(t) {
    await loadFamily(t);
    const live = (): number | undefined => t.liveObjects();
    const base = live();
    ensure(base !== undefined, 'this kernel keeps no owner records of its allocations (slub_debug=U): the check needs the lab guest', {});
    const sets = (where: string): ProbeOp[] => Array.from({ length: 20 }, (_, i) => ({ cmd: 'set' as const, key: `${where}-${i}`, value: 'x'.repeat(1000) }));
    // Calibration: the same scan must see the 20 entries of the initial namespace's store.
    const host = await probe(t, sets('host'));
    expectErrno(host.results[19], 0, 'SET in the initial namespace failed', host.notes);
    const withHost = live() ?? base;
    const notes = [`objects allocated by ${t.module.name} and still live: ${base} after loading, ${withHost} after 20 SETs in the initial namespace`];
    if (withHost - base < 20) {
      t.note(`${notes[0]}: the entries are allocated outside the module's own code (a helper such as kmemdup()), so SLUB cannot tell them apart; not judged`);
      return;
    }
    // 20 more in a namespace that ends with the probe: its store must go with it.
    const other = await probe(t, sets('other'), NEW_NETNS);
    expectErrno(other.results[19], 0, 'SET in a new namespace failed', [...notes, ...other.notes]);
    // The core dismantles a dead namespace from a workqueue, soon but not at once.
    let now = live() ?? 0;
    for (let waited = 0; now > withHost && waited < 10000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      now = live() ?? 0;
    }
    notes.push(`after a new namespace set 20 keys and went away: ${now}`);
    ensure(now <= withHost, `${now - withHost} objects allocated by ${t.module.name} outlived the namespace that stored them`, {
      expected: `${withHost}: the initial namespace's 20 entries only; the pernet .exit frees a namespace's store when the namespace goes away`,
      notes: [...notes, ...(await moduleLog(t))],
    });
    t.note(notes.join('; '));
  },

  async 'container-root'(t) {
    await loadFamily(t);
    const host = await probe(t, [{ cmd: 'set', key: 'host', value: 'init_net' }]);
    expectErrno(host.results[0], 0, 'SET in the initial namespace failed', host.notes);
    const box = await probe(t, 
      [
        { cmd: 'set', key: 'mine', value: 'container' },
        { cmd: 'get', key: 'mine' },
        { cmd: 'del', key: 'mine' },
        { cmd: 'get', key: 'host' },
      ],
      CONTAINER_ROOT,
    );
    const back = await probe(t, [{ cmd: 'get', key: 'host' }]);
    const notes = ['as the root of a new user namespace that owns a new network namespace:', ...box.notes, 'back in the initial namespace:', ...back.notes, ...(await moduleLog(t))];
    expectErrno(box.results[0], 0, "SET by a container's root in its own namespace should succeed", notes);
    ensure(box.results[1]?.value === 'container', "GET in the container's namespace does not return its own value", { notes });
    expectErrno(box.results[2], 0, "DEL by a container's root in its own namespace should succeed", notes);
    expectErrno(box.results[3], ENOENT, "the host's key is visible from the container's namespace", notes);
    ensure(back.results[0]?.value === 'init_net', "the host's value changed while the container used its own store", { notes });
  },

  async 'rmmod-in-use'(t) {
    const family = await loadFamily(t);
    // Fill the store so that a dump needs many datagrams, then leave one half-read.
    const sock = t.socket({ receiveBufferSize: 1 << 20 });
    const idle = t.socket();
    const notes: string[] = [];
    try {
      idle.joinGroup(family.groups.events ?? 0);
      const sets = Array.from({ length: 500 }, (_, i) => ({
        type: family.id,
        flags: NLM_F.REQUEST | (i === 499 ? NLM_F.ACK : 0),
        seq: i + 1,
        pid: 0,
        payload: genl(CMD.SET, [key(`k${i}`), value(Buffer.alloc(200, 0x61))]),
      }));
      for (let i = 0; i < sets.length; i += 50) sock.send(encodeMessages(sets.slice(i, i + 50)));
      await sock.receive(5000);
      sock.send(encodeMessages([{ type: family.id, flags: NLM_F.REQUEST | NLM_F.DUMP, seq: 1000, pid: 0, payload: genl(CMD.LIST) }]));
      const first = await sock.receive(5000);
      const inFlight = !decodeMessages(first.bytes).some((m) => m.type === NLMSG.DONE);
      notes.push(`a LIST dump is ${inFlight ? 'in flight (first datagram read, the rest not)' : 'already complete'}; another socket is in the events group`);
      const r1 = await t.rmmod();
      notes.push(`rmmod with the sockets open: exit ${r1.code}${r1.stderr ? ` (${r1.stderr.trim()})` : ''}`);
      if (r1.code === 0) {
        // The family is gone: the open socket must get an error, not a crash.
        sock.send(encodeMessages([{ type: family.id, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 2000, pid: 0, payload: genl(CMD.GET, [key('k1')]) }]));
      }
    } finally {
      sock.close();
      idle.close();
    }
    // With every socket closed, the module must unload (the health gate checks the log).
    if ((await t.loadedModules()).includes(t.module.name)) {
      const r2 = await t.rmmod();
      notes.push(`rmmod after the sockets closed: exit ${r2.code}${r2.stderr ? ` (${r2.stderr.trim()})` : ''}`);
      ensure(r2.code === 0, 'the module does not unload after every socket closed', { notes: [...notes, ...(await moduleLog(t))] });
    }
    t.note(notes.join('; '));
  },

  // Lesson 10's notifications, carried: the module still echoes and still comes back to a watcher.
  echo: echoCheck(),

  rejoin: rejoinCheck(),
});
