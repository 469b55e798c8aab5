/**
 * Addresses, routes and neighbours against iproute2, field by field, in a
 * network namespace this test creates (a veth pair with IPv4 and IPv6
 * addresses, routes and permanent neighbours) and removes. The library's
 * socket is opened inside it (`netns` option); the host's own interfaces
 * are never touched.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AF,
  formatAddress,
  listAddresses,
  listLinks,
  listNeighbours,
  listRoutes,
  NETLINK,
  NUD,
  openSocket,
  RT_SCOPE,
  RT_TABLE,
  RTPROT,
  type Address,
  type Neighbour,
  type Route,
} from '../src/index.js';

const ns = `nl-lab-rt-${process.pid}`;
const ip = (...args: string[]) => execa('ip', ['-n', ns, ...args]);

type Plain<T> = Omit<T, 'attributes'>;
interface Seen {
  links: { index: number; name: string }[];
  addresses: Plain<Address>[];
  routes: Plain<Route>[];
  neighbours: Plain<Neighbour>[];
}
let seen: Seen;

async function look(): Promise<Seen> {
  const plain = <T extends { attributes: unknown }>(xs: T[]): Omit<T, 'attributes'>[] => xs.map(({ attributes: _, ...rest }) => rest);
  const sock = openSocket(NETLINK.ROUTE, { netns: ns });
  try {
    const links = (await listLinks(sock)).map((l) => ({ index: l.index, name: l.name ?? '' }));
    return { links, addresses: plain(await listAddresses(sock)), routes: plain(await listRoutes(sock)), neighbours: plain(await listNeighbours(sock)) };
  } finally {
    sock.close();
  }
}

beforeAll(async () => {
  await execa('ip', ['netns', 'add', ns]);
  // No automatic link-local addresses: what iproute2 and the library see must not change in between.
  await execa('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.addr_gen_mode=1']);
  for (const args of [
    ['link', 'set', 'lo', 'up'],
    ['link', 'add', 'va', 'address', '02:00:00:00:00:0a', 'type', 'veth', 'peer', 'name', 'vb', 'address', '02:00:00:00:00:0b'],
    ['link', 'set', 'va', 'up'],
    ['link', 'set', 'vb', 'up'],
    ['addr', 'add', '10.77.0.1/24', 'dev', 'va'],
    ['addr', 'add', '10.77.1.1/24', 'broadcast', '10.77.1.255', 'label', 'va:1', 'dev', 'va'],
    ['addr', 'add', '2001:db8:77::1/64', 'dev', 'va', 'nodad'],
    ['addr', 'add', '192.0.2.1', 'peer', '192.0.2.2', 'dev', 'vb'],
    ['route', 'add', '10.88.0.0/16', 'via', '10.77.0.254', 'dev', 'va'],
    ['route', 'add', '198.51.100.0/24', 'dev', 'vb', 'metric', '50', 'proto', 'static'],
    ['route', 'add', 'default', 'via', '10.77.0.254'],
    ['-6', 'route', 'add', '2001:db8:99::/48', 'via', '2001:db8:77::fe', 'dev', 'va'],
    ['neigh', 'add', '10.77.0.254', 'lladdr', '02:00:00:00:00:fe', 'dev', 'va', 'nud', 'permanent'],
    ['neigh', 'add', '2001:db8:77::fe', 'lladdr', '02:00:00:00:00:ff', 'dev', 'va', 'nud', 'permanent'],
  ])
    await ip(...args);
  seen = await look();
});
afterAll(async () => {
  await execa('ip', ['netns', 'del', ns], { reject: false });
});

const json = async <T>(...args: string[]): Promise<T> => JSON.parse((await ip('-j', ...args)).stdout) as T;
const family = (f: number): string => (f === AF.INET ? 'inet' : f === AF.INET6 ? 'inet6' : String(f));
const scopeNames: Record<number, string> = { [RT_SCOPE.UNIVERSE]: 'global', [RT_SCOPE.SITE]: 'site', [RT_SCOPE.LINK]: 'link', [RT_SCOPE.HOST]: 'host', [RT_SCOPE.NOWHERE]: 'nowhere' };
const protocolNames: Record<number, string> = { [RTPROT.KERNEL]: 'kernel', [RTPROT.STATIC]: 'static', [RTPROT.RA]: 'ra', [RTPROT.DHCP]: 'dhcp' };
const prefNames: Record<number, string> = { 0: 'medium', 1: 'high', 3: 'low' };
const nudNames = Object.entries(NUD);
/** Keeps only defined values, so "absent" compares equal however each side spells it. */
const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const devName = (index: number | undefined): string | undefined => seen.links.find((l) => l.index === index)?.name;

