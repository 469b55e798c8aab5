// Netlink Lab, lesson 8: a command-line client for the nlab_kv generic netlink family.
//
//   node main.js set KEY VALUE      store VALUE (text) under KEY
//   node main.js get KEY            print KEY's value
//   node main.js del KEY            forget KEY
//   node main.js family             print the family's id, version and commands
//
// The family id is not a constant: the kernel assigns it when the module registers the
// family, so the client asks nlctrl for "nlab_kv" every time it starts.
import {
  defineAttributeSet,
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
const NLAB_CMD = { SET: 1, GET: 2, DEL: 3 } as const;
const REQUEST_TIMEOUT_MS = 1000;

/** The family's attributes (NLAB_A_*), unchanged since lesson 6. */
const kvAttributes = defineAttributeSet('nlab-kv', {
  KEY: { type: 1, kind: 'string' },
  VALUE: { type: 2, kind: 'binary' },
  FLAGS: { type: 3, kind: 'u32' },
});

type Command = { name: 'set'; key: string; value: Buffer } | { name: 'get' | 'del'; key: string } | { name: 'family' };

/** Parses the command line; throws a usage error. */
function parseCommand(argv: string[]): Command {
  const [name, key, value, ...rest] = argv;
  const usage = new Error('usage: main.js set KEY VALUE | get KEY | del KEY | family');
  if (rest.length) throw usage;
  if (name === 'family' && key === undefined) return { name };
  if (key === undefined) throw usage;
  if (name === 'set' && value !== undefined) return { name, key, value: Buffer.from(value, 'utf8') };
  if ((name === 'get' || name === 'del') && value === undefined) return { name, key };
  throw usage;
}

/** Looks the family up by name through nlctrl; ENOENT when no module registered it. */
async function findFamily(socket: NetlinkSocket): Promise<GenlFamily> {
  // TODO 4: Find the family by name at run time: the kernel gives out its id at
  // registration, and a reloaded module may get another. Read resolveFamily() in the client
  // reference (it asks nlctrl).
  throw new Error('TODO 4: resolve the family');
}

/** Sends one command and returns the VALUE of the answer, if any. */
async function run(socket: NetlinkSocket, family: GenlFamily, cmd: Exclude<Command, { name: 'family' }>): Promise<Buffer | undefined> {
  // TODO 5: Send the command in `cmd` to the family with KEY (and VALUE for set), and wait
  // until the kernel acknowledges it; for get, return the VALUE of the answer. Read
  // genlRequest() in the client reference: what it needs to address the family and the
  // command, and what it returns.
  throw new Error('TODO 5: send the command');
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
