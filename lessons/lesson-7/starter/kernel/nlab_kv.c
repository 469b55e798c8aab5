// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink Lab, lesson 7: extended ACK.
 *
 * The key-value store of lesson 6, nlab_kv, on netlink unit 31:
 *
 *   NLAB_MSG_SET  KEY, VALUE [, FLAGS]  store VALUE under KEY
 *   NLAB_MSG_GET  KEY                   answer NLAB_MSG_VALUE with KEY, VALUE
 *   NLAB_MSG_DEL  KEY                   forget KEY
 *
 * An errno alone says little: -EINVAL could be any of a dozen mistakes. So
 * every failure also explains itself through the extended ACK (struct
 * netlink_ext_ack): a short message, and either the offending attribute,
 * which netlink_ack() turns into its offset in the request
 * (NLMSGERR_ATTR_OFFS), or the type of an attribute that should have been
 * there and was not (NLMSGERR_ATTR_MISS_TYPE). Senders that set
 * NETLINK_EXT_ACK on their socket receive these as TLVs after the error.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/overflow.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

/* Classic netlink unit, as in the earlier lessons; processes name it in socket(2). */
#define NETLINK_NLAB	31

/*
 * Message types. 0x00-0x0f are netlink's control messages, so a protocol's
 * own types start at NLMSG_MIN_TYPE. The client defines the same numbers.
 */
enum {
	NLAB_MSG_SET = NLMSG_MIN_TYPE,
	NLAB_MSG_GET,
	NLAB_MSG_DEL,
	NLAB_MSG_VALUE,		/* the answer to NLAB_MSG_GET */
};

/*
 * Attribute types. Type 0 is never used: a zeroed attribute header must not
 * look like a valid attribute, and strict parsing rejects it.
 */
enum {
	NLAB_A_UNSPEC,
	NLAB_A_KEY,		/* NUL-terminated string, at most NLAB_KEY_SIZE bytes */
	NLAB_A_VALUE,		/* binary, at most NLAB_VALUE_MAX bytes */
	NLAB_A_FLAGS,		/* u32, NLAB_F_* bits; SET only */

	__NLAB_A_MAX,
	NLAB_A_MAX = __NLAB_A_MAX - 1
};

/* SET fails with -EEXIST instead of replacing an existing value. */
#define NLAB_F_EXCL	0x1

/* A key's size with its NUL: 63 characters fit. */
#define NLAB_KEY_SIZE	64
#define NLAB_VALUE_MAX	1024
/* Bounds the memory any local user can pin in the kernel through us. */
#define NLAB_MAX_KEYS	1024

/*
 * The shape of each attribute. nlmsg_parse() enforces it and, when it fails,
 * reports the attribute and the policy entry through the extended ACK with
 * the kernel's own wording, so there is nothing to add here.
 */
static const struct nla_policy nlab_kv_policy[NLAB_A_MAX + 1] = {
	[NLAB_A_KEY]	= { .type = NLA_NUL_STRING, .len = NLAB_KEY_SIZE - 1 },
	[NLAB_A_VALUE]	= { .type = NLA_BINARY, .len = NLAB_VALUE_MAX },
	[NLAB_A_FLAGS]	= NLA_POLICY_MASK(NLA_U32, NLAB_F_EXCL),
};

struct nlab_kv_entry {
	struct list_head node;
	char key[NLAB_KEY_SIZE];
	size_t len;
	u8 value[];
};

static struct sock *nlab_sock;

/* The store: a short list is enough for a lesson; nlab_kv_lock guards both. */
static LIST_HEAD(nlab_kv_entries);
static unsigned int nlab_kv_count;
static DEFINE_MUTEX(nlab_kv_lock);

static struct nlab_kv_entry *nlab_kv_find(const char *key)
{
	struct nlab_kv_entry *e;

	lockdep_assert_held(&nlab_kv_lock);
	list_for_each_entry(e, &nlab_kv_entries, node)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

/*
 * Checks @nlh's attributes against nlab_kv_policy and fills @tb, indexed by
 * attribute type; absent attributes are NULL.
 */
static int nlab_kv_parse(const struct nlmsghdr *nlh, struct nlattr **tb,
			 struct netlink_ext_ack *extack)
{
	/*
	 * TODO 1: Let the policy checks explain their own failures to the
	 * sender: a message, the attribute at fault and the policy entry it
	 * broke. Read what nlmsg_parse() does with its last argument
	 * (lib/nlattr.c).
	 */
	return nlmsg_parse(nlh, 0, tb, NLAB_A_MAX, nlab_kv_policy, NULL);
}

/*
 * Finds the entry that KEY names. A miss is the sender's mistake, so it is
 * reported against that attribute, not as a bare -ENOENT.
 */
static struct nlab_kv_entry *nlab_kv_lookup(struct nlattr **tb,
					    struct netlink_ext_ack *extack)
{
	struct nlab_kv_entry *e;

