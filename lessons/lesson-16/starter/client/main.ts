// Netlink Lab, lesson 16: the nlab_kv client, on codecs generated from the family's YNL spec;
// a value may carry metadata, which travels as a nest, and typed properties; the client
// prints what the kernel's policies accept.
//
//   node main.js set KEY VALUE [--owner NAME] [--version N] [--tag TAG]...
//                    [--priority N] [--port N] [--mark MARK]... [--unmark MARK]...
//                                   store VALUE (text) under KEY, with a META nest
//                                   when --owner, --version or --tag is given (--tag
//                                   may repeat); --mark and --unmark change only the
//                                   marks they name (starred, archived)
//   node main.js get KEY            print the reply as JSON: {"key": …, "value": "<hex>",
//                                   "meta": {"owner": …, "version": …, "tags": […]},
//                                   "priority": …, "port": …, "marks": {…}, "hits": …}
//   node main.js del KEY            forget KEY
//   node main.js list [PREFIX]      print the dump as one JSON array
//   node main.js watch [N]          print each notification as a JSON line,
//                                   {"name": "set-ntf", "msg": {…}}; stop after N.
//                                   After lost events (ENOBUFS), print the whole
//                                   store as `list` does, between "lost events
//                                   (ENOBUFS); resync" and "resync done" on stderr.
//                                   Rejoins when the module is reloaded
//   node main.js policy             print what each command accepts, as nlctrl reports
//                                   it (CTRL_CMD_GETPOLICY), as JSON: {"set": {"do":
//                                   {"priority": {"type": "u8", "minValue": 1, …}, …}}}
//
// JSON comes out the way the kernel's YNL client prints it with --output-json, so the two
// can be compared. Everything family-specific (names, numbers, attribute types) comes from
// nlab_kv-ynl.ts, generated from nlab_kv.yaml:
//
//   npm run ynl-gen -- lessons/lesson-16/starter/client/nlab_kv.yaml lessons/lesson-16/starter/client/nlab_kv-ynl.ts
//
// A refused request prints the errno, the kernel's message and where in the request the
// kernel pointed: `set failed: EINVAL: … (at meta.tags[2])`, or `(missing meta.owner)`.
import { parseArgs } from 'node:util';
import {
  CTRL_CMD,
  ctrlAttributes,
  decodeFamily,
  decodeGenlMessage,
  GENL_ID_CTRL,
  getFamilyPolicy,
  isSystemError,
  joinFamilyGroup,
  NETLINK,
  NetlinkError,
  notifications,
  openSocket,
  resolveFamily,
  type AttributeSet,
  type ExtendedAck,
  type FamilyPolicy,
  type GenlFamily,
  type NetlinkMessage,
  type NetlinkSocket,
  type PolicyInfo,
} from 'netlink-lab/client';
import * as kv from './nlab_kv-ynl.js';

const REQUEST_TIMEOUT_MS = 1000;

/** What `set` puts in the META nest; the spec's "meta" set names the same fields. */
interface Meta {
  owner?: string;
  version?: bigint;
  tags?: string[];
}

type Mark = keyof typeof kv.MARKS;

/**
 * `set`'s properties as the command line gave them. The client checks only that a number
 * fits its type: the range is the kernel's to enforce, and its extended ACK says why.
 */
interface Props {
  priority?: number;
  port?: number;
  mark: Mark[];
  unmark: Mark[];
}

type Command =
  | { name: 'set'; key: string; value: Buffer; meta?: Meta; props: Props }
  | { name: 'get' | 'del'; key: string }
  | { name: 'list' | 'count'; prefix?: string }
  | { name: 'policy' }
  | { name: 'watch'; count: number };

const USAGE =
  'usage: main.js set KEY VALUE [--owner NAME] [--version N] [--tag TAG]... [--priority N] [--port N] [--mark MARK]... [--unmark MARK]... | get KEY | del KEY | list [PREFIX] | count [PREFIX] | policy | watch [N]';

/** An integer from 0 to `max`, or a usage error. */
function integer(text: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) throw new Error(USAGE);
  return Number(text);
}

/** Mark names the spec defines, or a usage error. */
function marks(names: string[] | undefined): Mark[] {
  return (names ?? []).map((n) => {
    if (!Object.hasOwn(kv.MARKS, n)) throw new Error(USAGE);
    return n as Mark;
  });
}

