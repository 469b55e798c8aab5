// Generic netlink families by name, for lessons whose "netlink" is { "family": NAME }.

import { NETLINK, NetlinkError, openSocket, resolveFamily, type GenlFamily } from 'netlink-lab/client';

/** The family registered under `name`, or undefined when nlctrl answers ENOENT. */
export async function findFamily(name: string): Promise<GenlFamily | undefined> {
  const sock = openSocket(NETLINK.GENERIC);
  try {
    return await resolveFamily(sock, name, { timeout: 1000 });
  } catch (e) {
    if (e instanceof NetlinkError && e.code === 'ENOENT') return undefined;
    throw e;
  } finally {
    sock.close();
  }
}
