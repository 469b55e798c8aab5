// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink Lab, lesson 5: ACKs and sequence numbers.
 *
 * Lesson 4's module with a second request type: NLAB_MSG_ECHO answers with
 * the request's own text. Every answer echoes its request's nlmsg_seq, so a
 * sender with several requests in flight can tell the answers apart.
 *
 * The acknowledgements are netlink_rcv_skb()'s work, not ours: when the
 * handler returns 0 and the request has NLM_F_ACK, it follows our answer
 * with an NLMSG_ERROR carrying error 0 (an ACK); when the handler returns a
 * negative errno, it sends an NLMSG_ERROR with that errno, flag or no flag,
 * plus the extended ACK message set with NL_SET_ERR_MSG().
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
 * Types 0x00-0x0f are netlink's own control messages; a protocol's data
 * types start at NLMSG_MIN_TYPE. The client defines the same numbers.
 */
enum nlab_msg_type {
	NLAB_MSG_HELLO = NLMSG_MIN_TYPE,	/* answer: NLAB_GREETING */
	NLAB_MSG_ECHO,				/* answer: the request's text */
};

/* The greeting; sizeof() counts its NUL, which is sent too. */
#define NLAB_GREETING	"Hello from kernel"

static struct sock *nlab_sock;

/*
 * Answers @req, received in @in_skb, with one message of @type carrying the
 * @len bytes at @data. The answer echoes the request's nlmsg_seq and goes to
 * the port the kernel recorded for the sender, which its nlmsg_pid names,
 * as in the ACKs of netlink_ack().
 */
static int nlab_answer(const struct sk_buff *in_skb, const struct nlmsghdr *req,
		       u16 type, const void *data, size_t len)
{
	struct sk_buff *skb;
	struct nlmsghdr *nlh;

	skb = nlmsg_new(len, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;

	nlh = nlmsg_put(skb, NETLINK_CB(in_skb).portid, req->nlmsg_seq, type,
			len, 0);
	if (!nlh) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	memcpy(nlmsg_data(nlh), data, len);

	return nlmsg_unicast(nlab_sock, skb, NETLINK_CB(in_skb).portid);
}

/*
 * The request's text: logs it and returns its length without the NUL, or
 * -EINVAL (with an extended ACK message) if no NUL lies within the payload.
 */
static int nlab_text(const struct sk_buff *skb, const struct nlmsghdr *nlh,
		     struct netlink_ext_ack *extack)
{
	const char *text = nlmsg_data(nlh);
	int len = nlmsg_len(nlh);
	int n = strnlen(text, len);

	if (n == len) {
		NL_SET_ERR_MSG(extack, "the text must end with a NUL");
		return -EINVAL;
	}
	pr_info_ratelimited("port %u sent type %#x seq %u: \"%s\"\n",
			    NETLINK_CB(skb).portid, nlh->nlmsg_type,
			    nlh->nlmsg_seq, text);
	return n;
}

/*
 * Handles one request for netlink_rcv_skb(). Returns 0 when it answered:
 * netlink_rcv_skb() then sends an ACK if the sender asked for one. A
 * negative errno becomes an error ACK. The type is checked first, so an
 * unknown type is -EOPNOTSUPP whatever its payload.
 */
static int nlab_rcv_msg(struct sk_buff *skb, struct nlmsghdr *nlh,
			struct netlink_ext_ack *extack)
{
	int len;

	switch (nlh->nlmsg_type) {
	case NLAB_MSG_HELLO:
		len = nlab_text(skb, nlh, extack);
		if (len < 0)
			return len;
		return nlab_answer(skb, nlh, NLAB_MSG_HELLO, NLAB_GREETING,
				   sizeof(NLAB_GREETING));
	/*
	 * TODO 1: Answer NLAB_MSG_ECHO with the request's own text, NUL
	 * included, in a message of the same type; refuse a text that is not a
	 * C string, as lesson 4 does. The helpers above this function do each
	 * half.
	 */
	case NLAB_MSG_ECHO:
		len = nlab_text(skb, nlh, extack);
		if (len < 0)
			return len;
		return nlab_answer(skb, nlh, NLAB_MSG_ECHO, nlmsg_data(nlh),
				   len + 1);
	/* END TODO */
	default:
		NL_SET_ERR_MSG(extack, "unknown message type");
		return -EOPNOTSUPP;
	}
}

/*
 * Called by netlink_unicast(), in the sender's context, for every datagram a
 * process sends to the kernel on NETLINK_NLAB. netlink_rcv_skb() walks its
 * messages, checks their lengths, skips control messages and sends the
 * ACKs; the skb belongs to netlink, which frees it when this returns.
 */
static void nlab_input(struct sk_buff *skb)
{
	netlink_rcv_skb(skb, nlab_rcv_msg);
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
MODULE_DESCRIPTION("Netlink Lab lesson 5: greets and echoes on netlink unit 31, with ACKs");
