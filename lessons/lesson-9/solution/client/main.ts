// Netlink Lab, lesson 9: a command-line client for the nlab_kv generic netlink family.
//
//   node main.js set KEY VALUE      store VALUE (text) under KEY
//   node main.js get KEY            print KEY's value
//   node main.js del KEY            forget KEY
//   node main.js list [PREFIX]      print every KEY=VALUE (whose key starts with PREFIX)
//   node main.js family             print the family's id, version and commands
//
// LIST is a dump: one request, then as many NLM_F_MULTI messages as there are keys, over
// as many datagrams as it takes, then NLMSG_DONE.
import {
  defineAttributeSet,
  DumpInterruptedError,
  genlDump,
  genlRequest,
  NETLINK,
  NetlinkError,
  openSocket,
  resolveFamily,
  type GenlFamily,
  type NetlinkSocket,
} from 'netlink-lab/client';

const FAMILY_NAME = 'nlab_kv';
/** Commands (genlmsghdr.cmd), as in nlab_kv.c. */
const NLAB_CMD = { SET: 1, GET: 2, DEL: 3, LIST: 4 } as const;
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
  | { name: 'family' };

/** Parses the command line; throws a usage error. */
function parseCommand(argv: string[]): Command {
  const [name, key, value, ...rest] = argv;
  const usage = new Error('usage: main.js set KEY VALUE | get KEY | del KEY | list [PREFIX] | family');
  if (rest.length) throw usage;
  if (name === 'family' && key === undefined) return { name };
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
  // TODO 4: Dump NLAB_CMD.LIST (with PREFIX when given) and collect each entry's KEY and
  // VALUE. Read genlDump() in the client reference: how a dump ends, and what it does when
  // a message carried NLM_F_DUMP_INTR.
  const req = { family, cmd: NLAB_CMD.LIST, set: kvAttributes, attributes: prefix === undefined ? {} : { PREFIX: prefix } };
  for await (const m of genlDump(socket, req, { timeout: REQUEST_TIMEOUT_MS * 10 })) {
    const { KEY, VALUE } = m.attributes;
    if (typeof KEY !== 'string' || !Buffer.isBuffer(VALUE)) throw new Error('a LIST entry without KEY or VALUE');
    entries.push([KEY, VALUE]);
  }
  // STARTER: throw new Error('TODO 4: dump the keys');
  // END TODO
  return entries;
}

/** LIST, started over while the store changes under it; a dump is never shown half-right. */
async function list(socket: NetlinkSocket, family: GenlFamily, prefix: string | undefined): Promise<[string, Buffer][]> {
  for (let attempt = 1; ; attempt++) {
    // TODO 5: An interrupted dump is not an answer: try again, at most LIST_ATTEMPTS times
    // in all, then let the error through.
    try {
      return await listOnce(socket, family, prefix);
    } catch (e) {
      if (!(e instanceof DumpInterruptedError) || attempt >= LIST_ATTEMPTS) throw e;
    }
    // STARTER: return listOnce(socket, family, prefix);
    // END TODO
  }
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
