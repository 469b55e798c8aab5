// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink Lab, lesson 9: dumps.
 *
 * The nlab_kv generic netlink family of lesson 8 learns to list its keys.
 * A store can hold more than one message, or one receive buffer, can carry,
 * so LIST is a dump: the core calls our dumpit again and again, each time
 * with a fresh skb to fill, until it returns 0; our position is kept in the
 * netlink_callback between calls. Every message is NLM_F_MULTI, and the core
 * ends the answer with NLMSG_DONE.
 *
 *   NLAB_CMD_SET   KEY, VALUE [, FLAGS]  store VALUE under KEY (CAP_NET_ADMIN)
 *   NLAB_CMD_GET   KEY                   answer NLAB_CMD_GET with KEY, VALUE
 *   NLAB_CMD_DEL   KEY                   forget KEY (CAP_NET_ADMIN)
 *   NLAB_CMD_LIST  [PREFIX]              dump: one NLAB_CMD_LIST message per
 *                                        key that starts with PREFIX
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/version.h>
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
	NLAB_CMD_LIST,		/* dump only; also the command of each entry */

	__NLAB_CMD_MAX,
	NLAB_CMD_MAX = __NLAB_CMD_MAX - 1
};

/* Attributes, unchanged from lesson 6; type 0 stays unused. */
enum {
	NLAB_A_UNSPEC,
	NLAB_A_KEY,		/* NUL-terminated string, at most NLAB_KEY_SIZE bytes */
	NLAB_A_VALUE,		/* binary, at most NLAB_VALUE_MAX bytes */
	NLAB_A_FLAGS,		/* u32, NLAB_F_* bits; SET only */
	NLAB_A_PREFIX,		/* NUL-terminated string; LIST only */

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
 * One policy per command, sized by the highest attribute it reads: the
 * core refuses any other with an extended ACK that points at it.
 */
static const struct nla_policy nlab_kv_set_policy[NLAB_A_FLAGS + 1] = {
	[NLAB_A_KEY]	= { .type = NLA_NUL_STRING, .len = NLAB_KEY_SIZE - 1 },
	[NLAB_A_VALUE]	= { .type = NLA_BINARY, .len = NLAB_VALUE_MAX },
	[NLAB_A_FLAGS]	= NLA_POLICY_MASK(NLA_U32, NLAB_F_EXCL),
};

/* GET and DEL: a KEY and nothing else. */
static const struct nla_policy nlab_kv_key_policy[NLAB_A_KEY + 1] = {
	[NLAB_A_KEY]	= { .type = NLA_NUL_STRING, .len = NLAB_KEY_SIZE - 1 },
};

/* LIST: an optional PREFIX; the unset types below it are refused too. */
static const struct nla_policy nlab_kv_list_policy[NLAB_A_PREFIX + 1] = {
	[NLAB_A_PREFIX]	= { .type = NLA_NUL_STRING, .len = NLAB_KEY_SIZE - 1 },
};

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
/*
 * Changes on every SET and DEL, so a dump can tell that the list moved
 * between two of its calls. It starts at 1 because the core reads a
 * previous value of 0 as "not recorded yet".
 */
static unsigned long nlab_kv_generation = 1;

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
	nlab_kv_generation++;
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
		nlab_kv_generation++;
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

	hdr = genlmsg_put_reply(rskb, info, &nlab_kv_family, 0, NLAB_CMD_GET);
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

/* What a LIST dump remembers between two calls of its dumpit. */
struct nlab_kv_dump_ctx {
	unsigned long skip;	/* matching entries already sent */
};

static_assert(sizeof(struct nlab_kv_dump_ctx) <= sizeof_field(struct netlink_callback, ctx));

/* Adds one NLAB_CMD_LIST message for @e; -EMSGSIZE when @skb is full. */
static int nlab_kv_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			    const struct nlab_kv_entry *e)
{
	/*
	 * TODO 1: Add one entry as one message of the dump: addressed to the
	 * requester's port (the one the kernel recorded), with the request's
	 * seq, the flag that says more messages follow and command
	 * NLAB_CMD_LIST. Let the core flag the message when the store changed
	 * during the dump, and take a half-built message back when the skb is
	 * full. Read genlmsg_put(), genlmsg_end(), genlmsg_cancel() and
	 * genl_dump_check_consistent() in include/net/genetlink.h.
	 */
	return -EOPNOTSUPP;
}

