// Lesson 12 checks: the spec passes the kernel's schema and describes the loaded family, and
// the kernel's own YNL client (tools/net/ynl/cli.py, python3), driven by the very spec the
// TypeScript client was generated from, sees the same GET reply, LIST dump and notifications;
// and the watcher keeps lesson 10's resync and rejoin.
//
// The spec reaches the checks through the generated module (its `specSource`), not as a file
// path: that is the spec the TypeScript codecs came from, so both sides use the same one.
// cli.py and the schema come from `.lab/ynl/`, which `npm run setup` extracts from Debian's
// linux-source-6.12.
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { GENL_OP_FLAG } from 'netlink-lab/client';
import {
  CheckFailed,
  clientJson,
  clientSpec,
  defineChecks,
  ensure,
  ensureWatchAgrees,
  ensureYnlAgrees,
  findYnl,
  loadFamily,
  moduleLog,
  programNotes,
  runProgram,
  ynlJson,
  ynlSubscribe,
  YNL_TIMEOUT_MS,
} from 'netlink-lab/grader';
import { change, rejoinCheck, ynlWatchLines } from 'netlink-lab/grader/nlab-kv';

/** The generated module next to the client's main.js. */
const GENERATED = 'nlab_kv-ynl.js';

const show = (v: unknown): string => JSON.stringify(v);

