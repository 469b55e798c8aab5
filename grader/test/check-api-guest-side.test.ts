// The guest side of the Check API, run on the host (its NETLINK_GENERIC is real): the sockets
// checks craft datagrams on, and the programs they start. The lessons' grades exercise both in
// the guest; these pin the contracts a check relies on.
import { CTRL_ATTR, CTRL_CMD, encodeAttribute, encodeGenlHeader, encodeMessages, GENL_ID_CTRL, NETLINK, NLM_F } from 'netlink-lab/client';
import { describe, expect, it } from 'vitest';
import { checkSocket } from '../src/guest/check-socket.js';
import { running, spawnCaptured } from '../src/guest/processes.js';

/** CTRL_CMD_GETFAMILY for nlctrl itself: one answer and one ACK from the kernel. */
const getNlctrl = (seq: number): Buffer =>
  encodeMessages([{ type: GENL_ID_CTRL, flags: NLM_F.REQUEST | NLM_F.ACK, seq, pid: 0, payload: Buffer.concat([encodeGenlHeader(CTRL_CMD.GETFAMILY, 1), encodeAttribute(CTRL_ATTR.FAMILY_NAME, Buffer.from('nlctrl\0'))]) }]);

describe('CheckSocket', () => {
  it('exchanges on one socket, decodes for evidence, and is closed by the cleanups', async () => {
    const cleanups: (() => void)[] = [];
    const sock = checkSocket(NETLINK.GENERIC, {}, cleanups);
    const r = await sock.exchange(getNlctrl(7), { count: 2, timeoutMs: 2000 });
    expect(r.sendError).toBeUndefined();
    expect(r.received.map((d) => d.from)).toEqual([0, 0]);
    expect(r.received[0]!.messages[0]).toMatchObject({ seq: 7 });
    expect(r.received[0]!.groups).toBe(0);
    expect(cleanups).toHaveLength(1);
    for (const c of cleanups) c();
    expect(() => sock.send(getNlctrl(8))).not.toThrow(); // closed: the send reports, never throws
    sock.close(); // and a second close is harmless
  });

  it('collect(0) returns what is already queued, without waiting', async () => {
    const sock = checkSocket(NETLINK.GENERIC, {}, []);
    try {
      expect(await sock.collect(0)).toEqual([]);
      expect(sock.send(getNlctrl(9))).toBeUndefined();
      await new Promise((r) => setTimeout(r, 50));
      const got = await sock.collect(0);
      expect(got.length).toBe(2);
      expect(sock.discard()).toBe(0);
    } finally {
      sock.close();
    }
  });
});

describe('programs a check starts', () => {
  it('caps each stream and says so', async () => {
    const r = await spawnCaptured([process.execPath, '-e', "process.stdout.write('x'.repeat(5000))"], {}, 10_000, undefined, 1000).done;
    expect(r.stdout).toHaveLength(1000);
    expect(r.truncated).toBe(true);
    expect(r.code).toBe(0);
  });

  it('kills a program at its timeout', async () => {
    const r = await spawnCaptured(['sleep', '30'], {}, 200).done;
    expect(r).toMatchObject({ timedOut: true, signal: 'SIGKILL', code: null });
  });

  it('says on stderr when a program cannot start', async () => {
    const r = await spawnCaptured(['/nonexistent/program'], {}, 2000).done;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ENOENT/);
  });

  it('reads a running program, and its stop (also a cleanup) kills it', async () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    const argv = [process.execPath, '-e', "console.error('watching'); console.log('one'); setInterval(() => {}, 1000)"];
    const p = running(spawnCaptured(argv, {}, undefined), argv, 'node watch', cleanups);
    expect(await p.waitFor(/watching/, 10_000)).toBe(true);
    expect(await p.waitFor(() => p.stdout().includes('one'), 10_000)).toBe(true);
    expect(p.exitCode()).toBeNull();
    expect(p.notes()[0]).toBe('node watch: still running');
    expect(cleanups).toHaveLength(1);
    await cleanups[0]!();
    expect((await p.done).signal).toBe('SIGKILL');
    expect(p.notes()[0]).toBe('node watch: killed by SIGKILL');
    await p.stop(); // stopping an ended program is harmless
  });
});
