/**
 * Against the host kernel (NETLINK_ROUTE and NETLINK_GENERIC). These compare
 * with iproute2's view of the same kernel objects, not with fixed answers.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CTRL_CMD,
  ctrlAttributes,
  decodeLink,
  decodeMessages,
  defineAttributeSet,
  dump,
  encodeAttribute,
  encodeIfInfoMsg,
  encodeLinkPayload,
  encodeMessage,
  genlRequest,
  decodeFamily,
  GENL_ID_CTRL,
  IFF,
  linkLayout,
  listFamilies,
  listLinks,
  NETLINK,
  NetlinkError,
  NLM_F,
  NLMSG,
  openSocket,
  request,
  resolveFamily,
  RTM,
  decodeErrorMessage,
} from '../src/index.js';
import { kernelSockets } from './kernel-sockets.js';

const kernel = kernelSockets();

const ipFlagBits: Record<string, number> = {
  UP: IFF.UP, BROADCAST: IFF.BROADCAST, LOOPBACK: IFF.LOOPBACK, POINTOPOINT: IFF.POINTOPOINT,
  RUNNING: IFF.RUNNING, NOARP: IFF.NOARP, PROMISC: IFF.PROMISC, ALLMULTI: IFF.ALLMULTI,
  MASTER: IFF.MASTER, SLAVE: IFF.SLAVE, MULTICAST: IFF.MULTICAST, LOWER_UP: IFF.LOWER_UP, DORMANT: IFF.DORMANT,
};

describe('rtnetlink', () => {
  it('an RTM_GETLINK dump matches `ip -j link show`', async () => {
    const { stdout } = await execa('ip', ['-j', 'link', 'show']);
    const expected = (JSON.parse(stdout) as { ifindex: number; ifname: string; mtu: number; flags: string[] }[]).map((l) => ({
      index: l.ifindex,
      name: l.ifname,
      mtu: l.mtu,
      flags: l.flags.filter((f) => f in ipFlagBits).sort(),
    }));
    const links = await listLinks(kernel.route);
    const got = links.map((l) => ({
      index: l.index,
      name: l.name,
      mtu: l.mtu,
      // ip prints RUNNING only through operstate; compare the flags it names.
      flags: Object.keys(ipFlagBits).filter((f) => l.flags & ipFlagBits[f]! && f !== 'RUNNING').sort(),
    }));
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(expected.map((e) => ({ ...e, flags: e.flags.filter((f) => f !== 'RUNNING') })));
  });

  it('a request with NLM_F_ACK gets its reply and its ACK matched by seq', async () => {
    const seq = kernel.route.nextSeq() + 1000;
    const replies = await request(kernel.route, { type: RTM.GETLINK, seq, payload: encodeLinkPayload({}, { IFNAME: 'lo' }) });
    expect(replies).toHaveLength(1);
    expect(replies[0]!.seq).toBe(seq);
    expect(replies[0]!.pid).toBe(kernel.route.port);
    expect(decodeLink(replies[0]!).name).toBe('lo');
  });

  it('raw exchange: the ACK echoes our header and carries our port', () => {
    const raw = openSocket(NETLINK.ROUTE);
    try {
      raw.send({ type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 4242, payload: encodeLinkPayload({ index: 1 }) });
      const types: number[] = [];
      for (let i = 0; i < 2; i++) {
        const d = raw.receiveSync(2000);
        expect(d).not.toBeNull();
        expect(d!.port).toBe(0);
        for (const m of decodeMessages(d!.data)) {
          types.push(m.type);
          expect(m.seq).toBe(4242);
          expect(m.pid).toBe(raw.port);
          if (m.type === NLMSG.ERROR) expect(decodeErrorMessage(m).errno).toBe(0);
        }
        if (types.includes(NLMSG.ERROR)) break;
      }
      expect(types).toEqual([RTM.NEWLINK, NLMSG.ERROR]);
    } finally {
      raw.close();
    }
  });

  it('a strict-checked RTM_GETLINK with a bogus attribute fails with the extended-ACK text and attribute', async () => {
    const payload = Buffer.concat([encodeIfInfoMsg(), encodeAttribute(0x3fff, Buffer.alloc(4))]);
    const err = await request(kernel.route, { type: RTM.GETLINK, payload }, { layout: linkLayout }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    const ne = err as NetlinkError;
    expect(ne.code).toBe('EINVAL');
    expect(ne.extack.message).toMatch(/attribute/i);
    expect(ne.extack.offset).toBe(32);
    expect(ne.extack.path).toEqual([String(0x3fff)]);
  });

  it('an unknown interface gives ENODEV', async () => {
    const err = await request(kernel.route, { type: RTM.GETLINK, payload: encodeLinkPayload({}, { IFNAME: 'nl-lab-none0' }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('ENODEV');
  });

  it('breaking out of a dump leaves the socket usable', async () => {
    for await (const m of dump(kernel.route, { type: RTM.GETLINK, payload: encodeIfInfoMsg() })) {
      expect(m.type).toBe(RTM.NEWLINK);
      break;
    }
    const links = await listLinks(kernel.route);
    expect(links.some((l) => l.name === 'lo')).toBe(true);
  });
});

/** Parses `genl ctrl get name X` output into id, ops and groups. */
function parseGenl(text: string): { id: number; ops: { id: number; flags: number }[]; groups: Record<string, number> } {
  const id = Number(/ID: (0x[0-9a-f]+)/.exec(text)?.[1]);
  const ops = [...text.matchAll(/ID-(0x[0-9a-f]+)\s*\n\s*Capabilities \((0x[0-9a-f]+)\)/g)].map((m) => ({ id: Number(m[1]), flags: Number(m[2]) }));
  const groups: Record<string, number> = {};
  for (const m of text.matchAll(/ID-(0x[0-9a-f]+)\s+name: (\S+)/g)) groups[m[2]!] = Number(m[1]);
  return { id, ops, groups };
}