describe('rtnetlink beyond links, against iproute2 in a throwaway namespace', () => {
  it('formats addresses like inet_ntop', () => {
    expect(formatAddress(Buffer.from([10, 77, 0, 1]))).toBe('10.77.0.1');
    expect(formatAddress(Buffer.from('20010db8000000000000000000000001', 'hex'))).toBe('2001:db8::1');
    expect(formatAddress(Buffer.from('20010db8000100000001000000000001', 'hex'))).toBe('2001:db8:1:0:1::1');
    expect(formatAddress(Buffer.from('00000000000000000000ffffc0000201', 'hex'))).toBe('::ffff:192.0.2.1');
    expect(formatAddress(Buffer.alloc(16))).toBe('::');
  });

  it('RTM_GETADDR matches `ip -j addr show`', async () => {
    type IpAddr = { ifindex: number; addr_info: Record<string, unknown>[] };
    const want = (await json<IpAddr[]>('addr', 'show')).flatMap((l) =>
      l.addr_info.map((a) => defined({ ifindex: l.ifindex, family: a.family, local: a.local, address: a.address, prefixlen: a.prefixlen, scope: a.scope, label: a.label, broadcast: a.broadcast })),
    );
    // iproute2 groups addresses by interface; within one, both keep the kernel's order.
    const got = [...seen.addresses].sort((a, b) => a.index - b.index).map((a) =>
      defined({
        ifindex: a.index,
        family: family(a.family),
        local: a.local ?? a.address,
        address: a.local !== undefined && a.address !== a.local ? a.address : undefined,
        prefixlen: a.prefixLength,
        scope: scopeNames[a.scope] ?? String(a.scope),
        label: a.label,
        broadcast: a.broadcast,
      }),
    );
    expect(want.length).toBeGreaterThanOrEqual(6);
    expect(got).toEqual(want);
  });

  it.each([
    ['IPv4', AF.INET, '-4'],
    ['IPv6', AF.INET6, '-6'],
  ])('RTM_GETROUTE (%s, main table) matches `ip -j route show`', async (_name, af, flag) => {
    const want = (await json<Record<string, unknown>[]>(flag, 'route', 'show')).map((r) =>
      defined({ dst: r.dst, gateway: r.gateway, dev: r.dev, protocol: r.protocol, scope: r.scope, prefsrc: r.prefsrc, metric: r.metric, pref: r.pref }),
    );
    const full = af === AF.INET ? 32 : 128;
    const got = seen.routes
      .filter((r) => r.family === af && r.tableId === RT_TABLE.MAIN)
      .map((r) =>
        defined({
          dst: r.destination === undefined ? 'default' : r.dstLength === full ? r.destination : `${r.destination}/${r.dstLength}`,
          gateway: r.gateway,
          dev: devName(r.outputIndex),
          // iproute2 leaves out what is usual: routes installed by `ip route` (boot) and global scope.
          protocol: r.protocol === RTPROT.BOOT ? undefined : (protocolNames[r.protocol] ?? String(r.protocol)),
          scope: r.scope === RT_SCOPE.UNIVERSE ? undefined : scopeNames[r.scope],
          prefsrc: r.preferredSource,
          metric: r.priority,
          pref: r.preference === undefined ? undefined : prefNames[r.preference],
        }),
      );
    expect(want.length).toBeGreaterThanOrEqual(2);
    expect(got).toEqual(want);
  });

  it('RTM_GETNEIGH matches `ip -j neigh show`', async () => {
    const want = (await json<Record<string, unknown>[]>('neigh', 'show')).map((n) => defined({ dst: n.dst, dev: n.dev, lladdr: n.lladdr, state: n.state }));
    // iproute2's default filter hides NOARP and NONE entries.
    const got = seen.neighbours
      .filter((n) => n.state & 0xff & ~NUD.NOARP)
      .map((n) => defined({ dst: n.destination, dev: devName(n.index), lladdr: n.linkAddress, state: nudNames.filter(([, bit]) => n.state & bit).map(([name]) => name) }));
    expect(want).toHaveLength(2);
    expect(got).toEqual(want);
  });

  it('filters by family, interface and table (an id over 255 travels in RTA_TABLE)', async () => {
    await ip('route', 'add', '10.99.0.0/16', 'dev', 'va', 'table', '1000');
    const sock = openSocket(NETLINK.ROUTE, { netns: ns });
    try {
      const va = seen.links.find((l) => l.name === 'va')!.index;
      const inTable = await listRoutes(sock, { family: AF.INET, table: 1000 });
      expect(inTable.map((r) => [r.destination, r.dstLength, r.tableId])).toEqual([['10.99.0.0', 16, 1000]]);
      const main = await listRoutes(sock, { family: AF.INET, table: RT_TABLE.MAIN });
      expect(main.map((r) => r.tableId)).toEqual(seen.routes.filter((r) => r.family === AF.INET && r.tableId === RT_TABLE.MAIN).map(() => RT_TABLE.MAIN));
      // va also holds NOARP entries for the multicast groups it joined; the permanent one is ours.
      const neighbours = await listNeighbours(sock, { family: AF.INET6, index: va });
      expect(neighbours.every((n) => n.family === AF.INET6 && n.index === va)).toBe(true);
      expect(neighbours.filter((n) => n.state & NUD.PERMANENT).map((n) => n.destination)).toEqual(['2001:db8:77::fe']);
      const vb = seen.links.find((l) => l.name === 'vb')!.index;
      expect((await listNeighbours(sock, { index: vb })).filter((n) => n.state & NUD.PERMANENT || n.index !== vb)).toEqual([]);
      expect((await listAddresses(sock, { family: AF.INET, index: va })).map((a) => a.local)).toEqual(['10.77.0.1', '10.77.1.1']);
    } finally {
      sock.close();
      await ip('route', 'del', '10.99.0.0/16', 'table', '1000');
    }
  });
});
