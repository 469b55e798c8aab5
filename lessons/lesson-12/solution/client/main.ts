// Netlink Lab, lesson 12: the nlab_kv client, on codecs generated from the family's YNL spec.
//
//   node main.js set KEY VALUE      store VALUE (text) under KEY
//   node main.js get KEY            print the reply as JSON: {"key": …, "value": "<hex>"}
//   node main.js del KEY            forget KEY
//   node main.js list [PREFIX]      print the dump as one JSON array
//   node main.js watch [N]          print each notification as a JSON line,
//                                   {"name": "set-ntf", "msg": {…}}; stop after N.
//                                   After lost events (ENOBUFS), print the whole
//                                   store as `list` does, between "lost events
//                                   (ENOBUFS); resync" and "resync done" on stderr.
//                                   Rejoins when the module is reloaded
//
// JSON comes out the way the kernel's YNL client prints it with --output-json, so the two
// can be compared. Everything family-specific (names, numbers, attribute types) comes from
// nlab_kv-ynl.ts, generated from nlab_kv.yaml:
//
//   npm run ynl-gen -- lessons/lesson-12/starter/client/nlab_kv.yaml lessons/lesson-12/starter/client/nlab_kv-ynl.ts
import {
  CTRL_CMD,
  ctrlAttributes,
  decodeFamily,
  decodeGenlMessage,
  GENL_ID_CTRL,
  isSystemError,
  joinFamilyGroup,
  NETLINK,
  NetlinkError,
  notifications,
  openSocket,
  resolveFamily,
  type GenlFamily,
  type NetlinkMessage,
  type NetlinkSocket,
} from 'netlink-lab/client';
import * as kv from './nlab_kv-ynl.js';

const REQUEST_TIMEOUT_MS = 1000;

type Command =
  | { name: 'set'; key: string; value: Buffer }
  | { name: 'get' | 'del'; key: string }
  | { name: 'list'; prefix?: string }
  | { name: 'watch'; count: number };

/** Parses the command line; throws a usage error. */
function parseCommand(argv: string[]): Command {
  const [name, key, value, ...rest] = argv;
  const usage = new Error('usage: main.js set KEY VALUE | get KEY | del KEY | list [PREFIX] | watch [N]');
  if (rest.length) throw usage;
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

/** Runs one request command and prints what it returns. */
async function run(socket: NetlinkSocket, family: GenlFamily, cmd: Exclude<Command, { name: 'watch' }>): Promise<void> {
  const options = { timeout: REQUEST_TIMEOUT_MS };
  switch (cmd.name) {
    case 'set':
      await kv.set(socket, family, { key: cmd.key, value: cmd.value }, options);
      return;
    case 'del':
      await kv.del(socket, family, { key: cmd.key }, options);
      return;
    case 'get': {
      // TODO 3: Ask for the key with the "get" operation and print the reply on one line as
      // the same JSON object YNL's `cli.py --do get --output-json` prints. Read what ynl-gen
      // made of "get" in nlab_kv-ynl.ts (its request and reply types), and how that module
      // turns a reply into cli.py's JSON.
      const reply = await kv.get(socket, family, { key: cmd.key }, options);
      console.log(kv.toJson(reply));
      // STARTER: throw new Error('TODO 3: get');
      // END TODO
      return;
    }
    case 'list': {
      // TODO 4: Take the whole "list" dump, filtered by the prefix when the command line
      // gave one, and print it as one JSON array, the way cli.py --dump list prints it. The
      // generated module has a function for the dump once TODO 1 is in nlab_kv.yaml and
      // npm run ynl-gen has run again; read its request type and what it yields.
      const entries: kv.ListReply[] = [];
      for await (const entry of kv.list(socket, family, cmd.prefix === undefined ? {} : { prefix: cmd.prefix }, { timeout: REQUEST_TIMEOUT_MS * 10 })) entries.push(entry);
      console.log(kv.toJson(entries));
      // STARTER: throw new Error('TODO 4: list');
      // END TODO
      return;
    }
  }
}

/**
 * Prints notifications as JSON lines until `count` were seen, resyncing after lost ones and
 * following the family across a reload of its module.
 */
async function watch(count: number): Promise<void> {
  // TODO 5: Watch the spec's multicast group on a socket of its own, print "watching" on
  // stderr once it is joined, and print each notification as one line of the JSON cli.py
  // prints for it; skip what the spec does not describe. The generated module can join the
  // group by its name and decode what arrives once TODOs 1 and 2 are in nlab_kv.yaml and
  // npm run ynl-gen has run again. Keep lesson 10's two answers: to ENOBUFS (empty the
  // queue; "lost events (ENOBUFS); resync" on stderr, the whole store as `list` prints it
  // from a request socket of its own, "resync done" on stderr; go on watching), and to a
  // reload of the module (hear nlctrl's "notify" group on the same socket and hand its
  // messages to follow() below).
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
  // STARTER: throw new Error(`TODO 5: watch ${count}`);
  // END TODO
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
    console.error(`${cmd.name} failed: ${e.code}${e.extack.message ? `: ${e.extack.message}` : ''}`);
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
