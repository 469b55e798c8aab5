// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink Lab, lesson 2: the kernel's end of a netlink socket.
 *
 * The module opens a kernel socket on its own classic netlink unit and logs
 * every message a process sends to it. It does not answer yet; that is
 * lesson 3.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

/*
 * Classic netlink units are a small global table (MAX_LINKS is 32) and 31
 * is unused in mainline. Processes name the unit in socket(2), so it is ABI.
 */
#define NETLINK_NLAB	31

static struct sock *nlab_sock;

/*
 * Called by netlink_unicast(), in the sender's context, for every datagram a
 * process sends to the kernel on NETLINK_NLAB. The skb belongs to netlink,
 * which frees it when this function returns.
 */
static void nlab_input(struct sk_buff *skb)
{
	/*
	 * TODO 1: Take the first message with nlmsg_hdr(), drop the datagram if
	 * nlmsg_ok() says it is not a whole message, and log its payload
	 * (nlmsg_data(), at most nlmsg_len() bytes) and the sender's port
	 * (NETLINK_CB(skb).portid) with pr_info().
	 */
	const struct nlmsghdr *nlh = nlmsg_hdr(skb);

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
	/* END TODO */
}

static int __init nlab_unit_init(void)
{
	struct netlink_kernel_cfg cfg = {
		.input	= nlab_input,
	};

	/*
	 * TODO 2: Create the kernel socket on NETLINK_NLAB in &init_net with
	 * netlink_kernel_create(), passing &cfg. It returns NULL when the unit
	 * is already taken: log why and fail with -EBUSY.
	 */
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
	/* STARTER: (void)cfg; */
	/* STARTER: nlab_sock = NULL; */
	/* END TODO */
	return 0;
}

static void __exit nlab_unit_exit(void)
{
	/*
	 * TODO 3: Release the kernel socket with netlink_kernel_release(), or
	 * the unit stays taken and its .input points into freed module memory.
	 */
	netlink_kernel_release(nlab_sock);
	/* END TODO */
	pr_info("unloaded\n");
}

module_init(nlab_unit_init);
module_exit(nlab_unit_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Netlink Lab lesson 2: a kernel socket on netlink unit 31 that logs what arrives");
