/**
 * The fast path on the host kernel: one addon call sends a request and reads
 * the answer already queued (`transact`), messages are views into receive
 * blocks that are never reused, and `requestBatch` puts many requests in one
 * datagram. Interfaces are only read on the host; the notification case runs
 * in a network namespace the test creates.
 */
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeLink,
  decodeMessages,
  encodeLinkPayload,
  listLinks,
  NETLINK,
  NetlinkError,
  openSocket,
  request,
  requestBatch,
  RTM,
  RTNLGRP,
  type NetlinkMessage,
  type NetlinkSocket,
} from '../src/index.js';

const sockets: NetlinkSocket[] = [];
const open = (...args: Parameters<typeof openSocket>): NetlinkSocket => {
  const s = openSocket(...args);
  sockets.push(s);
  return s;
};
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

const byIndex = (index: number) => ({ type: RTM.GETLINK, payload: encodeLinkPayload({ index }) });

describe('transact: send and read in one call', () => {
  it('replies stay intact while later requests fill the following receive blocks', async () => {
    const rt = open(NETLINK.ROUTE);
    const links = await listLinks(rt);
    expect(links.length).toBeGreaterThan(1);
    // 600 replies of ~1.5 KiB each fill several 128 KiB blocks; every one is kept.
    const kept: { index: number; reply: NetlinkMessage }[] = [];
    for (let i = 0; i < 600; i++) {
      const link = links[i % links.length]!;
      const [reply] = await request(rt, byIndex(link.index));
      kept.push({ index: link.index, reply: reply! });
    }
    for (const { index, reply } of kept) expect(decodeLink(reply).index).toBe(index);
    expect(kept.map(({ reply }) => decodeLink(reply).name)).toEqual(kept.map(({ index }) => links.find((l) => l.index === index)!.name));
  });

  it('a notification queued before the answer is a stray, and the request still resolves', async () => {
    const ns = `nl-lab-tx-${process.pid}`;
    await execa('ip', ['netns', 'add', ns]);
    try {
      const rt = open(NETLINK.ROUTE, { netns: ns });
      rt.joinGroup(RTNLGRP.LINK);
      // Nothing reads the socket meanwhile, so the notifications are queued ahead of the
      // answer and the same transact call reads them all.
      await execa('ip', ['-n', ns, 'link', 'add', 'nltx0', 'type', 'veth', 'peer', 'name', 'nltx1']);
      const replies = await request(rt, byIndex(1));
      expect(replies.map((m) => decodeLink(m).name)).toEqual(['lo']);
      const strays: string[] = [];
      for (let d = await rt.receive({ timeout: 1000 }); ; d = await rt.receive({ timeout: 1000 })) {
        for (const m of decodeMessages(d.data)) if (m.type === RTM.NEWLINK) strays.push(decodeLink(m).name ?? '?');
        if (strays.includes('nltx0') && strays.includes('nltx1')) break;
      }
      expect(strays).toContain('nltx0');
    } finally {
      await execa('ip', ['netns', 'del', ns], { reject: false });
    }
  });
});

describe('requestBatch', () => {
  it('sends many requests in one datagram and returns each answer in order, past what one call reads', async () => {
    const rt = open(NETLINK.ROUTE);
    const links = await listLinks(rt);
    // 48 requests answer with 96 datagrams, more than the 64 one addon call takes.
    const order = Array.from({ length: 48 }, (_, i) => links[i % links.length]!);
    const answers = await requestBatch(rt, order.map((l) => byIndex(l.index)));
    expect(answers.map((a) => a.length)).toEqual(order.map(() => 1));
    expect(answers.map((a) => decodeLink(a[0]!).name)).toEqual(order.map((l) => l.name));
    expect(await requestBatch(rt, [])).toEqual([]);
  });

  it('rejects with the first failure in message order once every request has ended', async () => {
    const rt = open(NETLINK.ROUTE);
    const err = await requestBatch(rt, [byIndex(1), { type: RTM.GETLINK, payload: encodeLinkPayload({}, { IFNAME: 'nl-lab-none' }) }, byIndex(0x7fff0000)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('ENODEV');
    // Every ACK was read: nothing of the batch is left for the next request.
    const [reply] = await request(rt, byIndex(1));
    expect(decodeLink(reply!).name).toBe('lo');
  });
});
