// Netlink Lab, lesson 3: say "Hello" to the module and print its answer.
//
// The article's user program, step for step: socket(), bind() to the process
// id, sendmsg() to the kernel, a blocking recvmsg(), print, close().
import { decodeMessages, NLM_F, openSocket, type Datagram, type NetlinkSocket } from 'netlink-lab/client';

/** The module's netlink unit: NETLINK_NLAB in nlab_reply.c. */
const NETLINK_NLAB = 31;
/** Our message type, both ways. 0x00–0x0f are netlink's own control messages; data types start at 0x10. */
const NLAB_MSG_HELLO = 0x10;
/** The module answers inside our sendmsg(), so the answer is queued before send() returns; 1 s is generous. */
const ANSWER_TIMEOUT_MS = 1000;

function openNlab(): NetlinkSocket {
  return openSocket(NETLINK_NLAB, { port: process.pid });
}

/** Sends "Hello" and returns the sequence number the answer will echo. */
function sendHello(socket: NetlinkSocket): number {
  const seq = socket.nextSeq();
  socket.send({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq, pid: socket.port, payload: 'Hello' });
  return seq;
}

function receiveAnswer(socket: NetlinkSocket): Datagram | null {
  // TODO 3: Wait for the answer, but not forever: at most ANSWER_TIMEOUT_MS. Find the
  // blocking receive of NetlinkSocket in the client reference, and what it returns when the
  // time is up.
  return socket.receiveSync(ANSWER_TIMEOUT_MS);
  // STARTER: return null;
  // END TODO
}

/** The greeting in `answer`: checks where it came from and what it is, returns its text. */
function greetingOf(answer: Datagram, seq: number): string {
  // TODO 4: Trust the datagram only if it is the answer you asked for: it came from the
  // kernel, and its first message has your type and echoes `seq`. Then return its text as a
  // person reads it (the module sends a C string). The client reference describes Datagram
  // and decodeMessages().
  if (answer.port !== 0) throw new Error(`the answer came from port ${answer.port}, not from the kernel`);
  const [msg] = decodeMessages(answer.data);
  if (!msg || msg.type !== NLAB_MSG_HELLO || msg.seq !== seq) {
    throw new Error(`unexpected answer: type ${msg?.type ?? 'none'}, seq ${msg?.seq ?? 'none'} (wanted ${NLAB_MSG_HELLO}, ${seq})`);
  }
  const nul = msg.payload.indexOf(0);
  return msg.payload.toString('utf8', 0, nul < 0 ? msg.payload.length : nul);
  // STARTER: throw new Error('TODO 4: decode the answer');
  // END TODO
}

const socket = openNlab();
try {
  console.log('Sending message to kernel');
  const seq = sendHello(socket);
  console.log('Waiting for message from kernel');
  const answer = receiveAnswer(socket);
  if (answer) {
    console.log(`Received message payload: ${greetingOf(answer, seq)}`);
  } else {
    console.error(`No answer within ${ANSWER_TIMEOUT_MS} ms`);
    process.exitCode = 1;
  }
} finally {
  socket.close();
}
