/**
 * Sockets in other network namespaces, on the host kernel: a namespace this
 * test creates (`ip netns add`) with a veth pair, reached by name, path and
 * file descriptor. The host's own interfaces are only read, never changed.
 */
import { execa } from 'execa';
import { closeSync, fstatSync, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  listLinks,
  NETLINK,
  NetworkNamespaceError,
  openSocket,
  request,
  resolveFamily,
  RTM,
  decodeLink,
  encodeLinkPayload,
  RTNLGRP,
  type NetlinkSocket,
} from '../src/index.js';

const ns = `nl-lab-ns-${process.pid}`;
const made = ['nlns0', 'nlns1'];
const sockets: NetlinkSocket[] = [];
const open = (...args: Parameters<typeof openSocket>): NetlinkSocket => {
  const s = openSocket(...args);
  sockets.push(s);
  return s;
};
const linkNames = async (s: NetlinkSocket): Promise<string[]> => (await listLinks(s)).map((l) => l.name ?? '').sort();
/** The network namespace of every thread of this process (the addon's threads included). */
const threadNamespaces = (): Set<string> => new Set(readdirSync('/proc/self/task').map((t) => readlinkSync(`/proc/self/task/${t}/ns/net`)));

beforeAll(async () => {
  await execa('ip', ['netns', 'add', ns]);
  await execa('ip', ['-n', ns, 'link', 'add', made[0]!, 'type', 'veth', 'peer', 'name', made[1]!]);
}, 30_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await execa('ip', ['netns', 'del', ns], { reject: false });
});

describe('a socket in another network namespace', () => {
  it('by name: a link dump sees only lo and the links the test made; the host socket sees none of them', async () => {
    expect(await linkNames(open(NETLINK.ROUTE, { netns: ns }))).toEqual(['lo', ...made].sort());
    const host = await linkNames(open(NETLINK.ROUTE));
    expect(host).not.toContain(made[0]);
    expect(host).toContain('lo');
  });

  it('by path and by file descriptor, which stays open for the caller', async () => {
    expect(await linkNames(open(NETLINK.ROUTE, { netns: `/run/netns/${ns}` }))).toEqual(['lo', ...made].sort());
    const fd = openSync(`/run/netns/${ns}`, 'r');
    try {
      expect(await linkNames(open(NETLINK.ROUTE, { netns: fd }))).toEqual(['lo', ...made].sort());
      expect(() => fstatSync(fd)).not.toThrow();
    } finally {
      closeSync(fd);
    }
  });

  it('the process and all its threads stay in their own namespace', () => {
    const before = threadNamespaces();
    expect(before.size).toBe(1);
    open(NETLINK.ROUTE, { netns: ns });
    open(NETLINK.GENERIC, { netns: ns });
    expect(threadNamespaces()).toEqual(before);
  });

  it('requests change the namespace\'s links (checked with ip -n), and generic netlink works there too', async () => {
    const rt = open(NETLINK.ROUTE, { netns: ns });
    const link = (await listLinks(rt)).find((l) => l.name === made[0])!;
    await request(rt, { type: RTM.NEWLINK, payload: encodeLinkPayload({ index: link.index }, { MTU: 1280 }) });
    const { stdout } = await execa('ip', ['-n', ns, '-j', 'link', 'show', made[0]!]);
    expect((JSON.parse(stdout) as { mtu: number }[])[0]?.mtu).toBe(1280);
    expect((await resolveFamily(open(NETLINK.GENERIC, { netns: ns }), 'nlctrl')).name).toBe('nlctrl');
  });

  it('a joined group brings the namespace\'s notifications', async () => {
    const sock = open(NETLINK.ROUTE, { netns: ns });
    sock.joinGroup(RTNLGRP.LINK);
    const changed = new Promise<string | undefined>((resolve) => sock.on('message', (m) => m.type === RTM.NEWLINK && resolve(decodeLink(m).name)));
    await execa('ip', ['-n', ns, 'link', 'set', made[1]!, 'up']);
    expect(made).toContain(await changed);
  }, 10_000);
});

describe('namespaces that cannot be entered', () => {
  it('an unknown name is a NetworkNamespaceError ENOENT that names it', () => {
    const e = (() => {
      try {
        openSocket(NETLINK.ROUTE, { netns: `${ns}-missing` });
      } catch (err) {
        return err;
      }
    })() as NetworkNamespaceError;
    expect(e).toBeInstanceOf(NetworkNamespaceError);
    expect(e.code).toBe('ENOENT');
    expect(e.netns).toBe(`${ns}-missing`);
    expect(e.message).toContain(`/run/netns/${ns}-missing`);
  });

  it('a file that is no network namespace is EINVAL, a closed descriptor EBADF', () => {
    expect(() => openSocket(NETLINK.ROUTE, { netns: '/dev/null' })).toThrow(expect.objectContaining({ name: 'NetworkNamespaceError', code: 'EINVAL' }));
    const fd = openSync('/dev/null', 'r');
    closeSync(fd);
    expect(() => openSocket(NETLINK.ROUTE, { netns: fd })).toThrow(expect.objectContaining({ name: 'NetworkNamespaceError', code: 'EBADF' }));
  });

  it('a FIFO is refused at once (EINVAL), not waited on for a writer', async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'nl-lab-ns-')), 'fifo');
    await execa('mkfifo', [fifo]);
    try {
      expect(() => openSocket(NETLINK.ROUTE, { netns: fifo })).toThrow(expect.objectContaining({ name: 'NetworkNamespaceError', code: 'EINVAL' }));
    } finally {
      rmSync(dirname(fifo), { recursive: true });
    }
  });

  it('a value that is no name, path or descriptor is an InvalidArgumentError', () => {
    for (const bad of ['', -1, 1.5, {}] as unknown[]) expect(() => openSocket(NETLINK.ROUTE, { netns: bad as string })).toThrow(InvalidArgumentError);
  });
});