/** `set`'s options: the META nest (undefined when none was given) and the properties; throws a usage error. */
function parseSet(args: string[]): { positionals: string[]; meta?: Meta; props: Props } {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      owner: { type: 'string' },
      version: { type: 'string' },
      tag: { type: 'string', multiple: true },
      priority: { type: 'string' },
      port: { type: 'string' },
      mark: { type: 'string', multiple: true },
      unmark: { type: 'string', multiple: true },
    },
  });
  const meta: Meta = {};
  if (values.owner !== undefined) meta.owner = values.owner;
  if (values.version !== undefined) {
    if (!/^\d+$/.test(values.version) || BigInt(values.version) >= 2n ** 64n) throw new Error(USAGE);
    meta.version = BigInt(values.version);
  }
  if (values.tag) meta.tags = values.tag;
  const props: Props = { mark: marks(values.mark), unmark: marks(values.unmark) };
  if (values.priority !== undefined) props.priority = integer(values.priority, 0xff);
  if (values.port !== undefined) props.port = integer(values.port, 0xffff);
  return Object.keys(meta).length ? { positionals, meta, props } : { positionals, props };
}

/** Parses the command line; throws a usage error. */
function parseCommand(argv: string[]): Command {
  const usage = new Error(USAGE);
  if (argv[0] === 'set') {
    let parsed: ReturnType<typeof parseSet>;
    try {
      parsed = parseSet(argv.slice(1));
    } catch {
      throw usage;
    }
    const [key, value, ...more] = parsed.positionals;
    if (key === undefined || value === undefined || more.length) throw usage;
    return { name: 'set', key, value: Buffer.from(value, 'utf8'), ...(parsed.meta ? { meta: parsed.meta } : {}), props: parsed.props };
  }
  const [name, key, value, ...rest] = argv;
  if (rest.length) throw usage;
  if (name === 'policy' && key === undefined) return { name };
  if (name === 'watch' && value === undefined) {
    const count = key === undefined ? Infinity : Number(key);
    if (Number.isInteger(count) ? count > 0 : count === Infinity) return { name, count };
    throw usage;
  }
  if ((name === 'list' || name === 'count') && value === undefined) return key === undefined ? { name } : { name, prefix: key };
  if (key === undefined) throw usage;
  if ((name === 'get' || name === 'del') && value === undefined) return { name, key };
  throw usage;
}

/** Runs one request command and prints what it returns. */
async function run(socket: NetlinkSocket, family: GenlFamily, cmd: Exclude<Command, { name: 'watch' }>): Promise<void> {
  const options = { timeout: REQUEST_TIMEOUT_MS };
  switch (cmd.name) {
    case 'set': {
      const { priority, port, mark, unmark } = cmd.props;
      const bits = (names: Mark[]): number => names.reduce((b, n) => b | kv.MARKS[n], 0);
      const selector = bits([...mark, ...unmark]);
      await kv.set(
        socket,
        family,
        {
          key: cmd.key,
          value: cmd.value,
          ...(cmd.meta ? { meta: cmd.meta } : {}),
          ...(priority !== undefined ? { priority } : {}),
          ...(port !== undefined ? { port } : {}),
          ...(selector ? { marks: { value: bits(mark), selector } } : {}),
        },
        options,
      );
      return;
    }
    case 'policy': {
      const policy = await getFamilyPolicy(socket, kv.FAMILY_NAME, options);
      const out: Record<string, { do?: PolicyJson; dump?: PolicyJson }> = {};
      for (const [name, cmdNo] of Object.entries(kv.CMD)) {
        const op = policy.ops.get(cmdNo);
        if (!op) continue;
        out[name] = {
          ...(op.do !== undefined ? { do: describe(policy, op.do, kv.kvAttributes) } : {}),
          ...(op.dump !== undefined ? { dump: describe(policy, op.dump, kv.kvAttributes) } : {}),
        };
      }
      console.log(kv.toJson(out));
      return;
    }
    case 'del':
      await kv.del(socket, family, { key: cmd.key }, options);
      return;
    case 'get': {
      const reply = await kv.get(socket, family, { key: cmd.key }, options);
      console.log(kv.toJson(reply));
      return;
    }
    case 'list': {
      const entries: kv.ListReply[] = [];
      for await (const entry of kv.list(socket, family, cmd.prefix === undefined ? {} : { prefix: cmd.prefix }, { timeout: REQUEST_TIMEOUT_MS * 10 })) entries.push(entry);
      console.log(kv.toJson(entries));
      return;
    }
    case 'count': {
      const reply = await kv.count(socket, family, cmd.prefix === undefined ? {} : { prefix: cmd.prefix }, options);
      console.log(kv.toJson(reply));
      return;
    }
  }
}