describe('generic netlink', () => {
  it('resolves nlctrl like `genl ctrl get name nlctrl`', async () => {
    const fam = await resolveFamily(kernel.generic, 'nlctrl');
    expect(fam.id).toBe(0x10);
    expect(fam.name).toBe('nlctrl');
    if (existsSync('/usr/sbin/genl')) {
      const { stdout } = await execa('/usr/sbin/genl', ['ctrl', 'get', 'name', 'nlctrl']);
      const want = parseGenl(stdout);
      expect(want.ops.length).toBeGreaterThan(0);
      expect(fam.id).toBe(want.id);
      expect(fam.ops).toEqual(want.ops);
      expect(fam.groups).toEqual(want.groups);
    } else {
      const all = await listFamilies(kernel.generic);
      expect(all.find((f) => f.name === 'nlctrl')).toEqual(fam);
    }
  });

  it('every family the dump lists resolves to the same id', async () => {
    const all = await listFamilies(kernel.generic);
    expect(all.length).toBeGreaterThan(1);
    for (const f of all.slice(0, 5)) expect((await resolveFamily(kernel.generic, f.name)).id).toBe(f.id);
  });

  it('decodeFamily reads a raw nlctrl message as resolveFamily does', async () => {
    const [reply] = await genlRequest(kernel.generic, { family: GENL_ID_CTRL, cmd: CTRL_CMD.GETFAMILY, version: 2, set: ctrlAttributes, attributes: { FAMILY_NAME: 'nlctrl' } });
    expect(decodeFamily(reply!.message)).toEqual(await resolveFamily(kernel.generic, 'nlctrl'));
    expect(decodeFamily(reply!.message).groups.notify).toBe(GENL_ID_CTRL);
  });

  it('a non-existent family gives ENOENT', async () => {
    const err = await resolveFamily(kernel.generic, 'no-such-family').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).errno).toBe(2);
    expect((err as NetlinkError).code).toBe('ENOENT');
  });

  it('a policy violation carries the message, attribute path and policy', async () => {
    const err = await genlRequest(kernel.generic, {
      family: GENL_ID_CTRL,
      cmd: CTRL_CMD.GETFAMILY,
      set: ctrlAttributes,
      attributes: { FAMILY_NAME: 'x'.repeat(40) },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    const ne = err as NetlinkError;
    expect(ne.code).toBe('EINVAL');
    expect(ne.extack.message).toBeTruthy();
    expect(ne.extack.path).toEqual(['FAMILY_NAME']);
    expect(ne.extack.policy?.type).toBe('nul-string');
    expect(ne.extack.policy?.maxLength).toBe(15);
  });

  it('a missing required attribute is named (ethtool header)', async () => {
    const ethtool = await resolveFamily(kernel.generic, 'ethtool').catch(() => undefined);
    if (!ethtool) return; // family not built into this kernel
    const header = defineAttributeSet('ethtool-header', { DEV_INDEX: { type: 1, kind: 'u32' }, DEV_NAME: { type: 2, kind: 'string' }, FLAGS: { type: 3, kind: 'u32' } });
    const set = defineAttributeSet('ethtool-linkinfo', { HEADER: { type: 1, kind: 'nested', nested: header } });
    const missing = (await genlRequest(kernel.generic, { family: ethtool, cmd: 2, set }).catch((e: unknown) => e)) as NetlinkError;
    expect(missing).toBeInstanceOf(NetlinkError);
    expect(missing.extack.missingType).toBe(1);
    expect(missing.extack.missingName).toBe('HEADER');
    const nodev = (await genlRequest(kernel.generic, { family: ethtool, cmd: 2, set, attributes: { HEADER: { DEV_NAME: 'nl-lab-none0' } } }).catch((e: unknown) => e)) as NetlinkError;
    expect(nodev.code).toBe('ENODEV');
    expect(nodev.extack.path).toEqual(['HEADER', 'DEV_NAME']);
  });

  it('sends crafted bytes and reads the raw error', () => {
    // A genl message whose nlmsg_len covers only the header: too short for genlmsghdr.
    kernel.generic.sendBytes(encodeMessage({ type: GENL_ID_CTRL, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 99 }));
    const d = kernel.generic.receiveSync(2000);
    const [m] = decodeMessages(d!.data);
    expect(m!.type).toBe(NLMSG.ERROR);
    expect(decodeErrorMessage(m!).errno).toBe(22);
  });
});
