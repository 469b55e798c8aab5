// Lesson 8 checks: nlab_kv as a generic netlink family — registration as nlctrl and iproute2
// see it, the store over genl, the core's strict header and per-command policy checks (and the
// policies read back through nlctrl), who may change the store and from which namespace, and
// the client's lookup of the family id by name.
import { encodeAttribute, GENL_OP_FLAG, type GenlFamily } from 'netlink-lab/client';
import { type CheckContext, type ClientRun, defineChecks, ensure, loadFamily, moduleLog, runNotes } from 'netlink-lab/grader';
import { ATTR, CMD, errName, expectAck, flags, genlAttrs, key, type KvEvidence as Evidence, kv, type Outcome, policiesCheck, setGetDel, value, VERSION } from 'netlink-lab/grader/nlab-kv';

/** The VALUE of request `i`'s one answer, checked to be NLAB_CMD_GET from the family. */
function answerValue(family: GenlFamily, outcomes: Outcome[], i: number, evidence: Evidence): Buffer | undefined {
  const o = outcomes[i]!;
  ensure(o.replies.length === 1, `GET got ${o.replies.length} answers and ${errName(o.errno)}; one answer was expected`, evidence);
  const m = o.replies[0]!;
  ensure(m.type === family.id, `the answer's nlmsg_type is ${m.type}, not the family id ${family.id}`, evidence);
  ensure(m.payload.length >= 4 && m.payload[0] === CMD.GET && m.payload[1] === VERSION, 'the answer\'s genlmsghdr is not command NLAB_CMD_GET, version 1', {
    ...evidence,
    actual: m.payload.subarray(0, 4).toString('hex'),
  });
  return genlAttrs(m).get(ATTR.VALUE);
}

async function client(t: CheckContext, args: string[]): Promise<ClientRun> {
  return t.runClient(undefined, { args, timeoutMs: 8000 });
}

/** One run of the client: its arguments, the command it runs under (`wrap`), and what it must do. */
interface Step {
  args: string[];
  code: number;
  stdout?: string;
  stderr?: RegExp;
  wrap?: string[];
  /** What the step proves, said when it fails instead of the generic message. */
  what?: string;
}

/** Runs the client through `steps`, failing at the first unexpected exit status or output. */
async function clientSteps(t: CheckContext, steps: Step[], notes: string[]): Promise<void> {
  for (const s of steps) {
    const run = await t.runClient(undefined, { args: s.args, timeoutMs: 8000, ...(s.wrap ? { wrap: s.wrap } : {}) });
    notes.push(...(s.wrap ? [`under ${s.wrap.join(' ')}:`] : []), ...runNotes(run, { args: s.args }));
    const evidence = { notes: [...notes, `module (${t.module.origin}) log:`, ...(await moduleLog(t))] };
    const cmd = `\`${s.args.join(' ')}\``;
    if (s.stdout !== undefined) {
      const out = run.stdout.trim();
      ensure(out === s.stdout, s.what ?? `${cmd} printed the wrong value`, { ...evidence, expected: s.stdout, actual: out || '(nothing)' });
    }
    if (s.stderr) {
      const lines = run.stderr.trim().split('\n').filter(Boolean);
      ensure(lines.length === 1 && s.stderr.test(lines[0]!), s.what ?? `${cmd} did not print the expected one-line error`, {
        ...evidence,
        expected: String(s.stderr),
        actual: run.stderr.trim() || '(nothing)',
      });
    }
    ensure(run.code === s.code, s.what ?? `${cmd} exited ${run.code ?? run.signal}`, { ...evidence, expected: `exit status ${s.code}`, actual: `exit status ${run.code ?? run.signal}` });
  }
}

// Root without any capability: the bounding set is emptied, so after exec nothing is left.
const UNPRIVILEGED = ['setpriv', '--bounding-set=-all', '--inh-caps=-all'];

const EINVAL = 22;
const ERANGE = 34;
const ENOENT = 2;
const EOPNOTSUPP = 95;