/* True when @e's key starts with the LIST request's PREFIX, if it has one. */
static bool nlab_kv_matches(const struct nlab_kv_entry *e,
			    const struct nlattr *prefix)
{
	/*
	 * TODO 2: Decide whether @e matches: without a PREFIX every key does;
	 * otherwise its key starts with the prefix. The policy already
	 * guarantees the attribute is a C string.
	 */
	return true;
}

/*
 * The attributes of the dump's request. The core parsed and validated them
 * with LIST's policy before the first call (an attribute sent twice counts
 * once, with its last value) and keeps them until the dump ends. Where they
 * are moved in 6.6, when dumps got a struct genl_info of their own
 * (genl_info_dump()); the lab's kernels are on either side of it.
 */
static struct nlattr **nlab_kv_dump_attrs(struct netlink_callback *cb)
{
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * Fills @skb with as many entries as fit, starting after the ones sent by
 * earlier calls. Returns the bytes added, so the core calls again, or 0 at
 * the end, when the core sends NLMSG_DONE.
 */
static int nlab_kv_list_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlab_kv_dump_ctx *ctx = (struct nlab_kv_dump_ctx *)cb->ctx;
	const struct nlab_kv_entry *e;
	const struct nlattr *prefix;
	unsigned long idx = 0;
	int err = 0;

	prefix = nlab_kv_dump_attrs(cb)[NLAB_A_PREFIX];

	mutex_lock(&nlab_kv_lock);
	/*
	 * TODO 3: Let the core notice a store that changes between two calls of
	 * this dump: before adding messages, record what identifies the store's
	 * current state where genl_dump_check_consistent() compares it (read it
	 * in include/net/genetlink.h, and struct netlink_callback).
	 */
	list_for_each_entry(e, &nlab_kv_entries, node) {
		if (!nlab_kv_matches(e, prefix))
			continue;
		if (idx++ < ctx->skip)
			continue;
		err = nlab_kv_dump_one(skb, cb, e);
		if (err)
			break;
		ctx->skip++;
	}
	mutex_unlock(&nlab_kv_lock);

	/* A full skb is not an error: the core sends it and calls us again. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err;
}

/*
 * One entry per command, each with its own policy. .validate stays 0, so
 * requests are parsed strictly. SET and DEL change the store,
 * so they need CAP_NET_ADMIN.
 */
static const struct genl_ops nlab_kv_ops[] = {
	{
		.cmd	= NLAB_CMD_SET,
		.doit	= nlab_kv_set_doit,
		.policy	= nlab_kv_set_policy,
		.maxattr = NLAB_A_FLAGS,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= NLAB_CMD_GET,
		.doit	= nlab_kv_get_doit,
		.policy	= nlab_kv_key_policy,
		.maxattr = NLAB_A_KEY,
	},
	{
		.cmd	= NLAB_CMD_DEL,
		.doit	= nlab_kv_del_doit,
		.policy	= nlab_kv_key_policy,
		.maxattr = NLAB_A_KEY,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= NLAB_CMD_LIST,
		.dumpit	= nlab_kv_list_dumpit,
		.policy	= nlab_kv_list_policy,
		.maxattr = NLAB_A_PREFIX,
	},
};

/*
 * .resv_start_op is left at 0, as a new family should: the core then
 * rejects a nonzero genlmsghdr.reserved and requires a policy for every
 * command. Older families set it to their first command that had both.
 */
static struct genl_family nlab_kv_family __ro_after_init = {
	.name		= NLAB_KV_FAMILY_NAME,
	.version	= NLAB_KV_FAMILY_VERSION,
	/*
	 * No .netnsok: the store is one global list, so the family stays in
	 * the initial network namespace. Lesson 11 gives each namespace a
	 * store of its own, and then sets it.
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
MODULE_DESCRIPTION("Netlink Lab lesson 9: the nlab_kv generic netlink family, with a dump of its keys");
