// Netlink Lab, lesson 6: a command-line client for the nlab_kv store.
//
//   node main.js set KEY VALUE      store VALUE (text) under KEY
//   node main.js get KEY            print KEY's value
//   node main.js del KEY            forget KEY
//   node main.js --dry-run set ...  print the request's bytes (hex, seq 1) instead of sending it
//
// Arguments travel as netlink attributes, described once in an attribute set;
// request() adds NLM_F_ACK and turns an error ACK into a NetlinkError.
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
  // TODO 4: Encode `args` as this protocol's attributes: the key always, the value when
  // there is one. Read encodeAttributeSet() and kvAttributes in the client reference: what
  // a `string` attribute and a `binary` one take, and who adds the NUL and the padding.
  return encodeAttributeSet(kvAttributes, { KEY: args.key, VALUE: args.value });
  // STARTER: throw new Error('TODO 4: encode the attributes');
  // END TODO
}

/** The value in a GET answer (an NLAB_MSG_VALUE message). */
function valueOf(reply: NetlinkMessage): Buffer {
  // TODO 5: Accept only the kind of answer you asked for, and return the value it carries.
  // Read decodeAttributeSet() in the client reference: a `binary` attribute decodes to a
  // Buffer, a `string` one to a string.
  if (reply.type !== NLAB_MSG.VALUE) throw new Error(`unexpected reply type 0x${reply.type.toString(16)}`);
  const attrs: AttributeValues = decodeAttributeSet(kvAttributes, reply.payload);
  if (!Buffer.isBuffer(attrs.VALUE)) throw new Error('the reply carries no value');
  return attrs.VALUE;
  // STARTER: throw new Error('TODO 5: decode the reply');
  // END TODO
}

/** Parses the command line into a message type and its arguments; throws a usage error. */
function parseCommand(argv: string[]): { type: number; args: KvArgs } {
  const [cmd, key, value, ...rest] = argv;
  const usage = new Error('usage: main.js [--dry-run] set KEY VALUE | get KEY | del KEY');
  if (key === undefined || rest.length) throw usage;
  if (cmd === 'set' && value !== undefined) return { type: NLAB_MSG.SET, args: { key, value: Buffer.from(value, 'utf8') } };
  if (cmd === 'get' && value === undefined) return { type: NLAB_MSG.GET, args: { key } };
  if (cmd === 'del' && value === undefined) return { type: NLAB_MSG.DEL, args: { key } };
  throw usage;
}

async function main(argv: string[]): Promise<number> {
  const dryRun = argv[0] === '--dry-run';
  const { type, args } = parseCommand(dryRun ? argv.slice(1) : argv);
  const payload = encodeArgs(args);

  if (dryRun) {
    // What request() would send, with a fixed sequence number so the bytes are reproducible.
    console.log(encodeMessage({ type, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 1, pid: 0, payload }).toString('hex'));
    return 0;
  }

  const socket = openSocket(NETLINK_NLAB);
  try {
    // layout lets the library name the attribute an extended ACK points at.
    const replies = await request(socket, { type, payload }, { timeout: REQUEST_TIMEOUT_MS, layout: { headerSize: 0, attributes: kvAttributes } });
    if (type === NLAB_MSG.GET) {
      const [reply] = replies;
      if (!reply) throw new Error('the module acknowledged GET without a reply');
      console.log(valueOf(reply).toString('utf8'));
    }
    return 0;
  } catch (e) {
    if (!(e instanceof NetlinkError)) throw e;
    // One line: the errno's name first, so scripts can match it, then the kernel's reason.
    console.error(`${e.code} (errno ${e.errno})${e.extack.message ? `: ${e.extack.message}` : ''}`);
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
