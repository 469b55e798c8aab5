// Netlink Lab, lesson 4: say "Hello" to the module and print its answer, trusting nothing.
//
// Lesson 3's client, minus the article's assumptions: the kernel picks our port
// (autobind) instead of getpid(), nlmsg_pid is left 0, and the answer is checked
// for its sender, truncation, type and sequence number before it is printed. An
// error ACK (the module refused the request) is reported with its errno.
import { decodeErrorMessage, decodeMessages, NetlinkError, NLM_F, NLMSG, openSocket, type Datagram, type NetlinkSocket } from 'netlink-lab/client';

/** The module's netlink unit: NETLINK_NLAB in nlab_reply.c. */
const NETLINK_NLAB = 31;
/** Our message type, both ways. 0x00–0x0f are netlink's own control messages; data types start at 0x10. */
const NLAB_MSG_HELLO = 0x10;
/** The module answers inside our sendmsg(), so the answer is queued before send() returns; 1 s is generous. */
const ANSWER_TIMEOUT_MS = 1000;

function openNlab(): NetlinkSocket {
  // TODO 4: Do not claim a port that may already be taken: let the kernel choose one, and
  // use the one it gave you. The client reference says how openSocket() binds and where a
  // socket's port can be read.
  return openSocket(NETLINK_NLAB, { port: process.pid });
}

/** Sends "Hello" and returns the sequence number the answer will echo. */
function sendHello(socket: NetlinkSocket): number {
  const seq = socket.nextSeq();
  // nlmsg_pid 0: a fixed module answers the port the kernel recorded, not this field.
  socket.send({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq, pid: 0, payload: 'Hello' });
  return seq;
}

/** The greeting in `answer`: checks where it came from and what it is, returns its text. */
function greetingOf(answer: Datagram, seq: number): string {
  if (answer.port !== 0) throw new Error(`the answer came from port ${answer.port}, not from the kernel`);
  // MSG_TRUNC: the datagram was bigger than the buffer; what we have is not the whole answer.
  if (answer.truncated) throw new Error('the answer was truncated');
  const [msg] = decodeMessages(answer.data);
  // NLMSG_ERROR: netlink_rcv_skb() refused the request and says why (errno, extack).
  if (msg?.type === NLMSG.ERROR && msg.seq === seq) {
    const report = decodeErrorMessage(msg);
    throw new NetlinkError(report.errno, report.extack, report.request);
  }
  if (!msg || msg.type !== NLAB_MSG_HELLO || msg.seq !== seq) {
    throw new Error(`unexpected answer: type ${msg?.type ?? 'none'}, seq ${msg?.seq ?? 'none'} (wanted ${NLAB_MSG_HELLO}, ${seq})`);
  }
  const nul = msg.payload.indexOf(0);
  return msg.payload.toString('utf8', 0, nul < 0 ? msg.payload.length : nul);
}

const socket = openNlab();
try {
  console.log(`Sending message to kernel from port ${socket.port}`);
  const seq = sendHello(socket);
  console.log('Waiting for message from kernel');
  const answer = socket.receiveSync(ANSWER_TIMEOUT_MS);
  if (answer) {
    console.log(`Received message payload: ${greetingOf(answer, seq)}`);
  } else {
    console.error(`No answer within ${ANSWER_TIMEOUT_MS} ms`);
    process.exitCode = 1;
  }
} catch (e) {
  // A NetlinkError names the errno (e.code, e.g. EINVAL) and carries the module's extack message.
  if (e instanceof NetlinkError) console.error(`Error: ${e.code} (errno ${e.errno})${e.extack.message ? `: ${e.extack.message}` : ''}`);
  else console.error(`Error: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  socket.close();
}
