// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink Lab, lesson 4: don't trust the header.
 *
 * Lesson 3's module, hardened. Everything a sender writes is a claim; the
 * module believes only what the kernel itself records:
 *
 *  - the answer goes to NETLINK_CB(skb).portid, the port the kernel saw the
 *    datagram come from, never to the nlmsg_pid the sender wrote;
 *  - netlink_rcv_skb() walks every message of the datagram, checks each
 *    nlmsg_len against what arrived, skips control types and messages that
 *    are not requests, and turns a handler's error into an error ACK;
 *  - a text payload must carry its NUL within nlmsg_len, or it is refused.
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
 * Answers @req, received in @in_skb, with one NLAB_MSG_HELLO message that
 * carries NLAB_GREETING.
 */
static int nlab_answer(const struct sk_buff *in_skb, const struct nlmsghdr *req)
{
	struct sk_buff *skb;
	struct nlmsghdr *nlh;
	u32 portid;

	skb = nlmsg_new(sizeof(NLAB_GREETING), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;

	nlh = nlmsg_put(skb, 0, req->nlmsg_seq, NLAB_MSG_HELLO,
			sizeof(NLAB_GREETING), 0);
	if (!nlh) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	memcpy(nlmsg_data(nlh), NLAB_GREETING, sizeof(NLAB_GREETING));

	/*
	 * TODO 1: Answer the sender's real port, the one the kernel recorded
	 * when the datagram was sent, not the one the sender wrote into its
	 * header. Read struct netlink_skb_parms and NETLINK_CB() in
	 * include/linux/netlink.h, and work out what a request with nlmsg_pid 0
	 * would make this module do.
	 */
	portid = req->nlmsg_pid;

	return nlmsg_unicast(nlab_sock, skb, portid);
}

/*
 * Handles one message for netlink_rcv_skb(), which has already checked that
 * the header and nlmsg_len bytes are there, that it is a request
 * (NLM_F_REQUEST) and that its type is not a control type. Returning a
 * negative errno makes netlink_rcv_skb() send the sender an NLMSG_ERROR
 * with it; 0 sends nothing more unless the sender asked for an ACK.
 */
static int nlab_rcv_msg(struct sk_buff *skb, struct nlmsghdr *nlh,
			struct netlink_ext_ack *extack)
{
	const char *text = nlmsg_data(nlh);
	int len = nlmsg_len(nlh);
	int err;

	if (nlh->nlmsg_type != NLAB_MSG_HELLO) {
		NL_SET_ERR_MSG(extack, "unknown message type");
		return -EOPNOTSUPP;
	}

	/*
	 * TODO 2: Refuse a payload that is not a C string within the bytes the
	 * header declares: nothing may be read past them. Fail with a real
	 * -errno and tell the sender why in the extended ACK. Read nlmsg_len(),
	 * strnlen() and NL_SET_ERR_MSG() (include/linux/netlink.h).
	 */

	/* Bounded even so: %.*s stops at nlmsg_len bytes or at the NUL. */
	pr_info_ratelimited("port %u sent \"%.*s\"\n", NETLINK_CB(skb).portid,
			    len, text);

	err = nlab_answer(skb, nlh);
	if (err)
		pr_warn_ratelimited("no answer for port %u: %d\n",
				    NETLINK_CB(skb).portid, err);
	return err;
}

/*
 * Called by netlink_unicast(), in the sender's context, for every datagram a
 * process sends to the kernel on NETLINK_NLAB. The skb belongs to netlink,
 * which frees it when this function returns.
 */
static void nlab_input(struct sk_buff *skb)
{
	/*
	 * TODO 3: Handle every message of the datagram, not just the first, and
	 * let the core check each length and skip control messages. Read
	 * netlink_rcv_skb() in net/netlink/af_netlink.c: which callback it
	 * wants, and what it does with the callback's return value.
	 */
	if (!nlmsg_ok(nlmsg_hdr(skb), skb->len)) {
		pr_warn("dropped a malformed datagram of %u bytes\n", skb->len);
		return;
	}
	nlab_rcv_msg(skb, nlmsg_hdr(skb), NULL);
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
MODULE_DESCRIPTION("Netlink Lab lesson 4: answers greetings on netlink unit 31 without trusting the header");
