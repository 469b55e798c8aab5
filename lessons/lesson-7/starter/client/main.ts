// Netlink Lab, lesson 7: a command-line client for the nlab_kv store that explains errors.
//
//   node main.js set KEY [VALUE]    store VALUE (text) under KEY; without VALUE the request
//                                   goes out anyway, to see how the module answers
//   node main.js get KEY            print KEY's value
//   node main.js del KEY            forget KEY
//   node main.js --dry-run set ...  print the request's bytes (hex, seq 1) instead of sending it
//
// The client checks nothing the module checks: it sends what it was given and, when the
// module refuses, prints one line built from the extended ACK, e.g.
//   SET failed: ENOENT: no such key (attribute KEY)
import {
  decodeAttributeSet,
  defineAttributeSet,
  encodeAttributeSet,
  encodeMessage,
  NetlinkError,
  NLM_F,
  openSocket,
  request,
  type AttributeValues,
  type NetlinkMessage,
} from 'netlink-lab/client';

/** The module's netlink unit: NETLINK_NLAB in nlab_kv.c. */
const NETLINK_NLAB = 31;
/** Message types, as in nlab_kv.c; data types start at NLMSG_MIN_TYPE (0x10). */
const NLAB_MSG = { SET: 0x10, GET: 0x11, DEL: 0x12, VALUE: 0x13 } as const;
const REQUEST_TIMEOUT_MS = 1000;

/** The module's attributes (NLAB_A_*): type numbers start at 1, 0 is unused. */
const kvAttributes = defineAttributeSet('nlab-kv', {
  KEY: { type: 1, kind: 'string' },
  VALUE: { type: 2, kind: 'binary' },
  FLAGS: { type: 3, kind: 'u32' },
});

/** A request's arguments: the key, and for SET the value. */
interface KvArgs {
  key: string;
  value?: Buffer;
}

/** The request's payload: KEY, then VALUE when there is one, as attributes. */
function encodeArgs(args: KvArgs): Buffer {
  return encodeAttributeSet(kvAttributes, { KEY: args.key, VALUE: args.value });
}

/** The value in a GET answer (an NLAB_MSG_VALUE message). */
function valueOf(reply: NetlinkMessage): Buffer {
  if (reply.type !== NLAB_MSG.VALUE) throw new Error(`unexpected reply type 0x${reply.type.toString(16)}`);
  const attrs: AttributeValues = decodeAttributeSet(kvAttributes, reply.payload);
  if (!Buffer.isBuffer(attrs.VALUE)) throw new Error('the reply carries no value');
  return attrs.VALUE;
}

/** One line for a refused request: "SET failed: EINVAL: <message> (attribute KEY)". */
function describeError(command: string, e: NetlinkError): string {
  // TODO 6: Build the one line a person needs, shaped as the comment above says: `command`,
  // the errno's name, then what the extended ACK adds: the module's message, and the
  // attribute at fault (a nested path joined with ".") or the one that is missing (its
  // name, else its number). The fields are in NetlinkError and ExtendedAck in the client
  // reference.
  return e.message;
}

/** Parses the command line into a message type and its arguments; throws a usage error. */
function parseCommand(argv: string[]): { name: string; type: number; args: KvArgs } {
  const [cmd, key, value, ...rest] = argv;
  const usage = new Error('usage: main.js [--dry-run] set KEY [VALUE] | get KEY | del KEY');
  if (key === undefined || rest.length) throw usage;
  if (cmd === 'set') return { name: 'SET', type: NLAB_MSG.SET, args: { key, value: value === undefined ? undefined : Buffer.from(value, 'utf8') } };
  if (cmd === 'get' && value === undefined) return { name: 'GET', type: NLAB_MSG.GET, args: { key } };
  if (cmd === 'del' && value === undefined) return { name: 'DEL', type: NLAB_MSG.DEL, args: { key } };
  throw usage;
}

async function main(argv: string[]): Promise<number> {
  const dryRun = argv[0] === '--dry-run';
  const { name, type, args } = parseCommand(dryRun ? argv.slice(1) : argv);
  const payload = encodeArgs(args);

  if (dryRun) {
    // What request() would send, with a fixed sequence number so the bytes are reproducible.
    console.log(encodeMessage({ type, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 1, pid: 0, payload }).toString('hex'));
    return 0;
  }

  // TODO 7: Open the socket so that errors come back explained (the module's message and
  // the attribute's offset) and short (without a copy of the request). Read the options of
  // openSocket() in the client reference, and NETLINK_EXT_ACK and NETLINK_CAP_ACK in
  // netlink(7).
  const socket = openSocket(NETLINK_NLAB, { extendedAck: false, capAck: false });
  try {
    // layout lets the library turn an extended ACK's offset into an attribute's name.
    const replies = await request(socket, { type, payload }, { timeout: REQUEST_TIMEOUT_MS, layout: { headerSize: 0, attributes: kvAttributes } });
    if (type === NLAB_MSG.GET) {
      const [reply] = replies;
      if (!reply) throw new Error('the module acknowledged GET without a reply');
      console.log(valueOf(reply).toString('utf8'));
    }
    return 0;
  } catch (e) {
    if (!(e instanceof NetlinkError)) throw e;
    console.error(describeError(name, e));
    return 1;
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
