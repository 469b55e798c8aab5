/**
 * Generic netlink: `genlmsghdr`, family and multicast-group resolution by
 * name through nlctrl, and requests/dumps that encode and decode attribute
 * objects.
 * @module
 */
import type { RequestLayout } from './ack.js';
import { CTRL_CMD, GENL_ID_CTRL, NETLINK } from './constants.js';
import { ctrlAttributes, decodeGenlMessage, encodeGenlHeader, GENL_HDRLEN, type GenlMessage } from './genl-codec.js';
import { dump, type DumpOptions } from './dump.js';
import { GroupNotFoundError, MalformedMessageError, UnexpectedReplyError } from './errors.js';
import { request, type RequestOptions } from './request.js';
import { encodeAttributeSet, type AttributeSet, type AttributeValues } from './schema.js';
import { openSocket, type NetlinkSocket, type SocketOptions } from './socket.js';

export * from './genl-codec.js';

/** An operation a generic netlink family supports. */
export interface GenlOperation {
  /** Command number. */
  id: number;
  /** `GENL_OP_FLAG.*` bits (admin permission, do/dump capability, has policy). */
  flags: number;
}

/** A resolved generic netlink family. */
export interface GenlFamily {
  /** Dynamic family id: the `nlmsg_type` of its messages. */
  id: number;
  name: string;
  version: number;
  /** Size of the family's own header after `genlmsghdr`. */
  hdrsize: number;
  maxattr: number;
  ops: GenlOperation[];
  /** Multicast groups: name → group id. */
  groups: Record<string, number>;
}

function familyFrom(v: AttributeValues): GenlFamily {
  const ops = (v.OPS as AttributeValues[] | undefined) ?? [];
  const groups: Record<string, number> = {};
  for (const g of (v.MCAST_GROUPS as AttributeValues[] | undefined) ?? []) {
    if (typeof g.NAME === 'string' && typeof g.ID === 'number') groups[g.NAME] = g.ID;
  }
  if (typeof v.FAMILY_ID !== 'number' || typeof v.FAMILY_NAME !== 'string')
    throw new MalformedMessageError('nlctrl reply without family id or name', 0);
  return {
    id: v.FAMILY_ID,
    name: v.FAMILY_NAME,
    version: typeof v.VERSION === 'number' ? v.VERSION : 0,
    hdrsize: typeof v.HDRSIZE === 'number' ? v.HDRSIZE : 0,
    maxattr: typeof v.MAXATTR === 'number' ? v.MAXATTR : 0,
    ops: ops.map((o) => ({ id: Number(o.ID ?? 0), flags: Number(o.FLAGS ?? 0) })),
    groups,
  };
}

/** Description of a generic netlink request. */
export interface GenlRequest {
  /** Family id, or a resolved family. */
  family: number | GenlFamily;
  cmd: number;
  /** `genlmsghdr.version`; default the family's version, else 1. */
  version?: number;
  /** Attribute set used to encode `attributes` and decode replies. */
  set: AttributeSet;
  attributes?: AttributeValues;
  /** Family-specific header placed after `genlmsghdr` (`hdrsize` bytes). */
  userHeader?: Uint8Array;
  /** Extra `nlmsg_flags` (e.g. `NLM_F.CREATE`). */
  flags?: number;
  /**
   * Command (or commands) the replies must carry, e.g. `CTRL_CMD.NEWFAMILY`
   * for `CTRL_CMD.GETFAMILY`; a reply with another one fails with
   * {@link UnexpectedReplyError}. Unchecked when omitted: families differ in
   * whether a reply repeats the request's command.
   */
  replyCmd?: number | readonly number[];
}

function checkReplyCmd(req: GenlRequest, reply: GenlMessage): GenlMessage {
  const want = req.replyCmd;
  if (want === undefined) return reply;
  const allowed = typeof want === 'number' ? [want] : want;
  if (!allowed.includes(reply.cmd))
    throw new UnexpectedReplyError(`generic netlink command ${reply.cmd} answering command ${req.cmd}, expected ${allowed.join(' or ')}`);
  return reply;
}