/** One attribute's policy as the client prints it; a nest's own policy comes inline. */
type AttributePolicyJson = Omit<PolicyInfo, 'policyIndex' | 'policyMaxType'> & { policy?: PolicyJson };
/** A policy by attribute name. */
type PolicyJson = Record<string, AttributePolicyJson>;

/**
 * Policy `index` of `policy`, by the names of `set`: what the kernel checks of each attribute
 * (its type, and a range, mask or length where the policy has one).
 */
function describe(policy: FamilyPolicy, index: number, set: AttributeSet): PolicyJson {
  const out: PolicyJson = {};
  for (const [type, info] of policy.policies.get(index) ?? []) {
    const [name, spec] = set.byType.get(type) ?? [String(type), undefined];
    const { policyIndex, policyMaxType: _maxType, ...checks } = info;
    out[name] = policyIndex !== undefined && spec?.nested ? { ...checks, policy: describe(policy, policyIndex, spec.nested) } : checks;
  }
  return out;
}

/**
 * Prints notifications as JSON lines until `count` were seen, resyncing after lost ones and
 * following the family across a reload of its module.
 */
async function watch(count: number): Promise<void> {
  const { socket, family: first } = await kv.subscribe(['events']);
  joinFamilyGroup(socket, await resolveFamily(socket, 'nlctrl', { timeout: REQUEST_TIMEOUT_MS }), 'notify');
  const requests = openSocket(NETLINK.GENERIC);
  let family = first;
  try {
    console.error(`watching ${kv.FAMILY_NAME} events`);
    let seen = 0;
    while (seen < count) {
      try {
        for await (const { message } of notifications(socket)) {
          // nlctrl's messages are not the family's: decodeNotification() skips them.
          if (message.type === GENL_ID_CTRL) family = follow(socket, message, family);
          const n = kv.decodeNotification(message, family);
          if (!n) continue;
          console.log(kv.toJson(n));
          if (++seen >= count) break;
        }
      } catch (e) {
        if (!isSystemError(e) || e.code !== 'ENOBUFS') throw e;
        // What is still queued is older than the dump about to be taken.
        while (socket.receiveSync(0) !== null);
        console.error('lost events (ENOBUFS); resync');
        const entries: kv.ListReply[] = [];
        for await (const entry of kv.list(requests, family, {}, { timeout: REQUEST_TIMEOUT_MS * 10 })) entries.push(entry);
        console.log(kv.toJson(entries));
        console.error('resync done');
      }
    }
  } finally {
    requests.close();
    socket.close();
  }
}

/**
 * Reads one message from nlctrl's "notify" group. When the module is unloaded its family
 * and groups go away, and the core drops every member; when it is loaded again they come
 * back with new ids. Returns the family to watch from now on.
 */
function follow(events: NetlinkSocket, message: NetlinkMessage, family: GenlFamily): GenlFamily {
  const m = decodeGenlMessage(message, ctrlAttributes);
  if (m.attributes.FAMILY_NAME !== kv.FAMILY_NAME) return family;
  if (m.cmd === CTRL_CMD.DELFAMILY) console.error(`${kv.FAMILY_NAME} is gone; waiting for it to return`);
  if (m.cmd !== CTRL_CMD.NEWFAMILY) return family;
  const next = decodeFamily(message);
  const group = joinFamilyGroup(events, next, 'events');
  console.error(`rejoined ${kv.FAMILY_NAME} events: family id ${next.id}, group id ${group}`);
  return next;
}

/** Where the kernel's extended ACK points: ` (at meta.tags[2])`, ` (missing meta.owner)`, or nothing. */
function where(extack: ExtendedAck): string {
  const show = (path: string[]): string => path.map((n, i) => (/^\d+$/.test(n) ? `[${n}]` : i ? `.${n}` : n)).join('');
  if (extack.path?.length) return ` (at ${show(extack.path)})`;
  if (extack.missingName !== undefined) return ` (missing ${show([...(extack.missingNestPath ?? []), extack.missingName])})`;
  return '';
}

async function main(argv: string[]): Promise<number> {
  const cmd = parseCommand(argv);
  if (cmd.name === 'watch') {
    await watch(cmd.count);
    return 0;
  }
  const socket = openSocket(NETLINK.GENERIC);
  try {
    const family = await kv.resolve(socket, { timeout: REQUEST_TIMEOUT_MS });
    await run(socket, family, cmd);
    return 0;
  } catch (e) {
    if (!(e instanceof NetlinkError)) throw e;
    // The same words as YNL's errors: the errno name and the kernel's extended ACK message.
    console.error(`${cmd.name} failed: ${e.code}${e.extack.message ? `: ${e.extack.message}` : ''}${where(e.extack)}`);
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