export default defineChecks({

  async 'spec-valid'(t) {
    const family = await loadFamily(t);
    const spec = await clientSpec(t, GENERATED);
    const y = findYnl(import.meta.url);
    // YNL's own loader: jsonschema validation against genetlink.yaml, then name resolution.
    const script = [
      'import sys, json',
      'sys.path.insert(0, sys.argv[1])',
      'import jsonschema',
      'from lib import SpecFamily',
      'try:',
      '    f = SpecFamily(sys.argv[2], sys.argv[3])',
      'except jsonschema.ValidationError as e:',
      "    print('schema: %s (at %s)' % (e.message, '/'.join(str(p) for p in e.absolute_path) or 'the top'))",
      '    sys.exit(3)',
      'except Exception as e:',
      "    print('%s: %s' % (type(e).__name__, e))",
      '    sys.exit(4)',
      "ops = [{'name': n, 'value': o.req_value, 'do': 'do' in o.yaml, 'dump': 'dump' in o.yaml,",
      "        'admin': 'admin-perm' in o.yaml.get('flags', []), 'event': o.is_async} for n, o in f.msgs.items()]",
      "print(json.dumps({'name': f.name, 'ops': ops, 'mcgrps': list(f.mcast_groups)}))",
    ].join('\n');
    const r = await runProgram(t, ['python3', '-c', script, join(y.dir, 'tools/net/ynl'), spec.path, y.schema], YNL_TIMEOUT_MS);
    t.note(`loading the spec with YNL's SpecFamily took ${(r.ms / 1000).toFixed(1)} s`);
    const notes = programNotes("YNL's SpecFamily", r);
    ensure(r.code !== 3, "the spec does not pass the kernel's genetlink schema", { actual: r.stdout.trim(), notes });
    ensure(r.code === 0, 'YNL could not load the spec', { actual: r.stdout.trim() || r.stderr.trim().split('\n').at(-1), notes });
    const got = JSON.parse(r.stdout) as {
      name: string;
      ops: { name: string; value: number; do: boolean; dump: boolean; admin: boolean; event: boolean }[];
      mcgrps: string[];
    };

    ensure(got.name === family.name, `the spec names family "${got.name}"`, { expected: family.name });
    const problems: string[] = [];
    const byId = new Map(family.ops.map((o) => [o.id, o.flags]));
    for (const op of got.ops.filter((o) => !o.event)) {
      const flags = byId.get(op.value);
      if (flags === undefined) {
        problems.push(`operation ${op.name} is cmd ${op.value}, which the module does not have`);
        continue;
      }
      if (op.do !== Boolean(flags & GENL_OP_FLAG.CMD_CAP_DO)) problems.push(`operation ${op.name} (cmd ${op.value}): do is ${op.do ? '' : 'not '}in the spec, but the module ${flags & GENL_OP_FLAG.CMD_CAP_DO ? 'has' : 'has no'} doit`);
      if (op.dump !== Boolean(flags & GENL_OP_FLAG.CMD_CAP_DUMP)) problems.push(`operation ${op.name} (cmd ${op.value}): dump is ${op.dump ? '' : 'not '}in the spec, but the module ${flags & GENL_OP_FLAG.CMD_CAP_DUMP ? 'has' : 'has no'} dumpit`);
      if (op.admin !== Boolean(flags & GENL_OP_FLAG.ADMIN_PERM)) problems.push(`operation ${op.name} (cmd ${op.value}): admin-perm is ${op.admin ? '' : 'not '}in the spec, but the module ${flags & GENL_OP_FLAG.ADMIN_PERM ? 'requires' : 'does not require'} CAP_NET_ADMIN`);
    }
    for (const o of family.ops) if (!got.ops.some((x) => x.value === o.id && !x.event)) problems.push(`the module has cmd ${o.id}, the spec has no do/dump operation with that number`);
    const groups = Object.keys(family.groups).sort();
    if (!isDeepStrictEqual([...got.mcgrps].sort(), groups)) problems.push(`multicast groups: the spec has [${got.mcgrps.join(', ')}], the module [${groups.join(', ')}]`);
    if (!got.ops.some((o) => o.event)) problems.push('the spec has no notification (an operation with event or notify)');
    ensure(problems.length === 0, 'the spec does not describe the family the module registered', {
      actual: problems,
      notes: [`nlctrl: ops ${family.ops.map((o) => `${o.id}/0x${o.flags.toString(16)}`).join(' ')}, groups ${JSON.stringify(family.groups)}`],
    });
    t.note(`spec: ${got.ops.map((o) => `${o.name}=${o.value}`).join(' ')}; groups ${got.mcgrps.join(', ')}`);
  },

  async 'get-same'(t) {
    const family = await loadFamily(t);
    const spec = await clientSpec(t, GENERATED);
    const value = Buffer.from([0x00, 0xff, 0x6c, 0x61, 0x62]);
    await change(t, family, [
      { key: 'a', value: Buffer.from('alpha') },
      { key: 'b', value },
    ]);
    const theirs = await ynlJson(t, import.meta.url, spec.path, ['--do', 'get', '--json', '{"key": "b"}']);
    const ours = await clientJson(t, ['get', 'b']);
    ensureYnlAgrees(theirs, { key: 'b', value: value.toString('hex') }, "YNL's reply is not the stored entry: is get's reply described right in the spec?", ours, 'get b');
  },

  async 'list-same'(t) {
    const family = await loadFamily(t);
    const spec = await clientSpec(t, GENERATED);
    await change(t, family, [
      { key: 'c1', value: Buffer.from('one') },
      { key: 'd1', value: Buffer.from('other') },
      { key: 'c2', value: Buffer.from([0, 1, 2]) },
    ]);
    const theirs = await ynlJson(t, import.meta.url, spec.path, ['--dump', 'list', '--json', '{"prefix": "c"}']);
    const ours = await clientJson(t, ['list', 'c']);
    const expected = [
      { key: 'c1', value: Buffer.from('one').toString('hex') },
      { key: 'c2', value: '000102' },
    ];
    ensureYnlAgrees(theirs, expected, "YNL's dump is not the two entries under prefix c: is list's dump described right in the spec?", ours, 'list c');
  },

  async 'event-same'(t) {
    const family = await loadFamily(t);
    const spec = await clientSpec(t, GENERATED);
    const group = family.groups.events;
    ensure(group !== undefined, 'the family has no multicast group named "events"', { actual: JSON.stringify(family.groups) });

    const w = t.startClient(['watch', '2']);
    // cli.py joins right after it loads, then sleeps, then prints what arrived meanwhile.
    const ynl = ynlSubscribe(t, import.meta.url, spec.path, 'events', 6);
    try {
      ensure(await w.waitFor(() => /watching/.test(w.stderr()), 30000), 'the client did not print "watching …" on stderr after joining the group', { notes: w.notes() });
      await ynl.joined(group, 1);
      await change(t, family, [{ key: 'e', value: Buffer.from('1') }, { key: 'e' }]);
      const r = await ynl.result;
      if (!r.ok) throw r.e;
      const theirs = r.v;
      const expected = [
        { name: 'set-ntf', msg: { key: 'e', value: '31' } },
        { name: 'del-ntf', msg: { key: 'e' } },
      ];
      ensure(isDeepStrictEqual(theirs.value, expected), "YNL's notifications are not a SET and a DEL of key e: is the event (and its attributes) described right in the spec?", {
        expected: show(expected),
        actual: show(theirs.value),
        notes: theirs.notes,
      });
      await ensureWatchAgrees(w, expected);
      ensure(w.exitCode() === 0, '`watch 2` did not exit 0 after two notifications', { notes: w.notes() });
    } finally {
      await w.stop();
      await ynl.stop();
    }
  },

  async resync(t) {
    const family = await loadFamily(t);
    const w = t.startClient(['watch']);
    try {
      ensure(await w.waitFor(() => /watching/.test(w.stderr()), 30000), 'the client did not print "watching …" on stderr after joining the group', { notes: w.notes() });
      // Freeze the client, and make far more changes than its receive buffer holds.
      w.signal('SIGSTOP');
      const keys = Array.from({ length: 600 }, (_, i) => `k${String(i).padStart(3, '0')}`);
      await change(t, family, keys.map((key) => ({ key, value: Buffer.alloc(900, 'x') })));
      w.signal('SIGCONT');
      // One more change once the client has caught up: it must still be watching.
      const after = { name: 'set-ntf', msg: { key: 'after', value: Buffer.from('resync').toString('hex') } };
      if (await w.waitFor(() => /resync done/.test(w.stderr()), 30000)) {
        await change(t, family, [{ key: 'after', value: Buffer.from('resync') }]);
        await w.waitFor(() => w.stdout().includes('"after"'), 5000);
      }
      const notes = [...w.notes(), ...(await moduleLog(t))];
      ensure(/lost events \(ENOBUFS\); resync[\s\S]*resync done/.test(w.stderr()), 'after the kernel dropped notifications the client did not print "lost events (ENOBUFS); resync" … "resync done" on stderr', { notes });
      const lines = w.stdout().trim().split('\n').map((l) => {
        try {
          return JSON.parse(l) as unknown;
        } catch {
          throw new CheckFailed('`watch` printed a line that is not JSON', { notes });
        }
      });
      const dump = lines.findIndex(Array.isArray);
      ensure(dump >= 0, 'the resync printed no JSON array of the store', { expected: 'one line as `list` prints it', notes });
      const listed = new Set((lines[dump] as { key?: unknown }[]).map((e) => e.key));
      ensure(listed.size === 600 && listed.has('k000') && listed.has('k599'), `the resync listed ${listed.size} of the 600 keys k000…k599`, { notes });
      ensure(lines.slice(dump + 1).some((l) => isDeepStrictEqual(l, after)), 'after the resync the client did not go on printing notifications', { expected: show(after), notes });
      t.note(`${dump} notifications printed before ENOBUFS, then a resync of ${listed.size} keys`);
    } finally {
      await w.stop();
    }
  },

  // Lesson 10's check, on the JSON lines a spec-driven watcher prints.
  rejoin: rejoinCheck({ lines: ynlWatchLines, readyMs: 30000 }),
});
