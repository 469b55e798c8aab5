// Netlink Lab, lesson 10: a command-line client for the nlab_kv generic netlink family.
//
//   node main.js set KEY VALUE      store VALUE (text) under KEY
//   node main.js get KEY            print KEY's value
//   node main.js del KEY            forget KEY
//   node main.js list [PREFIX]      print every KEY=VALUE (whose key starts with PREFIX)
//   node main.js family             print the family's id, version and commands
//   node main.js watch [N]          print changes as they happen ("set KEY=VALUE",
//                                   "del KEY"); stop after N of them
//
// watch joins the family's "events" multicast group on a socket of its own, so that
// notifications never mix with the answers to its own requests, and nlctrl's "notify"
// group, so that it rejoins when the module is reloaded and the ids change.
import {
  CTRL_CMD,
  ctrlAttributes,
  decodeFamily,
  defineAttributeSet,
  DumpInterruptedError,
  genlDump,
  decodeGenlMessage,
  genlRequest,
  GENL_ID_CTRL,
  isSystemError,
  joinFamilyGroup,
  notifications,
  subscribe,
  NETLINK,
  NetlinkError,
  openSocket,
  resolveFamily,
  type GenlFamily,
  type NetlinkMessage,
  type NetlinkSocket,
} from 'netlink-lab/client';

const FAMILY_NAME = 'nlab_kv';
/** Commands (genlmsghdr.cmd), as in nlab_kv.c. */
const NLAB_CMD = { SET: 1, GET: 2, DEL: 3, LIST: 4, SET_NTF: 5, DEL_NTF: 6 } as const;
const EVENTS_GROUP = 'events';
const REQUEST_TIMEOUT_MS = 1000;

/** The family's attributes (NLAB_A_*), unchanged since lesson 6. */
const kvAttributes = defineAttributeSet('nlab-kv', {
  KEY: { type: 1, kind: 'string' },
  VALUE: { type: 2, kind: 'binary' },
  FLAGS: { type: 3, kind: 'u32' },
  PREFIX: { type: 4, kind: 'string' },
});
/** How often LIST starts over when the kernel flags the dump as interrupted. */
const LIST_ATTEMPTS = 5;

type Command =
  | { name: 'set'; key: string; value: Buffer }
  | { name: 'get' | 'del'; key: string }
  | { name: 'list'; prefix?: string }
  | { name: 'watch'; count: number }
  | { name: 'family' };

/** Parses the command line; throws a usage error. */
function parseCommand(argv: string[]): Command {
  const [name, key, value, ...rest] = argv;
  const usage = new Error('usage: main.js set KEY VALUE | get KEY | del KEY | list [PREFIX] | watch [N] | family');
  if (rest.length) throw usage;
  if (name === 'family' && key === undefined) return { name };
  if (name === 'watch' && value === undefined) {
    const count = key === undefined ? Infinity : Number(key);
    if (Number.isInteger(count) ? count > 0 : count === Infinity) return { name, count };
    throw usage;
  }
  if (name === 'list' && value === undefined) return key === undefined ? { name } : { name, prefix: key };
  if (key === undefined) throw usage;
  if (name === 'set' && value !== undefined) return { name, key, value: Buffer.from(value, 'utf8') };
  if ((name === 'get' || name === 'del') && value === undefined) return { name, key };
  throw usage;
}

/** Looks the family up by name through nlctrl; ENOENT when no module registered it. */
async function findFamily(socket: NetlinkSocket): Promise<GenlFamily> {
  return resolveFamily(socket, FAMILY_NAME, { timeout: REQUEST_TIMEOUT_MS });
}

/** Sends one command and returns the VALUE of the answer, if any. */
async function run(socket: NetlinkSocket, family: GenlFamily, cmd: Extract<Command, { key: string }>): Promise<Buffer | undefined> {
  const replies = await genlRequest(
    socket,
    {
      family,
      cmd: NLAB_CMD[cmd.name.toUpperCase() as keyof typeof NLAB_CMD],
      set: kvAttributes,
      attributes: cmd.name === 'set' ? { KEY: cmd.key, VALUE: cmd.value } : { KEY: cmd.key },
    },
    { timeout: REQUEST_TIMEOUT_MS },
  );
  if (cmd.name !== 'get') return undefined;
  const value = replies[0]?.attributes.VALUE;
  if (!Buffer.isBuffer(value)) throw new Error('the answer to GET carries no VALUE');
  return value;
}

/** One LIST dump: every entry as [key, value], in the store's order. */
async function listOnce(socket: NetlinkSocket, family: GenlFamily, prefix: string | undefined): Promise<[string, Buffer][]> {
  const entries: [string, Buffer][] = [];
  const req = { family, cmd: NLAB_CMD.LIST, set: kvAttributes, attributes: prefix === undefined ? {} : { PREFIX: prefix } };
  for await (const m of genlDump(socket, req, { timeout: REQUEST_TIMEOUT_MS * 10 })) {
    const { KEY, VALUE } = m.attributes;
    if (typeof KEY !== 'string' || !Buffer.isBuffer(VALUE)) throw new Error('a LIST entry without KEY or VALUE');
    entries.push([KEY, VALUE]);
  }
  return entries;
}

