/* The C side of the guest netlink benchmark (grader/src/netbench/): the same work as the
 * TypeScript client, with plain syscalls, against the lesson modules in the guest.
 * Prints one JSON object.
 *
 *   nlguest raw  <count> <batch>             unit 31 (lesson 5): NLAB_MSG_ECHO "bench" with
 *                                            NLM_F_ACK; waits for the answer and the ACK
 *   nlguest genl <count> <batch> <family-id> nlab_kv (lesson 8): NLAB_CMD_GET "bench" with
 *                                            NLM_F_ACK; waits for the answer and the ACK
 *   nlguest dump <count> <family-id>         nlab_kv (lesson 9): NLAB_CMD_LIST dumps, counts
 *                                            the entries
 *
 * With batch > 1, <batch> requests go in one sendmsg() and answers are read with
 * recvmmsg() (up to 64 datagrams per call).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "nlguest"
#include "bench.h"

#define NLAB_UNIT 31
#define NLAB_MSG_ECHO 0x11
#define NLAB_CMD_GET 2
#define NLAB_CMD_LIST 4
#define NLAB_A_KEY 1
#define KEY "bench"
#define MAX_BATCH 256
#define VLEN 64
#define RCVBUF 32768

static char rbuf[VLEN][RCVBUF] __attribute__((aligned(4)));
static char sbuf[MAX_BATCH * 64] __attribute__((aligned(4)));

/* One request at p: raw ECHO "bench\0", or genl GET/LIST with KEY "bench". Returns its length. */
static size_t put_request(char *p, int genl, int family, int cmd, unsigned flags, unsigned seq) {
  struct nlmsghdr *nh = (struct nlmsghdr *)p;
  memset(p, 0, 64);
  nh->nlmsg_flags = flags;
  nh->nlmsg_seq = seq;
  char *body = (char *)NLMSG_DATA(nh);
  size_t len;
  if (!genl) {
    nh->nlmsg_type = NLAB_MSG_ECHO;
    memcpy(body, KEY, sizeof(KEY));
    len = sizeof(KEY);
  } else {
    nh->nlmsg_type = family;
    struct genlmsghdr *g = (struct genlmsghdr *)body;
    g->cmd = cmd;
    g->version = 1;
    len = GENL_HDRLEN;
    if (cmd == NLAB_CMD_GET) {
      struct nlattr *a = (struct nlattr *)(body + len);
      a->nla_type = NLAB_A_KEY;
      a->nla_len = NLA_HDRLEN + sizeof(KEY);
      memcpy((char *)a + NLA_HDRLEN, KEY, sizeof(KEY));
      len += NLA_ALIGN(a->nla_len);
    }
  }
  nh->nlmsg_len = NLMSG_LENGTH(len);
  return NLMSG_ALIGN(nh->nlmsg_len);
}

/* Reads until `want` exchanges have ended (ACK or NLMSG_DONE); returns the data messages seen. */
static long drain(int fd, long want) {
  struct mmsghdr msgs[VLEN];
  struct iovec iov[VLEN];
  long done = 0, data = 0;
  while (done < want) {
    for (int i = 0; i < VLEN; i++) {
      iov[i] = (struct iovec){rbuf[i], RCVBUF};
      msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
    }
    int n = want == 1 ? (int)(msgs[0].msg_len = recv(fd, rbuf[0], RCVBUF, 0), msgs[0].msg_len == (unsigned)-1 ? -1 : 1)
                      : recvmmsg(fd, msgs, VLEN, MSG_WAITFORONE, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    for (int i = 0; i < n; i++) {
      int len = msgs[i].msg_len;
      for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf[i]; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_type == NLMSG_DONE) {
          done++;
        } else if (h->nlmsg_type == NLMSG_ERROR) {
          struct nlmsgerr *e = NLMSG_DATA(h);
          if (e->error) {
            errno = -e->error;
            die("netlink");
          }
          done++;
        } else {
          data++;
        }
      }
    }
  }
  return data;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: nlguest raw COUNT BATCH | genl COUNT BATCH FAMILY | dump COUNT FAMILY\n");
    return 2;
  }
  const char *mode = argv[1];
  int raw = strcmp(mode, "raw") == 0, dump = strcmp(mode, "dump") == 0;
  long count = atol(argv[2]);
  int batch = dump ? 1 : atoi(argv[3]);
  int family = dump ? atoi(argv[3]) : raw ? 0 : atoi(argv[4]);
  if (batch < 1 || batch > MAX_BATCH) batch = 1;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, raw ? NLAB_UNIT : NETLINK_GENERIC);
  if (fd < 0) die("socket");
  int rcv = 1 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) die("bind");
  unsigned seq = 0;
  long messages = 0;
  double t0 = now();
  for (long i = 0; i < count; i += batch) {
    int k = count - i < batch ? (int)(count - i) : batch;
    size_t len = 0;
    for (int j = 0; j < k; j++)
      len += dump ? put_request(sbuf + len, 1, family, NLAB_CMD_LIST, NLM_F_REQUEST | NLM_F_DUMP, ++seq)
                  : put_request(sbuf + len, !raw, family, NLAB_CMD_GET, NLM_F_REQUEST | NLM_F_ACK, ++seq);
    if (send(fd, sbuf, len, 0) < 0) die("send");
    messages += drain(fd, k);
  }
  double dt = now() - t0;
  printf("{\"mode\":\"%s\",\"count\":%ld,\"batch\":%d,\"messages\":%ld,\"seconds\":%.6f}\n", mode, count, batch, messages, dt);
  close(fd);
  return 0;
}
