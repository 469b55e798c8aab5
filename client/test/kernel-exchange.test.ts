/**
 * The reply engine and strict checking against the host kernel: a real
 * warning on a successful ACK (an HTB class whose quantum is too big, sent
 * from a socket in a network namespace this test creates and removes), the
 * genl reply command check, kernel datagrams fed to the engine whole and
 * cut, datagrams the kernel cuts for a small socket, and what
 * NETLINK_GET_STRICT_CHK changes for rtnetlink dumps.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createReplyEngine,
  CTRL_CMD,
  ctrlAttributes,
  DatagramTruncatedError,
  dumpAll,
  encodeAttribute,
  encodeIfInfoMsg,
  encodeMessage,
  genlRequest,
  GENL_ID_CTRL,
  linkLayout,
  listLinks,
  NETLINK,
  NetlinkError,
  NLM_F,
  openSocket,
  request,
  RTM,
  UnexpectedReplyError,
  type AckWarning,
  type NetlinkSocket,
} from '../src/index.js';
import { kernelSockets } from './kernel-sockets.js';

const kernel = kernelSockets();

describe('warnings on a successful ACK, from the kernel', () => {
  const ns = `nl-lab-warn-${process.pid}`;
  beforeAll(async () => {
    await execa('ip', ['netns', 'add', ns]);
    await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await execa('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb']);
  });
  afterAll(async () => {
    await execa('ip', ['netns', 'del', ns], { reject: false });
  });

  // RTM_NEWTCLASS for HTB class 1:1 on lo at ~34 Gbit/s: the kernel accepts it and
  // warns that the quantum derived from the rate is big (sch_htb, "Consider r2q change").
  const htbClass = (): Buffer[] => {
    const tcmsg = Buffer.alloc(20);
    tcmsg.writeInt32LE(1, 4); // ifindex of lo
    tcmsg.writeUInt32LE(0x10001, 8); // tcm_handle 1:1
    tcmsg.writeUInt32LE(0x10000, 12); // tcm_parent 1:
    const opt = Buffer.alloc(44); // struct tc_htb_opt
    for (const at of [0, 12]) {
      // rate and ceil: struct tc_ratespec
      opt.writeUInt8(1, at + 1); // TC_LINKLAYER_ETHERNET, no rate table needed
      opt.writeUInt32LE(0xffffffff, at + 8);
    }
    opt.writeUInt32LE(1000, 24);
    opt.writeUInt32LE(1000, 28);
    return [tcmsg, encodeAttribute(1, Buffer.from('htb\0')), encodeAttribute(2, encodeAttribute(1, opt), true)];
  };

  it('request() resolves and reports the text iproute2 prints as a warning', async () => {
    const sock = openSocket(NETLINK.ROUTE, { netns: ns });
    const events: string[] = [];
    const warnings: AckWarning[] = [];
    let replies: unknown[];
    try {
      sock.on('warning', (w) => events.push(w.message));
      replies = await request(sock, { type: RTM.NEWTCLASS, flags: NLM_F.CREATE | NLM_F.EXCL, payload: htbClass() }, { onWarning: (w) => warnings.push(w) });
    } finally {
      sock.close();
    }
    expect(replies).toHaveLength(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^sch_htb: quantum of class 10001 is big\. Consider r2q change\.$/);
    expect(warnings[0]!.request.type).toBe(RTM.NEWTCLASS);
    expect(events).toEqual([warnings[0]!.message]);
    // tc, asked for the same kind of class, prints the same kernel text.
    const tc = await execa('ip', ['netns', 'exec', ns, 'tc', 'class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:2', 'htb', 'rate', '34gbit']);
    expect(tc.stderr.trim()).toBe(`Warning: ${warnings[0]!.message.replace('10001', '10002')}`);
    const { stdout: classes } = await execa('ip', ['netns', 'exec', ns, 'tc', 'class', 'show', 'dev', 'lo']);
    expect([...classes.matchAll(/^class htb (\S+)/gm)].map((m) => m[1]).sort()).toEqual(['1:1', '1:2']);
  });
});

describe('generic netlink reply command', () => {
  it('nlctrl answers GETFAMILY with NEWFAMILY; expecting another command fails with UnexpectedReplyError', async () => {
    const req = { family: GENL_ID_CTRL, cmd: CTRL_CMD.GETFAMILY, set: ctrlAttributes, attributes: { FAMILY_NAME: 'nlctrl' } };
    const [ok] = await genlRequest(kernel.generic, { ...req, replyCmd: CTRL_CMD.NEWFAMILY });
    expect(ok!.cmd).toBe(CTRL_CMD.NEWFAMILY);
    const err = await genlRequest(kernel.generic, { ...req, replyCmd: CTRL_CMD.GETFAMILY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnexpectedReplyError);
    expect(err).toMatchObject({ code: 'EPROTO', message: 'unexpected netlink reply: generic netlink command 1 answering command 3, expected 3' });
  });
});

describe('kernel datagrams through the reply engine', () => {
  it('a raw RTM_GETLINK dump fed datagram by datagram gives every link; the same datagram cut gives DatagramTruncatedError', async () => {
    const raw = openSocket(NETLINK.ROUTE);
    try {
      const request = encodeMessage({ type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.DUMP, seq: 77, payload: encodeIfInfoMsg() });
      raw.sendBytes(request);
      const datagrams: Buffer[] = [];
      const names: number[] = [];
      let end: Error | undefined | 'open' = 'open';
      const engine = createReplyEngine({ request }, (m) => names.push(m.type), (e) => (end = e));
      while (!engine.ended) {
        const d = raw.receiveSync(2000);
        expect(d).not.toBeNull();
        datagrams.push(d!.data);
        engine.feedDatagram(d!);
      }
      expect(end).toBeUndefined();
      const { stdout } = await execa('ip', ['-j', 'link', 'show']);
      expect(names.length).toBe((JSON.parse(stdout) as unknown[]).length);
      expect(names.every((t) => t === RTM.NEWLINK)).toBe(true);

      const first = datagrams[0]!;
      const cut = createReplyEngine({ request }, () => names.push(-1), (e) => (end = e));
      cut.feedDatagram({ data: first.subarray(0, first.length >> 1), truncated: true });
      expect(end).toBeInstanceOf(DatagramTruncatedError);
      expect(names).not.toContain(-1);
    } finally {
      raw.close();
    }
  });
});

describe('datagrams the kernel cuts (MSG_TRUNC) for a socket with maxDatagramSize', () => {
  // One ifinfomsg of lo is over 1 KiB, and dump datagrams are at least a page: all are cut.
  it('request() and dump() fail with DatagramTruncatedError instead of decoding half a message', async () => {
    const small = openSocket(NETLINK.ROUTE, { maxDatagramSize: 256 });
    try {
      const lo = request(small, { type: RTM.GETLINK, payload: encodeIfInfoMsg({ index: 1 }) }, { timeout: 2000 });
      await expect(lo).rejects.toBeInstanceOf(DatagramTruncatedError);
      await expect(lo).rejects.toMatchObject({ code: 'ENOSPC', received: 256 });
      const all = dumpAll(small, { type: RTM.GETLINK, payload: encodeIfInfoMsg() }, { idleTimeout: 2000 });
      await expect(all).rejects.toBeInstanceOf(DatagramTruncatedError);
      // The socket still works for answers that fit: an error ACK.
      await expect(request(small, { type: RTM.GETLINK, payload: encodeIfInfoMsg({ index: 0x7fffffff }) }, { timeout: 2000 })).rejects.toMatchObject({ code: 'ENODEV' });
    } finally {
      small.close();
    }
    const whole = openSocket(NETLINK.ROUTE, { maxDatagramSize: 64 * 1024 });
    try {
      expect((await listLinks(whole)).map((l) => l.name)).toContain('lo');
    } finally {
      whole.close();
    }
  });

  it('receive() gets the cut datagram marked truncated', async () => {
    const small = openSocket(NETLINK.ROUTE, { maxDatagramSize: 256 });
    try {
      small.sendBytes(encodeMessage({ type: RTM.GETLINK, flags: NLM_F.REQUEST, seq: 9, payload: encodeIfInfoMsg({ index: 1 }) }));
      const d = await small.receive({ timeout: 2000 });
      expect(d.truncated).toBe(true);
      expect(d.data.length).toBe(256);
      expect(d.data.readUInt16LE(4)).toBe(RTM.NEWLINK);
    } finally {
      small.close();
    }
  });

  it('a size that is no integer from 1 to 64 MiB is an InvalidArgumentError', () => {
    for (const bad of [0, 1.5, 65 * 1024 * 1024]) expect(() => openSocket(NETLINK.ROUTE, { maxDatagramSize: bad })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', argument: 'maxDatagramSize' }));
  });
});

describe('NETLINK_GET_STRICT_CHK and rtnetlink dumps', () => {
  const loose = (): NetlinkSocket => openSocket(NETLINK.ROUTE, { strictCheck: false });

  it('strict: a link dump filtered by ifi_index is refused; loose: the index is ignored', async () => {
    const payload = encodeIfInfoMsg({ index: 1 });
    const err = await dumpAll(kernel.route, { type: RTM.GETLINK, payload }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ code: 'EINVAL', extack: { message: 'Filter by device index not supported for link dumps' } });
    const s = loose();
    try {
      expect((await dumpAll(s, { type: RTM.GETLINK, payload })).length).toBe((await listLinks(kernel.route)).length);
    } finally {
      s.close();
    }
  });

  it('strict: the old 1-byte rtgenmsg header is refused; loose: accepted', async () => {
    const payload = Buffer.from([0]);
    await expect(dumpAll(kernel.route, { type: RTM.GETLINK, payload })).rejects.toMatchObject({ extack: { message: 'Invalid header for link dump' } });
    const s = loose();
    try {
      expect((await dumpAll(s, { type: RTM.GETLINK, payload })).length).toBeGreaterThan(0);
    } finally {
      s.close();
    }
  });

  it('strict: an attribute that is no dump filter is refused; loose: ignored', async () => {
    const payload = Buffer.concat([encodeIfInfoMsg(), encodeAttribute(4, Buffer.from([0, 5, 0, 0]))]); // IFLA_MTU
    const err = (await dumpAll(kernel.route, { type: RTM.GETLINK, payload }, { layout: linkLayout }).catch((e: unknown) => e)) as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.extack.message).toBe('Unsupported attribute in link dump request');
    const s = loose();
    try {
      expect((await dumpAll(s, { type: RTM.GETLINK, payload })).length).toBeGreaterThan(0);
    } finally {
      s.close();
    }
  });
});
