// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink Lab, lesson 8: generic netlink.
 *
 * The nlab_kv store from lessons 6 and 7 moves off its private netlink unit
 * and becomes a generic netlink family, "nlab_kv". Generic netlink gives it a
 * family id assigned at registration (clients look it up by name through
 * nlctrl), a command byte in struct genlmsghdr instead of nlmsg_type, and
 * parsing, validation, ACKs and extended ACKs done by the core before our
 * handlers run:
 *
 *   NLAB_CMD_SET  KEY, VALUE [, FLAGS]  store VALUE under KEY (CAP_NET_ADMIN)
 *   NLAB_CMD_GET  KEY                   answer NLAB_CMD_GET with KEY, VALUE
 *   NLAB_CMD_DEL  KEY                   forget KEY (CAP_NET_ADMIN)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>

#define NLAB_KV_FAMILY_NAME	"nlab_kv"
/* Bumped only for incompatible changes; new attributes do not need it. */
#define NLAB_KV_FAMILY_VERSION	1

/* Commands: genlmsghdr.cmd. 0 is never a command, as in every genl family. */
enum {
	NLAB_CMD_UNSPEC,
	NLAB_CMD_SET,
	NLAB_CMD_GET,		/* also the command of the answer */
	NLAB_CMD_DEL,

	__NLAB_CMD_MAX,
	NLAB_CMD_MAX = __NLAB_CMD_MAX - 1
};

/* Attributes, unchanged from lesson 6; type 0 stays unused. */
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
 * TODO 1: Give each command a policy of its own, as lesson 6's rules for
 * the attributes it reads: SET reads KEY, VALUE and FLAGS; GET and DEL read
 * KEY only. Size each array by the highest attribute it accepts: the core
 * refuses a type above an op's .maxattr and points the extended ACK at it
 * (read __nla_validate_parse() in lib/nlattr.c). Your code never calls
 * nlmsg_parse(): the core parses, and hands the result to info->attrs.
 */

struct nlab_kv_entry {
	struct list_head node;
	char key[NLAB_KEY_SIZE];
	size_t len;
	u8 value[];
};

/*
 * The store. The family sets .parallel_ops, so the core does not serialise
 * our handlers under genl_mutex; nlab_kv_lock does, for the list and count.
 */
static LIST_HEAD(nlab_kv_entries);
static unsigned int nlab_kv_count;
static DEFINE_MUTEX(nlab_kv_lock);

static struct genl_family nlab_kv_family;

static struct nlab_kv_entry *nlab_kv_find(const char *key)
{
	struct nlab_kv_entry *e;

	lockdep_assert_held(&nlab_kv_lock);
	list_for_each_entry(e, &nlab_kv_entries, node)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

static int nlab_kv_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct nlab_kv_entry *e, *old;
	u32 flags = 0;
	size_t len;
	int err = 0;

	/* Missing attributes are reported by type in the extended ACK. */
	if (GENL_REQ_ATTR_CHECK(info, NLAB_A_KEY) ||
	    GENL_REQ_ATTR_CHECK(info, NLAB_A_VALUE))
		return -EINVAL;
	if (tb[NLAB_A_FLAGS])
		flags = nla_get_u32(tb[NLAB_A_FLAGS]);

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
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NLAB_A_KEY], "key exists");
		err = -EEXIST;
		goto unlock;
	}
	if (!old && nlab_kv_count >= NLAB_MAX_KEYS) {
		GENL_SET_ERR_MSG(info, "store is full");
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

static int nlab_kv_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct nlab_kv_entry *e;

	if (GENL_REQ_ATTR_CHECK(info, NLAB_A_KEY))
		return -EINVAL;

	mutex_lock(&nlab_kv_lock);
	e = nlab_kv_find(nla_data(tb[NLAB_A_KEY]));
	if (e) {
		list_del(&e->node);
		nlab_kv_count--;
	}
	mutex_unlock(&nlab_kv_lock);

	if (!e) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NLAB_A_KEY], "no such key");
		return -ENOENT;
	}
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
 * Builds the answer to a GET while the entry is locked: the genl header
 * copies the request's seq, and genlmsg_reply() sends it to info->snd_portid.
 */
