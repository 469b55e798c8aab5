// Netlink Lab, lesson 2: send "Hello" to the module on netlink unit 31.
//
// The same steps as the article's user program: socket(), bind() to the
// process id, sendmsg() to the kernel (port 0). The module only logs what it
// gets; it answers in lesson 3.
import { NLM_F, openSocket, type NetlinkSocket } from 'netlink-lab/client';

/** The module's netlink unit: NETLINK_NLAB in nlab_unit.c. */
const NETLINK_NLAB = 31;
/** Our message type. 0x00–0x0f are netlink's own control messages; data types start at 0x10. */
const NLAB_MSG_HELLO = 0x10;

function openNlab(): NetlinkSocket {
  // TODO 4: Open a netlink socket on NETLINK_NLAB with openSocket(), bound to
  // port process.pid as the article's bind(getpid()) does ({ port } binds it).
  return openSocket(NETLINK_NLAB, { port: process.pid });
  // STARTER: throw new Error('TODO 4: open a socket on NETLINK_NLAB');
  // END TODO
}

function sendHello(socket: NetlinkSocket): void {
  // TODO 5: Send one message to the kernel with socket.send(): type NLAB_MSG_HELLO,
  // flags NLM_F.REQUEST, a sequence number from socket.nextSeq(), your own port
  // (socket.port) as pid, and the payload 'Hello' (a string goes out NUL-terminated).
  socket.send({ type: NLAB_MSG_HELLO, flags: NLM_F.REQUEST, seq: socket.nextSeq(), pid: socket.port, payload: 'Hello' });
  // END TODO
}

const socket = openNlab();
try {
  console.log('Sending message to kernel');
  sendHello(socket);
} finally {
  socket.close();
}
