// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink Lab, lesson 6: attributes.
 *
 * A small in-kernel key-value store, nlab_kv, on netlink unit 31. Requests
 * carry their arguments as netlink attributes (TLVs) instead of a raw string:
 *
 *   NLAB_MSG_SET  KEY, VALUE [, FLAGS]  store VALUE under KEY
 *   NLAB_MSG_GET  KEY                   answer NLAB_MSG_VALUE with KEY, VALUE
 *   NLAB_MSG_DEL  KEY                   forget KEY
 *
 * Attributes are checked by an nla_policy and parsed strictly: unknown
 * attributes, oversized ones and strings without a NUL are rejected before
 * any handler sees them. Every request may ask for an ACK (NLM_F_ACK);
 * failures always come back as an error ACK carrying the -errno.
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
 * TODO 1: Write the rules the core enforces before your code reads an
 * attribute: for each attribute type, its kind and its size limit; FLAGS admits
 * only the flags this module knows. Read struct nla_policy and the NLA_* types
 * in include/net/netlink.h (what .len means depends on the type) and their
 * checks in lib/nlattr.c, then decide from NLAB_KEY_SIZE and NLAB_VALUE_MAX.
 */

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
 * attribute type; absent attributes are NULL. On failure the kernel has
 * already pointed @extack at the offending attribute.
 */
static int nlab_kv_parse(const struct nlmsghdr *nlh, struct nlattr **tb,
			 struct netlink_ext_ack *extack)
{
	/*
	 * TODO 2: Split the request into attributes and check them against your
	 * policy, strictly: an unknown or malformed attribute fails the
	 * request, with the reason in the extended ACK. Read the nlmsg_parse()
	 * family in include/net/netlink.h: what hdrlen counts here, and why the
	 * _deprecated variants are wrong for a new protocol.
	 */
	return -EOPNOTSUPP;
}

static int nlab_kv_set(struct nlattr **tb, struct netlink_ext_ack *extack)
{
	u32 flags = tb[NLAB_A_FLAGS] ? nla_get_u32(tb[NLAB_A_FLAGS]) : 0;
	struct nlab_kv_entry *e, *old;
	size_t len;
	int err = 0;

	if (NL_REQ_ATTR_CHECK(extack, NULL, tb, NLAB_A_KEY) ||
	    NL_REQ_ATTR_CHECK(extack, NULL, tb, NLAB_A_VALUE))
		return -EINVAL;

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
		NL_SET_ERR_MSG_ATTR(extack, tb[NLAB_A_KEY], "key exists");
		err = -EEXIST;
		goto unlock;
	}
	if (!old && nlab_kv_count >= NLAB_MAX_KEYS) {
		NL_SET_ERR_MSG(extack, "store is full");
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

	if (NL_REQ_ATTR_CHECK(extack, NULL, tb, NLAB_A_KEY))
		return -EINVAL;

	mutex_lock(&nlab_kv_lock);
	e = nlab_kv_find(nla_data(tb[NLAB_A_KEY]));
	if (e) {
		list_del(&e->node);
		nlab_kv_count--;
	}
	mutex_unlock(&nlab_kv_lock);

	if (!e) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NLAB_A_KEY], "no such key");
		return -ENOENT;
	}
	kfree(e);
	return 0;
}

/* Adds @e's key and value to @skb as attributes, each padded to 4 bytes. */
static int nlab_kv_fill(struct sk_buff *skb, const struct nlab_kv_entry *e)
{
	/*
	 * TODO 3: Put the entry into the reply as two attributes, the key as a
	 * C string and the value as exactly its bytes, and pass the error on
	 * when the reply has no room. Read the nla_put*() helpers in
	 * include/net/netlink.h.
	 */
	return -EOPNOTSUPP;
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

	if (NL_REQ_ATTR_CHECK(extack, NULL, tb, NLAB_A_KEY))
		return -EINVAL;

	mutex_lock(&nlab_kv_lock);
	e = nlab_kv_find(nla_data(tb[NLAB_A_KEY]));
	if (!e) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NLAB_A_KEY], "no such key");
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
 * Called by netlink_rcv_skb() once per request in the datagram. Returning 0
 * lets it send an ACK if the request asked for one; a -errno becomes an
 * error ACK, always.
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
MODULE_DESCRIPTION("Netlink Lab lesson 6: a key-value store with attributes on netlink unit 31");
