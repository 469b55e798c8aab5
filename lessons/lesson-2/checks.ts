// Lesson 2 checks: a kernel socket on unit 31 that logs what arrives, a client that sends "Hello".
import { decodeMessages, encodeMessage, NLM_F } from 'netlink-lab/client';
import { type CheckContext, defineChecks, ensure, loadModule, moduleLog } from 'netlink-lab/grader';

const UNIT = 31;
const NLAB_MSG_HELLO = 0x10;

/** The errnos a module may fairly return when its unit is taken (-EBUSY is the lesson's choice). */
const FAIR_ERRNOS: Record<string, string> = {
  'Device or resource busy': 'EBUSY',
  'Address already in use': 'EADDRINUSE',
  'File exists': 'EEXIST',
  'Cannot allocate memory': 'ENOMEM',
};

async function unitSockets(t: CheckContext) {
  return (await t.netlinkSockets()).filter((s) => s.protocol === UNIT);
}

/** Header fields and payload of a datagram, for evidence. */
function decoded(bytes: Buffer): unknown[] {
  try {
    return decodeMessages(bytes).map((m) => ({
      len: m.payload.length + 16,
      type: `0x${m.type.toString(16)}`,
      flags: m.flags,
      seq: m.seq,
      pid: m.pid,
      payload: JSON.stringify(m.payload.toString('latin1')),
    }));
  } catch (e) {
    return [`undecodable (${(e as Error).message}): ${bytes.toString('hex')}`];
  }
}

export default defineChecks({
  async 'kernel-socket'(t) {
    await loadModule(t);
    const while_ = await unitSockets(t);
    ensure(
      while_.some((s) => s.port === 0),
      `/proc/net/netlink lists no kernel socket on unit ${UNIT} after insmod`,
      { expected: `a line with Eth ${UNIT} and Pid 0`, actual: while_.length ? while_ : `(no socket on unit ${UNIT})`, notes: await moduleLog(t) },
    );
    const r = await t.rmmod();
    ensure(r.code === 0, 'rmmod failed', { expected: 'exit status 0', actual: `exit status ${r.code}: ${r.stderr}` });
    const after = await unitSockets(t);
    ensure(after.length === 0, `a socket on unit ${UNIT} is left after rmmod`, {
      expected: `no line with Eth ${UNIT}`,
      actual: after,
      notes: ['the socket outlives the module: did exit call netlink_kernel_release()?'],
    });
    t.note(`unit ${UNIT}: ${while_.length} kernel socket while loaded, none after rmmod`);
  },

  async 'logs-message'(t) {
    await loadModule(t);
    ensure((await unitSockets(t)).some((s) => s.port === 0), `nothing listens on unit ${UNIT}, so no message can arrive`, {
      expected: `a kernel socket on unit ${UNIT}`,
      actual: `(no socket on unit ${UNIT})`,
      notes: await moduleLog(t),
    });
    // A text the module cannot know in advance, sent the way the reference client sends "Hello".
    const text = `Hello ${Math.random().toString(36).slice(2, 8)}`;
    const port = 0x4c00_0000 + Math.floor(Math.random() * 0x10_0000);
    const datagram = encodeMessage({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq: 1, pid: port, payload: text });
    const r = await t.exchange(datagram, { bindPort: port, count: 0 });
    ensure(!r.sendError, `sending to unit ${UNIT} failed with ${r.sendError}`, { messages: decoded(datagram) });
    // The text is letters, digits and a space: safe inside a RegExp.
    const line = await t.waitForLog(new RegExp(`^${t.module.name}: .*${text}`), 1000);
    ensure(line, `the module did not log the text it received ("${text}")`, {
      expected: `a line "${t.module.name}: …${text}…"`,
      actual: await moduleLog(t),
      messages: decoded(datagram),
    });
    t.note(`logged: ${line}`);
  },

  async 'client-sends'(t) {
    await loadModule(t);
    const run = await t.runClient();
    ensure(run.code === 0 && !run.timedOut, 'the client did not exit cleanly', {
      expected: 'exit status 0',
      actual: run.timedOut ? 'killed after the timeout' : `exit status ${run.code ?? run.signal}`,
      notes: [run.stderr.trim() || '(no stderr)', run.stdout.trim() || '(no stdout)'],
    });
    const line = await t.waitForLog(new RegExp(`^${t.module.name}: .*"Hello"`), 1000);
    ensure(line, 'the module did not log "Hello" from your client', {
      expected: `a line "${t.module.name}: port … sent \\"Hello\\""`,
      actual: await moduleLog(t),
      notes: [run.stdout.trim() || '(the client printed nothing)'],
    });
    t.note(`logged: ${line}`);
  },

  async 'unit-taken'(t) {
    const ref = await t.insmod(t.reference.module);
    ensure(ref.code === 0, `the grader could not load ${t.reference.module.name} to take unit ${UNIT}`, { actual: ref.stderr });
    const before = await unitSockets(t);
    const r = await t.insmod();
    const loaded = await t.loadedModules();
    ensure(r.code !== 0 && !loaded.includes(t.module.name), `${t.module.name} loaded although unit ${UNIT} was taken`, {
      expected: 'insmod fails: init returns a negative errno when netlink_kernel_create() returns NULL',
      actual: `insmod exited ${r.code}; ${t.module.name} is loaded`,
      notes: await moduleLog(t),
    });
    const reason = /: ([^:]+)$/.exec(r.stderr)?.[1]?.trim() ?? r.stderr;
    ensure(reason in FAIR_ERRNOS, `init failed with "${reason}", which does not say what went wrong`, {
      expected: `-EBUSY ("Device or resource busy"); also fair: ${Object.entries(FAIR_ERRNOS).filter(([, e]) => e !== 'EBUSY').map(([, e]) => `-${e}`).join(', ')}`,
      actual: r.stderr,
      notes: ['-10 is -ECHILD ("No child processes") and -1 is -EPERM: return a named -E… constant'],
    });
    const after = await unitSockets(t);
    ensure(after.length === before.length, `the failed load left a socket on unit ${UNIT}`, { expected: before, actual: after });
    t.note(`insmod refused: ${reason} (-${FAIR_ERRNOS[reason]})`);
  },
});