function encodeGenl(req: GenlRequest): { type: number; flags: number; payload: Buffer[]; layout: RequestLayout; hdrsize: number } {
  const fam = typeof req.family === 'number' ? undefined : req.family;
  const type = typeof req.family === 'number' ? req.family : req.family.id;
  const user = req.userHeader ? Buffer.from(req.userHeader) : Buffer.alloc(0);
  const payload = [encodeGenlHeader(req.cmd, req.version ?? (fam?.version || 1)), user, encodeAttributeSet(req.set, req.attributes ?? {})];
  return { type, flags: req.flags ?? 0, payload, layout: { headerSize: GENL_HDRLEN + user.length, attributes: req.set }, hdrsize: user.length };
}

/**
 * Sends a generic netlink request and decodes the replies with `req.set`.
 * Extended-ACK offsets are mapped to attribute paths of `req.set`.
 */
export async function genlRequest(sock: NetlinkSocket, req: GenlRequest, options: RequestOptions = {}): Promise<GenlMessage[]> {
  const { type, flags, payload, layout, hdrsize } = encodeGenl(req);
  const replies = await request(sock, { type, flags, payload }, { layout, ...options });
  return replies.map((m) => checkReplyCmd(req, decodeGenlMessage(m, req.set, hdrsize)));
}

/** Dumps a generic netlink command, yielding decoded messages. */
export async function* genlDump(sock: NetlinkSocket, req: GenlRequest, options: DumpOptions = {}): AsyncGenerator<GenlMessage, void, undefined> {
  const { type, flags, payload, layout, hdrsize } = encodeGenl(req);
  for await (const m of dump(sock, { type, flags, payload }, { layout, ...options })) yield checkReplyCmd(req, decodeGenlMessage(m, req.set, hdrsize));
}

/**
 * Resolves a generic netlink family by name with `CTRL_CMD_GETFAMILY`: id,
 * version, header size, max attribute, operations with flags, and multicast
 * groups. Rejects with a {@link NetlinkError} `ENOENT` if no such family is
 * registered. `sock` must be a `NETLINK.GENERIC` socket.
 */
export async function resolveFamily(sock: NetlinkSocket, name: string, options: RequestOptions = {}): Promise<GenlFamily> {
  const replies = await genlRequest(
    sock,
    { family: GENL_ID_CTRL, cmd: CTRL_CMD.GETFAMILY, version: 2, set: ctrlAttributes, attributes: { FAMILY_NAME: name }, replyCmd: CTRL_CMD.NEWFAMILY },
    options,
  );
  const reply = replies[0];
  if (!reply) throw new MalformedMessageError('CTRL_CMD_GETFAMILY answered with an ACK only', 0);
  return familyFrom(reply.attributes);
}

/** Lists all registered generic netlink families (a `CTRL_CMD_GETFAMILY` dump). */
export async function listFamilies(sock: NetlinkSocket, options: DumpOptions = {}): Promise<GenlFamily[]> {
  const out: GenlFamily[] = [];
  for await (const m of genlDump(sock, { family: GENL_ID_CTRL, cmd: CTRL_CMD.GETFAMILY, version: 2, set: ctrlAttributes, replyCmd: CTRL_CMD.NEWFAMILY }, options))
    out.push(familyFrom(m.attributes));
  return out;
}

/**
 * Joins a family's multicast group by name on `sock`; returns the group id.
 * Throws {@link GroupNotFoundError} if the family has no such group.
 */
export function joinFamilyGroup(sock: NetlinkSocket, family: GenlFamily, group: string): number {
  const id = family.groups[group];
  if (id === undefined) throw new GroupNotFoundError(family.name, group);
  sock.joinGroup(id);
  return id;
}

/** Options of {@link subscribe}. */
export interface SubscribeOptions extends SocketOptions {
  /** Do not keep the process alive just for notifications. Default false. */
  unref?: boolean;
}

/**
 * Opens a separate `NETLINK.GENERIC` socket for notifications, resolves
 * `familyName` and joins `groups` by name. Listen with
 * `socket.on('message', ...)` or {@link notifications}; close it when done.
 * Requests should go through another socket so replies and events do not mix.
 */
export async function subscribe(
  familyName: string,
  groups: readonly string[],
  options: SubscribeOptions = {},
): Promise<{ socket: NetlinkSocket; family: GenlFamily }> {
  const socket = openSocket(NETLINK.GENERIC, options);
  try {
    if (options.unref) socket.unref();
    const family = await resolveFamily(socket, familyName);
    for (const g of groups) joinFamilyGroup(socket, family, g);
    return { socket, family };
  } catch (e) {
    socket.close();
    throw e;
  }
}
