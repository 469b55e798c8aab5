/* Baseline for the TypeScript client: the same netlink work with plain
 * blocking syscalls. Prints one JSON object.
 *
 *   nlbench roundtrip <count>   RTM_GETLINK for "lo" with NLM_F_ACK, reply + ACK
 *   nlbench dump <count>        full RTM_GETLINK dumps, counts messages
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "nlbench"
#include "bench.h"

static char buf[32768] __attribute__((aligned(4)));

struct req {
  struct nlmsghdr nh;
  struct ifinfomsg ifi;
  char attrs[16];
};

static size_t build(struct req *r, int dump, unsigned seq) {
  memset(r, 0, sizeof(*r));
  r->nh.nlmsg_type = RTM_GETLINK;
  r->nh.nlmsg_seq = seq;
  if (dump) {
    r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
    return r->nh.nlmsg_len;
  }
  r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  struct rtattr *a = (struct rtattr *)r->attrs;
  a->rta_type = IFLA_IFNAME;
  a->rta_len = RTA_LENGTH(3);
  memcpy(RTA_DATA(a), "lo", 3);
  r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)) + RTA_ALIGN(a->rta_len);
  return r->nh.nlmsg_len;
}

/* Receives until the exchange for `seq` ends; returns the data messages seen. */
static long exchange(int fd, unsigned seq) {
  long msgs = 0;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return msgs;
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(h);
        if (e->error) {
          errno = -e->error;
          die("netlink");
        }
        return msgs;
      }
      msgs++;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: nlbench roundtrip|dump <count>\n");
    return 2;
  }
  int dump = strcmp(argv[1], "dump") == 0;
  long count = atol(argv[2]);
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) die("bind");
  struct req r;
  long msgs = 0;
  unsigned seq = 0;
  double t0 = now();
  for (long i = 0; i < count; i++) {
    size_t len = build(&r, dump, ++seq);
    if (send(fd, &r, len, 0) < 0) die("send");
    msgs += exchange(fd, seq);
  }
  double dt = now() - t0;
  /* CPU time (user + system) as well: on a shared machine it moves far less than wall time. */
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("{\"mode\":\"%s\",\"count\":%ld,\"messages\":%ld,\"seconds\":%.6f,\"cpuSeconds\":%.6f}\n", argv[1], count, msgs, dt, cpu);
  close(fd);
  return 0;
}
