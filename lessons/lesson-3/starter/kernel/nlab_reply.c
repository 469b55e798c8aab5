// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink Lab, lesson 3: the round trip.
 *
 * The lesson 2 module, grown an answer: for every message a process sends on
 * NETLINK_NLAB it logs the text and answers with one NLAB_MSG_HELLO message
 * that carries "Hello from kernel".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

/*
 * Classic netlink units are a small global table (MAX_LINKS is 32) and 31
 * is unused in mainline. Processes name the unit in socket(2), so it is ABI.
 */
#define NETLINK_NLAB	31

/*
 * Types 0x00-0x0f are netlink's own control messages (NLMSG_NOOP,
 * NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN); a protocol's data types start at
 * NLMSG_MIN_TYPE. The client defines the same number.
 */
#define NLAB_MSG_HELLO	NLMSG_MIN_TYPE

/* The answer's text; sizeof() counts its NUL, which is sent too. */
#define NLAB_GREETING	"Hello from kernel"

static struct sock *nlab_sock;

/*
 * Answers @req with one NLAB_MSG_HELLO message carrying NLAB_GREETING.
 *
 * The answer goes to the port the sender wrote in req->nlmsg_pid, as in the
 * article. That field is the sender's claim, not a fact: a sender that leaves
 * it 0 makes the module answer its own kernel socket, which calls
 * nlab_input() again with the answer, and again, until the kernel stack
 * overflows. Lesson 4 shows it and answers NETLINK_CB(skb).portid instead.
 */
static int nlab_answer(const struct nlmsghdr *req)
{
	/*
	 * TODO 1: Build the answer: a new netlink message whose header says
	 * what it is and which request it answers, with the greeting (NUL
	 * included) as its payload. Read nlmsg_new(), nlmsg_put() and
	 * nlmsg_data() in include/net/netlink.h: which size nlmsg_new() wants,
	 * which header field each argument of nlmsg_put() becomes, and what
	 * happens to the skb when nlmsg_put() fails.
	 */

	/*
	 * TODO 2: Send the answer back to the process that asked, as the
	 * article does: the request's header says which port that is. Read
	 * nlmsg_unicast() in include/net/netlink.h: what it returns, and who
	 * owns the skb afterwards.
	 */
	return -EOPNOTSUPP;
}

/*
 * Called by netlink_unicast(), in the sender's context, for every datagram a
 * process sends to the kernel on NETLINK_NLAB. The skb belongs to netlink,
 * which frees it when this function returns.
 */
static void nlab_input(struct sk_buff *skb)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(skb);
	int err;

	if (!nlmsg_ok(nlh, skb->len)) {
		pr_warn("dropped a malformed datagram of %u bytes\n", skb->len);
		return;
	}

	/*
	 * The payload is not trusted to be NUL-terminated: print at most the
	 * bytes the header says are there.
	 */
	pr_info("port %u sent \"%.*s\"\n", NETLINK_CB(skb).portid,
		nlmsg_len(nlh), (const char *)nlmsg_data(nlh));

	err = nlab_answer(nlh);
	if (err)
		pr_warn("no answer for port %u: %d\n", nlh->nlmsg_pid, err);
}

static int __init nlab_reply_init(void)
{
	struct netlink_kernel_cfg cfg = {
		.input	= nlab_input,
	};

	nlab_sock = netlink_kernel_create(&init_net, NETLINK_NLAB, &cfg);
	if (!nlab_sock) {
		/*
		 * NULL almost always means another module holds the unit;
		 * -EBUSY makes insmod say "Device or resource busy".
		 */
		pr_err("cannot create a socket on netlink unit %d: is it taken?\n",
		       NETLINK_NLAB);
		return -EBUSY;
	}

	pr_info("listening on netlink unit %d\n", NETLINK_NLAB);
	return 0;
}

static void __exit nlab_reply_exit(void)
{
	netlink_kernel_release(nlab_sock);
	pr_info("unloaded\n");
}

module_init(nlab_reply_init);
module_exit(nlab_reply_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Netlink Lab lesson 3: answers every message on netlink unit 31 with a greeting");