	e = nlab_kv_find(nla_data(tb[NLAB_A_KEY]));
	if (!e) {
		/*
		 * TODO 2: Explain the miss to the sender: the message "no such
		 * key", and the attribute it is about, so that the client can
		 * name it. Read the NL_SET_ERR_MSG*() macros in
		 * include/linux/netlink.h: which one takes an attribute, and
		 * what it records of it.
		 */
	}
	return e;
}

static int nlab_kv_set(struct nlattr **tb, struct netlink_ext_ack *extack)
{
	u32 flags = tb[NLAB_A_FLAGS] ? nla_get_u32(tb[NLAB_A_FLAGS]) : 0;
	struct nlab_kv_entry *e, *old;
	size_t len;
	int err = 0;

	/* Allocate before locking: GFP_KERNEL may sleep, and we may fail early. */
	len = nla_len(tb[NLAB_A_VALUE]);
	e = kmalloc(struct_size(e, value, len), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->len = len;
	/* The policy guarantees a NUL within NLAB_KEY_SIZE bytes. */
	nla_strscpy(e->key, tb[NLAB_A_KEY], sizeof(e->key));
	nla_memcpy(e->value, tb[NLAB_A_VALUE], len);

	mutex_lock(&nlab_kv_lock);
	old = nlab_kv_find(e->key);
	if (old && (flags & NLAB_F_EXCL)) {
		/*
		 * TODO 3: The sender asked not to replace a value: explain the
		 * refusal the same way, with "key exists" and the attribute at
		 * fault.
		 */
		err = -EEXIST;
		goto unlock;
	}
	if (!old && nlab_kv_count >= NLAB_MAX_KEYS) {
		/*
		 * TODO 4: Explain "store is full" to the sender. No attribute
		 * is at fault here: pick the macro that says so.
		 */
		err = -ENOSPC;
		goto unlock;
	}
	if (old) {
		list_replace(&old->node, &e->node);
	} else {
		list_add_tail(&e->node, &nlab_kv_entries);
		nlab_kv_count++;
	}
	e = old;	/* what is left to free: the replaced entry, or nothing */
unlock:
	mutex_unlock(&nlab_kv_lock);
	kfree(e);
	return err;
}

static int nlab_kv_del(struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct nlab_kv_entry *e;

	mutex_lock(&nlab_kv_lock);
	e = nlab_kv_lookup(tb, extack);
	if (e) {
		list_del(&e->node);
		nlab_kv_count--;
	}
	mutex_unlock(&nlab_kv_lock);

	if (!e)
		return -ENOENT;
	kfree(e);
	return 0;
}

/* Adds @e's key and value to @skb as attributes, each padded to 4 bytes. */
static int nlab_kv_fill(struct sk_buff *skb, const struct nlab_kv_entry *e)
{
	if (nla_put_string(skb, NLAB_A_KEY, e->key) ||
	    nla_put(skb, NLAB_A_VALUE, e->len, e->value))
		return -EMSGSIZE;
	return 0;
}

/*
 * Answers a GET with one NLAB_MSG_VALUE message to the sender's port, the one
 * the kernel recorded in NETLINK_CB(skb), never the header's nlmsg_pid.
 */
static int nlab_kv_get(struct sk_buff *skb, const struct nlmsghdr *nlh,
		       struct nlattr **tb, struct netlink_ext_ack *extack)
{
	const struct nlab_kv_entry *e;
	struct nlmsghdr *rnlh;
	struct sk_buff *rskb;
	int err;

	mutex_lock(&nlab_kv_lock);
	e = nlab_kv_lookup(tb, extack);
	if (!e) {
		err = -ENOENT;
		goto unlock;
	}

	rskb = nlmsg_new(nla_total_size(strlen(e->key) + 1) +
			 nla_total_size(e->len), GFP_KERNEL);
	if (!rskb) {
		err = -ENOMEM;
		goto unlock;
	}
	/* nlmsg_pid names the requester, as in netlink_ack()'s ACKs. */
	rnlh = nlmsg_put(rskb, NETLINK_CB(skb).portid, nlh->nlmsg_seq,
			 NLAB_MSG_VALUE, 0, 0);
	if (!rnlh) {
		err = -EMSGSIZE;
		goto free_skb;
	}
	err = nlab_kv_fill(rskb, e);
	if (err)
		goto free_skb;
	mutex_unlock(&nlab_kv_lock);

	nlmsg_end(rskb, rnlh);
	/* Sent before we return, so the reply arrives ahead of the ACK. */
	return nlmsg_unicast(nlab_sock, rskb, NETLINK_CB(skb).portid);

free_skb:
	nlmsg_free(rskb);
unlock:
	mutex_unlock(&nlab_kv_lock);
	return err;
}

/*
 * Every request names a key, and SET also carries a value. Checked once,
 * here, so the handlers may use both without looking.
 */
static int nlab_kv_require(const struct nlmsghdr *nlh, struct nlattr **tb,
			   struct netlink_ext_ack *extack)
{
	/*
	 * TODO 5: Refuse a request that lacks an attribute its type needs (KEY
	 * always, VALUE for NLAB_MSG_SET) with -EINVAL, in a way that tells the
	 * sender which type is missing. Read NL_REQ_ATTR_CHECK() in
	 * include/linux/netlink.h and NLMSGERR_ATTR_MISS_TYPE in
	 * include/uapi/linux/netlink.h.
	 */
	if (!tb[NLAB_A_KEY])
		return -EINVAL;
	if (nlh->nlmsg_type == NLAB_MSG_SET && !tb[NLAB_A_VALUE])
		return -EINVAL;
	return 0;
}

/*
 * Called by netlink_rcv_skb() once per request in the datagram. Returning 0
 * lets it send an ACK if the request asked for one; a -errno becomes an
 * error ACK, always, with whatever we put in @extack.
 */
static int nlab_kv_rcv_msg(struct sk_buff *skb, struct nlmsghdr *nlh,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NLAB_A_MAX + 1];
	int err;

	/* Reject unknown types before looking at attributes we cannot interpret. */
	switch (nlh->nlmsg_type) {
	case NLAB_MSG_SET:
	case NLAB_MSG_GET:
	case NLAB_MSG_DEL:
		break;
	default:
		NL_SET_ERR_MSG(extack, "unknown message type");
		return -EOPNOTSUPP;
	}

	err = nlab_kv_parse(nlh, tb, extack);
	if (err)
		return err;
	err = nlab_kv_require(nlh, tb, extack);
	if (err)
		return err;

	switch (nlh->nlmsg_type) {
	case NLAB_MSG_SET:
		return nlab_kv_set(tb, extack);
	case NLAB_MSG_GET:
		return nlab_kv_get(skb, nlh, tb, extack);
	default:
		return nlab_kv_del(tb, extack);
	}
}

/* netlink_rcv_skb() checks every header's length and walks all messages. */
static void nlab_kv_input(struct sk_buff *skb)
{
	netlink_rcv_skb(skb, nlab_kv_rcv_msg);
}

static void nlab_kv_free_all(void)
{
	struct nlab_kv_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &nlab_kv_entries, node) {
		list_del(&e->node);
		kfree(e);
	}
	nlab_kv_count = 0;
}

static int __init nlab_kv_init(void)
{
	struct netlink_kernel_cfg cfg = {
		.input	= nlab_kv_input,
	};

	nlab_sock = netlink_kernel_create(&init_net, NETLINK_NLAB, &cfg);
	if (!nlab_sock) {
		/* NULL almost always means another module holds the unit. */
		pr_err("cannot create a socket on netlink unit %d: is it taken?\n",
		       NETLINK_NLAB);
		return -EBUSY;
	}

	pr_info("key-value store on netlink unit %d\n", NETLINK_NLAB);
	return 0;
}

static void __exit nlab_kv_exit(void)
{
	/* After the release no request can run, so the store needs no lock. */
	netlink_kernel_release(nlab_sock);
	nlab_kv_free_all();
	pr_info("unloaded\n");
}

module_init(nlab_kv_init);
module_exit(nlab_kv_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Netlink Lab lesson 7: a key-value store that explains its errors in extended ACKs");