static struct sk_buff *nlab_kv_get_reply(struct genl_info *info,
					 const struct nlab_kv_entry *e)
{
	struct sk_buff *rskb;
	void *hdr;

	rskb = genlmsg_new(nla_total_size(strlen(e->key) + 1) +
			   nla_total_size(e->len), GFP_KERNEL);
	if (!rskb)
		return ERR_PTR(-ENOMEM);

	/*
	 * TODO 2: Start the answer as a reply to this request: the family's id
	 * as type and the request's seq in the netlink header, command
	 * NLAB_CMD_GET and the family's version in the generic header, no
	 * flags. Read the genlmsg_put*() helpers in include/net/genetlink.h:
	 * one of them takes what it needs from info.
	 */
	hdr = NULL;
	if (!hdr || nlab_kv_fill(rskb, e)) {
		nlmsg_free(rskb);
		return ERR_PTR(-EMSGSIZE);
	}
	genlmsg_end(rskb, hdr);
	return rskb;
}

static int nlab_kv_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	const struct nlab_kv_entry *e;
	struct sk_buff *rskb;

	if (GENL_REQ_ATTR_CHECK(info, NLAB_A_KEY))
		return -EINVAL;

	mutex_lock(&nlab_kv_lock);
	e = nlab_kv_find(nla_data(tb[NLAB_A_KEY]));
	rskb = e ? nlab_kv_get_reply(info, e) : ERR_PTR(-ENOENT);
	mutex_unlock(&nlab_kv_lock);

	if (IS_ERR(rskb)) {
		if (PTR_ERR(rskb) == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[NLAB_A_KEY], "no such key");
		return PTR_ERR(rskb);
	}
	/* Sent before we return, so the answer arrives ahead of the ACK. */
	return genlmsg_reply(rskb, info);
}

/*
 * One entry per command, each with its own policy: the core rejects what
 * a command does not read instead of parsing it into info->attrs unused.
 * .validate stays 0, so requests are parsed strictly.
 */
static const struct genl_ops nlab_kv_ops[] = {
	/*
	 * TODO 3: Give every command the policy of TODO 1 that matches what
	 * its handler reads, with .maxattr the highest type in that policy.
	 * SET and DEL change the store: let only a holder of CAP_NET_ADMIN
	 * call them (the GENL_* flags above struct genl_ops in
	 * include/net/genetlink.h).
	 */
	{ .cmd = NLAB_CMD_SET, .doit = nlab_kv_set_doit, },
	{ .cmd = NLAB_CMD_GET, .doit = nlab_kv_get_doit, },
	{ .cmd = NLAB_CMD_DEL, .doit = nlab_kv_del_doit, },
};

/*
 * .resv_start_op is left at 0, as a new family should: the core then
 * rejects a nonzero genlmsghdr.reserved and requires a policy for every
 * command. Older families set it to their first command that had both.
 * The policies are the ops' own, so the family has no .policy or .maxattr.
 */
static struct genl_family nlab_kv_family __ro_after_init = {
	.name		= NLAB_KV_FAMILY_NAME,
	.version	= NLAB_KV_FAMILY_VERSION,
	/*
	 * No .netnsok: the store is one global list, so the family stays in
	 * the initial network namespace instead of sharing that list with
	 * every container. Lesson 11 gives each namespace a store, and then
	 * sets it.
	 */
	.ops		= nlab_kv_ops,
	.n_ops		= ARRAY_SIZE(nlab_kv_ops),
	.module		= THIS_MODULE,
	.parallel_ops	= true,
};

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
	int err;

	err = genl_register_family(&nlab_kv_family);
	if (err) {
		/* -EEXIST: another module already holds the name. */
		pr_err("cannot register generic netlink family %s: %d\n",
		       NLAB_KV_FAMILY_NAME, err);
		return err;
	}

	pr_info("generic netlink family %s, id %u\n", NLAB_KV_FAMILY_NAME,
		nlab_kv_family.id);
	return 0;
}

static void __exit nlab_kv_exit(void)
{
	/*
	 * Unregister first: genl_unregister_family() waits for running
	 * handlers, so afterwards the store can be freed without a lock.
	 */
	genl_unregister_family(&nlab_kv_family);
	nlab_kv_free_all();
	pr_info("unloaded\n");
}

module_init(nlab_kv_init);
module_exit(nlab_kv_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Netlink Lab lesson 8: the nlab_kv store as a generic netlink family");