/** LIST, started over while the store changes under it; a dump is never shown half-right. */
async function list(socket: NetlinkSocket, family: GenlFamily, prefix: string | undefined): Promise<[string, Buffer][]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await listOnce(socket, family, prefix);
    } catch (e) {
      if (!(e instanceof DumpInterruptedError) || attempt >= LIST_ATTEMPTS) throw e;
    }
  }
}

/**
 * Prints SET_NTF and DEL_NTF notifications until `count` were seen, resyncing after lost
 * ones and following the family across a reload of its module.
 */
async function watch(socket: NetlinkSocket, count: number): Promise<void> {
  // TODO 2: Open a second socket with subscribe(): it resolves the family and joins
  // EVENTS_GROUP by name (never a hard-coded group id). Join nlctrl's "notify" group on
  // it too (nlctrl is a family like any other), to hear when families come and go.
  // Close it when done.
  const events = socket;
  const first = await findFamily(socket);
  throw new Error('TODO 2: join the events group');
  let family = first;
  console.error(`watching ${FAMILY_NAME} ${EVENTS_GROUP}`);
  let seen = 0;
  try {
    while (seen < count) {
      try {
        for await (const { message } of notifications(events)) {
          if (message.type === GENL_ID_CTRL) {
            family = follow(events, message, family);
            continue;
          }
          // TODO 3: Skip messages that are not of the family's type (nlctrl's are handled
          // above). Decode the rest with decodeGenlMessage() and kvAttributes, and print
          // "set KEY=VALUE" for NLAB_CMD.SET_NTF and "del KEY" for NLAB_CMD.DEL_NTF.
          if (++seen >= count) break;
        }
      } catch (e) {
        // TODO 4: ENOBUFS (a system error with code 'ENOBUFS') means the kernel dropped
        // notifications because this socket's buffer was full: what is still queued is
        // older than a fresh dump would be. Drop it, print "lost events (ENOBUFS); resync",
        // the whole store as KEY=VALUE lines, then "resync done", and go on watching.
        // Rethrow anything else.
        throw e;
      }
    }
  } finally {
    events.close();
  }
}

/**
 * Reads one message from nlctrl's "notify" group. When the module is unloaded its family
 * and groups go away, and the core drops every member; when it is loaded again they come
 * back with new ids. Returns the family to watch from now on.
 */
function follow(events: NetlinkSocket, message: NetlinkMessage, family: GenlFamily): GenlFamily {
  // TODO 5: Decode the message with ctrlAttributes and ignore those about other families.
  // On CTRL_CMD.NEWFAMILY for ours, read the new ids from the message itself (see
  // decodeFamily()), join the new EVENTS_GROUP on `events` and print "rejoined …" on
  // stderr; return the new family. Anything else leaves `family` as it is.
  void events;
  void message;
  return family;
}

/** One line for an error ACK: what failed, the errno, the kernel's reason and where. */
function describe(what: string, e: NetlinkError): string {
  const where = e.extack.path?.length
    ? ` (attribute ${e.extack.path.join('.')})`
    : e.extack.missingType !== undefined
      ? ` (missing attribute ${e.extack.missingName ?? e.extack.missingType})`
      : '';
  return `${what} failed: ${e.code}${e.extack.message ? `: ${e.extack.message}` : ''}${where}`;
}

async function main(argv: string[]): Promise<number> {
  const cmd = parseCommand(argv);
  const socket = openSocket(NETLINK.GENERIC);
  let family: GenlFamily;
  try {
    try {
      family = await findFamily(socket);
    } catch (e) {
      if (!(e instanceof NetlinkError) || e.code !== 'ENOENT') throw e;
      console.error(`ENOENT: no generic netlink family "${FAMILY_NAME}"; is the module loaded?`);
      return 1;
    }
    if (cmd.name === 'family') {
      console.log(`${family.name} id ${family.id} version ${family.version} commands ${family.ops.map((o) => o.id).join(',')}`);
      return 0;
    }
    try {
      if (cmd.name === 'watch') {
        await watch(socket, cmd.count);
        return 0;
      }
      if (cmd.name === 'list') {
        for (const [k, v] of await list(socket, family, cmd.prefix)) console.log(`${k}=${v.toString('utf8')}`);
        return 0;
      }
      const value = await run(socket, family, cmd);
      if (value) console.log(value.toString('utf8'));
      return 0;
    } catch (e) {
      if (!(e instanceof NetlinkError)) throw e;
      console.error(describe(cmd.name.toUpperCase(), e));
      return 1;
    }
  } finally {
    socket.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 2;
  },
);