export default defineChecks({
  async registered(t) {
    const family = await loadFamily(t);
    const notes = [`nlctrl: id ${family.id}, version ${family.version}, ops ${JSON.stringify(family.ops)}`];
    ensure(family.version === VERSION, `the family's version is ${family.version}`, { expected: '1', notes });
    const want = GENL_OP_FLAG.CMD_CAP_DO | GENL_OP_FLAG.CMD_CAP_HASPOL;
    for (const cmd of [CMD.SET, CMD.GET, CMD.DEL]) {
      const op = family.ops.find((o) => o.id === cmd);
      ensure(op, `command ${cmd} is not among the family's operations`, { expected: 'commands 1, 2, 3', actual: family.ops.map((o) => o.id).join(', ') || '(none)', notes });
      ensure((op.flags & want) === want, `command ${cmd} is listed without "can doit; has policy" (flags 0x${op.flags.toString(16)})`, {
        expected: 'flags 0xa: CMD_CAP_DO | CMD_CAP_HASPOL',
        notes,
      });
      // SET and DEL change the store: nlctrl shows the permission the core checks for them.
      const admin = cmd !== CMD.GET;
      ensure(Boolean(op.flags & GENL_OP_FLAG.ADMIN_PERM) === admin, `command ${cmd} is listed ${admin ? 'without' : 'with'} GENL_ADMIN_PERM (flags 0x${op.flags.toString(16)})`, {
        expected: admin ? 'flags 0xb: ADMIN_PERM | CMD_CAP_DO | CMD_CAP_HASPOL' : 'flags 0xa: CMD_CAP_DO | CMD_CAP_HASPOL',
        notes,
      });
    }
    // iproute2's genl asks nlctrl the same question; a student can run it by hand too.
    const genl = await t.run(['genl', 'ctrl', 'get', 'name', 'nlab_kv'], { timeoutMs: 5000 });
    const stdout = genl.code === 0 ? genl.stdout : `${genl.stdout}${genl.stderr}`;
    notes.push('genl ctrl get name nlab_kv:', ...stdout.split('\n').filter((l) => l.trim()));
    ensure(/Name: nlab_kv/.test(stdout) && /Version: 0x1\b/.test(stdout), '`genl ctrl get name nlab_kv` does not show the family at version 1', { notes });
    const ids = [...stdout.matchAll(/ID-0x([0-9a-f]+)/g)].map((m) => Number.parseInt(m[1]!, 16));
    ensure([1, 2, 3].every((c) => ids.includes(c)), '`genl ctrl get` does not list commands 1, 2 and 3', { actual: ids.join(', ') || '(none)', notes });
    t.note(`family id ${family.id}; genl ctrl lists commands ${ids.join(', ')}`);
  },

  async 'set-get-del'(t) {
    const family = await loadFamily(t);
    const script = setGetDel('color', ['blue', 'green']);
    const { outcomes, evidence } = await kv(t, family, script.map((s) => ({ cmd: CMD[s.op], attrs: s.attrs })), 8);
    expectAck(outcomes, 0, 0, 'SET color=blue was not acknowledged', evidence);
    ensure(answerValue(family, outcomes, 1, evidence)?.toString() === 'blue', 'GET color does not answer "blue"', evidence);
    expectAck(outcomes, 1, 0, 'GET color was not acknowledged after its answer', evidence);
    expectAck(outcomes, 2, 0, 'SET color=green was not acknowledged', evidence);
    ensure(answerValue(family, outcomes, 3, evidence)?.toString() === 'green', 'after the second SET, GET does not answer "green"', evidence);
    expectAck(outcomes, 4, 0, 'DEL color was not acknowledged', evidence);
    expectAck(outcomes, 5, ENOENT, 'GET after DEL should fail with ENOENT', evidence);
  },

  async validation(t) {
    const family = await loadFamily(t);
    const { outcomes, evidence } = await kv(
      t,
      family,
      [
        { cmd: CMD.SET, attrs: [key('k'.repeat(64)), value('x')] },
        { cmd: CMD.SET, attrs: [key('big'), value(Buffer.alloc(1025))] },
        { cmd: CMD.SET, attrs: [key('a'), value('1'), encodeAttribute(4, Buffer.from('?'))] },
        { cmd: CMD.GET, attrs: [key('abc', false)] },
        { cmd: CMD.SET, attrs: [key('novalue')] },
        { cmd: CMD.GET, attrs: [key('missing')] },
        { cmd: CMD.GET, attrs: [key('k'), flags(1)] },
        { cmd: CMD.DEL, attrs: [key('k'), flags(1)] },
      ],
      8,
    );
    expectAck(outcomes, 0, EINVAL, 'SET with a 64-character key should fail with EINVAL', evidence);
    expectAck(outcomes, 1, ERANGE, 'SET with a 1025-byte value should fail with ERANGE', evidence);
    expectAck(outcomes, 2, EINVAL, 'SET with an attribute of type 4 should fail with EINVAL', evidence);
    expectAck(outcomes, 3, EINVAL, 'GET with a key without its NUL should fail with EINVAL', evidence);
    // Offsets count from the start of the request: nlmsghdr 16 + genlmsghdr 4 = the first attribute.
    ensure(outcomes[0]!.extack.offset === 20, 'the error for the long key does not point at the KEY attribute (offset 20)', {
      ...evidence,
      actual: `offset ${outcomes[0]!.extack.offset ?? '(none)'}`,
    });
    expectAck(outcomes, 4, EINVAL, 'SET without VALUE should fail with EINVAL', evidence);
    ensure(outcomes[4]!.extack.missingType === ATTR.VALUE, 'the error for SET without VALUE does not name the missing attribute (NLMSGERR_ATTR_MISS_TYPE 2)', {
      ...evidence,
      actual: `missing type ${outcomes[4]!.extack.missingType ?? '(none)'}`,
    });
    expectAck(outcomes, 5, ENOENT, 'GET of a key never set should fail with ENOENT', evidence);
    ensure(outcomes[5]!.extack.message === 'no such key' && outcomes[5]!.extack.offset === 20, 'ENOENT does not come with "no such key" on the KEY attribute', {
      ...evidence,
      actual: JSON.stringify(outcomes[5]!.extack),
    });
    // KEY "k" takes 8 bytes (4 of header, 2 of "k\0", 2 of padding): FLAGS starts at 28.
    for (const [i, cmd] of [[6, 'GET'], [7, 'DEL']] as const) {
      expectAck(outcomes, i, EINVAL, `${cmd} with FLAGS should fail with EINVAL: only SET reads FLAGS`, evidence);
      ensure(outcomes[i]!.extack.offset === 28, `the error for ${cmd} with FLAGS does not point at the FLAGS attribute (offset 28)`, {
        ...evidence,
        actual: `offset ${outcomes[i]!.extack.offset ?? '(none)'}`,
      });
    }
  },

  policies: policiesCheck(['SET', 'GET', 'DEL']),

  async 'admin-only'(t) {
    await loadFamily(t);
    await clientSteps(
      t,
      [
        { args: ['set', 'owner', 'root'], code: 0 },
        { args: ['set', 'mine', 'nobody'], code: 1, stderr: /^SET failed: EPERM\b/, wrap: UNPRIVILEGED, what: 'SET without CAP_NET_ADMIN should fail with EPERM' },
        { args: ['del', 'owner'], code: 1, stderr: /^DEL failed: EPERM\b/, wrap: UNPRIVILEGED, what: 'DEL without CAP_NET_ADMIN should fail with EPERM' },
        { args: ['get', 'owner'], code: 0, stdout: 'root', wrap: UNPRIVILEGED, what: 'GET without CAP_NET_ADMIN should still answer "root"' },
      ],
      ['the reference client, first as root, then without capabilities:'],
    );
  },

  async 'init-net-only'(t) {
    // The store is one global list: from another namespace the family must not be reachable.
    await loadFamily(t);
    await clientSteps(
      t,
      [
        {
          args: ['get', 'where'],
          code: 1,
          stderr: /^ENOENT: no generic netlink family\b/,
          wrap: ['unshare', '--net'],
          what: 'from a new network namespace the family is reachable, and with it the one store every namespace shares (leave .netnsok unset)',
        },
      ],
      ['the reference client in a new network namespace:'],
    );
  },

  async 'header-checks'(t) {
    const family = await loadFamily(t);
    const { outcomes, evidence } = await kv(
      t,
      family,
      [
        { cmd: CMD.SET, attrs: [key('r'), value('1')], reserved: 1 },
        { cmd: CMD.GET, attrs: [key('r')] },
        { cmd: 9, attrs: [] },
        { cmd: CMD.SET, attrs: [key('r'), value('2')] },
      ],
      4,
    );
    expectAck(outcomes, 0, EINVAL, 'SET with genlmsghdr.reserved = 1 should fail with EINVAL (leave .resv_start_op at 0)', evidence);
    expectAck(outcomes, 1, ENOENT, 'the SET with a nonzero reserved field must not store anything', evidence);
    expectAck(outcomes, 2, EOPNOTSUPP, 'command 9 is not the family\'s: it should fail with EOPNOTSUPP', evidence);
    expectAck(outcomes, 3, 0, 'a well-formed SET after them was refused', evidence);
  },

  async 'client-round-trip'(t) {
    await loadFamily(t);
    await clientSteps(
      t,
      [
        { args: ['set', 'color', 'blue'], code: 0 },
        { args: ['get', 'color'], code: 0, stdout: 'blue' },
        { args: ['del', 'color'], code: 0 },
        { args: ['get', 'color'], code: 1, stderr: /^GET failed: ENOENT\b/ },
      ],
      [],
    );
  },

  async 'id-by-name'(t) {
    // The id comes from the kernel at registration: a reload gives the family a new one.
    const first = await loadFamily(t);
    await clientSteps(t, [{ args: ['set', 'a', '1'], code: 0 }], []);
    const r = await t.rmmod();
    ensure(r.code === 0, `rmmod failed: ${r.stderr}`);
    const second = await loadFamily(t);
    const notes = [`family id ${first.id} before the reload, ${second.id} after`];
    await clientSteps(
      t,
      [
        { args: ['set', 'b', '2'], code: 0 },
        { args: ['get', 'b'], code: 0, stdout: '2' },
      ],
      notes,
    );
    t.note(notes[0]!);
  },

  async 'unknown-family'(t) {
    // The module is not loaded: nlctrl has no "nlab_kv".
    const args = ['get', 'x'];
    const run = await client(t, args);
    const lines = run.stderr.trim().split('\n').filter(Boolean);
    ensure(lines.length === 1 && /ENOENT/.test(lines[0]!), 'without the module the client should print one line naming ENOENT', {
      expected: 'one line with ENOENT, e.g. "ENOENT: no generic netlink family "nlab_kv"; is the module loaded?"',
      actual: run.stderr.trim() || '(no stderr)',
      notes: runNotes(run, { args }),
    });
    ensure(run.code !== 0 && run.code !== null, `the client exited ${run.code ?? run.signal}`, { expected: 'a non-zero exit status', notes: runNotes(run, { args }) });
  },

  async 'client-errors'(t) {
    await loadFamily(t);
    await clientSteps(
      t,
      [
        { args: ['get', 'missing'], code: 1, stderr: /^GET failed: ENOENT: no such key \(attribute KEY\)$/ },
        { args: ['set', 'k'.repeat(64), 'v'], code: 1, stderr: /^SET failed: EINVAL: .+ \(attribute KEY\)$/ },
      ],
      [],
    );
  },
});
