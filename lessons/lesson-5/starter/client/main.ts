// Netlink Lab, lesson 5: several requests in flight, answers matched by sequence number,
// sender and type.
//
//   node main.js [text]            sends NLAB_MSG_HELLO and NLAB_MSG_ECHO(text, default "ping")
//                                  in one sendmsg, and prints both answers in order
//   node main.js --type N [text]   sends one request of type N (try 31: an error ACK)
//
// Every request asks for an ACK (NLM_F_ACK) and has its own sequence number. A request
// is done when its ACK arrives: NLMSG_ERROR with error 0 after the answer, or an error
// ACK with a negative errno instead of the answer, which becomes a NetlinkError.
// The library's request() does all of this; here it is done by hand, once, to see it.
import { decodeErrorMessage, decodeMessages, NetlinkError, NLM_F, NLMSG, openSocket, type NetlinkSocket } from 'netlink-lab/client';

/** The module's netlink unit: NETLINK_NLAB in nlab_reply.c. */
const NETLINK_NLAB = 31;
/** Our message types, both ways (enum nlab_msg_type in nlab_reply.c). */
const NLAB_MSG_HELLO = 0x10;
const NLAB_MSG_ECHO = 0x11;
/** The module answers inside our sendmsg(), so answers and ACKs are queued before send() returns. */
const ANSWER_TIMEOUT_MS = 1000;
/**
 * What one receive holds, like a C client's fixed buffer: libmnl's MNL_SOCKET_BUFFER_SIZE,
 * the page size (4 KiB on x86-64). The kernel cuts a bigger datagram and says so (MSG_TRUNC).
 */
const RECEIVE_BUFFER_SIZE = 4096;

interface Request {
  type: number;
  payload: string;
}

/** Sends all `requests` in one datagram; returns their sequence numbers, in order. */
function sendRequests(socket: NetlinkSocket, requests: readonly Request[]): number[] {
  // TODO 2: Send both requests in one datagram. Each asks for an ACK and carries its own
  // sequence number, so that every answer and every ACK can be matched to its request; the
  // kernel knows your port without being told. Read NLM_F, socket.send() and
  // socket.nextSeq() in the client reference.
  const messages = requests.map((r) => ({ ...r, flags: NLM_F.REQUEST, seq: 0, pid: 0 }));
  socket.send(messages);
  return messages.map((m) => m.seq);
}

/**
 * Reads until the request `seq` of type `type` is done: returns the text of its answer
 * once its ACK arrived; throws a NetlinkError for an error ACK and an Error on a timeout.
 */
function awaitAnswer(socket: NetlinkSocket, seq: number, type: number): string {
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  let answer: string | undefined;
  for (;;) {
    const datagram = socket.receiveSync(Math.max(0, deadline - Date.now()), { bufferSize: RECEIVE_BUFFER_SIZE });
    if (!datagram) throw new Error(`no ${answer === undefined ? 'answer' : 'ACK'} for seq ${seq} within ${ANSWER_TIMEOUT_MS} ms`);
    // MSG_TRUNC: only the first RECEIVE_BUFFER_SIZE bytes arrived; the rest is gone, so
    // this is not a message to decode, let alone print.
    if (datagram.truncated) {
      throw new Error(`a ${datagram.port === 0 ? 'kernel' : `port ${datagram.port}`} datagram did not fit the ${RECEIVE_BUFFER_SIZE}-byte receive buffer (MSG_TRUNC)`);
    }
    for (const msg of decodeMessages(datagram.data)) {
      // TODO 3: Keep only what belongs to this request: a message from the kernel that
      // carries `seq` and is either its answer or its NLMSG_ERROR. Warn on stderr about
      // anything else and go on waiting. Ask yourself who else can write to your port, and
      // what else can carry your seq.
      if (msg.type === NLMSG.ERROR) {
        // TODO 4: Turn a failed request into an error the caller can name: decode the
        // NLMSG_ERROR and tell an ACK (errno 0) from a failure. The client reference
        // describes decodeErrorMessage() and NetlinkError.
        if (answer === undefined) throw new Error(`seq ${seq} was acknowledged, but no answer came before the ACK`);
        return answer;
      }
      const nul = msg.payload.indexOf(0);
      answer = msg.payload.toString('utf8', 0, nul < 0 ? msg.payload.length : nul);
    }
  }
}

function describe(type: number, text: string): string {
  if (type === NLAB_MSG_HELLO) return `Received message payload: ${text}`;
  if (type === NLAB_MSG_ECHO) return `Echo: ${text}`;
  return `Answer to type ${type}: ${text}`;
}

const args = process.argv.slice(2);
const requests: Request[] =
  args[0] === '--type'
    ? [{ type: Number(args[1]), payload: args[2] ?? 'Hello' }]
    : [
        { type: NLAB_MSG_HELLO, payload: 'Hello' },
        { type: NLAB_MSG_ECHO, payload: args[0] ?? 'ping' },
      ];

const socket = openSocket(NETLINK_NLAB);
try {
  const seqs = sendRequests(socket, requests);
  for (const [i, seq] of seqs.entries()) console.log(describe(requests[i]!.type, awaitAnswer(socket, seq, requests[i]!.type)));
} catch (e) {
  if (e instanceof NetlinkError) {
    console.error(`Error: ${e.code} (errno ${e.errno})${e.extack.message ? `: ${e.extack.message}` : ''}`);
  } else {
    console.error(`Error: ${(e as Error).message}`);
  }
  process.exitCode = 1;
} finally {
  socket.close();
}
