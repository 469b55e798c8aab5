// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink Lab, lesson 16: ready for review.
 *
 * Lesson 15's family, held to what a reviewer and the kernel's bots check
 * first: W=1, checkpatch --strict, sparse, kernel-doc on the uAPI header,
 * and an rmmod that is safe with sockets open and a dump in flight.
 *
 * The nlab_kv family of lesson 14, described by its YNL spec first:
 * the kernel's tools/net/ynl/ynl-gen-c.py makes the uAPI header
 * (include/uapi/linux/nlab_kv.h: names, numbers, limits) and the policies,
 * the op table and the multicast groups (nlab_kv-nl.h, nlab_kv-nl.c) from
 * it. This file holds what no spec says: the store and the handlers the
 * generated op table names.
 *
 *   NLAB_CMD_SET   KEY, VALUE [, FLAGS] [, META] [, PRIORITY] [, PORT]
 *                  [, MARKS]             store VALUE under KEY (CAP_NET_ADMIN)
 *   NLAB_CMD_GET   KEY                   answer NLAB_CMD_GET with KEY, VALUE,
 *                                        META, PRIORITY and PORT if the entry
 *                                        has them, MARKS and HITS
 *   NLAB_CMD_DEL   KEY                   forget KEY (CAP_NET_ADMIN)
 *   NLAB_CMD_LIST  [PREFIX]              dump: one NLAB_CMD_LIST message per
 *                                        key that starts with PREFIX
 *   NLAB_CMD_COUNT [PREFIX]              answer NLAB_CMD_COUNT with COUNT,
 *                                        the number of those keys
 *
 *   META           nest: OWNER (required), VERSION, TAGS (repeated)
 *
 *   NLAB_CMD_SET_NTF  what GET answers    to the "events" group, after a SET
 *   NLAB_CMD_DEL_NTF  KEY                to the "events" group, after a DEL
 *                                        (and to the requester, if it set
 *                                        NLM_F_ECHO)
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
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>

/*
 * 6.1 has no struct genl_split_ops (6.2 brought it). Each entry of the
 * generated table is either a do or a dump of its own command, and sets
 * only members that struct genl_ops has too, so on 6.1 the same table is a
 * table of genl_ops. A command with both a do and a dump would be two
 * entries with one cmd, which 6.1 refuses to register.
 */
#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
#define genl_split_ops genl_ops
#endif

/*
 * Generated from the spec (client/nlab_kv.yaml); never edited by hand. The
 * policies and groups in it are static, made to be used by a family in the
 * same file: ynl-gen-c.py writes the family itself for "genetlink" specs
 * only, and MARKS makes ours a "genetlink-legacy" one.
 */
#include "nlab_kv-nl.c"

/* Bounds the memory any local user can pin in the kernel through us. */
#define NLAB_MAX_KEYS	1024
/* Every mark the spec defines; a reply's MARKS selects them all. */
#define NLAB_KV_MARKS_ALL	(NLAB_KV_MARKS_STARRED | NLAB_KV_MARKS_ARCHIVED)

/* What a SET's META carried. */
struct nlab_kv_meta {
	char owner[NLAB_KV_NAME_MAX_LEN + 1];
	u64 version;
	unsigned int n_tags;
	char tags[NLAB_KV_TAGS_MAX][NLAB_KV_NAME_MAX_LEN + 1];
};

struct nlab_kv_entry {
	struct list_head node;
	char key[NLAB_KV_KEY_MAX_LEN + 1];
	bool has_meta;
	struct nlab_kv_meta meta;
	u8 priority;		/* 0: none */
	__be16 port;		/* as it came: network byte order; 0: none */
	u32 marks;
	u64 hits;		/* changes under the store's lock only */
	size_t len;
	u8 value[];
};

/* The bytes @e's META takes in a message; 0 without one. */
static size_t nlab_kv_meta_size(const struct nlab_kv_entry *e)
{
	size_t size;
	unsigned int i;

	if (!e->has_meta)
		return 0;
	size = nla_total_size(0) +
	       nla_total_size(strlen(e->meta.owner) + 1) +
	       nla_total_size_64bit(sizeof(u64));
	for (i = 0; i < e->meta.n_tags; i++)
		size += nla_total_size(strlen(e->meta.tags[i]) + 1);
	return size;
}

/* What a message about @e needs for its attributes; HITS may need a PAD. */
static size_t nlab_kv_entry_size(const struct nlab_kv_entry *e)
{
	return nla_total_size(strlen(e->key) + 1) + nla_total_size(e->len) +
	       nlab_kv_meta_size(e) +
	       (e->priority ? nla_total_size(sizeof(u8)) : 0) +
	       (e->port ? nla_total_size(sizeof(__be16)) : 0) +
	       nla_total_size(sizeof(struct nla_bitfield32)) +
	       nla_total_size_64bit(sizeof(u64));
}

/* Adds @e's META, if it has one, to @skb; -EMSGSIZE when it does not fit. */
static int nlab_kv_fill_meta(struct sk_buff *skb, const struct nlab_kv_entry *e)
{
	struct nlattr *nest;
	unsigned int i;

	if (!e->has_meta)
		return 0;
	nest = nla_nest_start(skb, NLAB_A_META);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, NLAB_A_META_OWNER, e->meta.owner) ||
	    nla_put_u64_64bit(skb, NLAB_A_META_VERSION, e->meta.version,
			      NLAB_A_META_PAD))
		goto cancel;
	for (i = 0; i < e->meta.n_tags; i++)
		if (nla_put_string(skb, NLAB_A_META_TAGS, e->meta.tags[i]))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/*
 * Adds @e's PRIORITY and PORT (if set), MARKS and HITS to @skb; -EMSGSIZE
 * when it is full. A reply's MARKS selects every bit the module knows:
 * each one it does not set is clear.
 */
static int nlab_kv_fill_props(struct sk_buff *skb,
			      const struct nlab_kv_entry *e)
{
	if (e->priority && nla_put_u8(skb, NLAB_A_PRIORITY, e->priority))
		return -EMSGSIZE;
	if (e->port && nla_put_be16(skb, NLAB_A_PORT, e->port))
		return -EMSGSIZE;
	/*
	 * HITS as 8 bytes, which a reader of a uint accepts on any kernel;
	 * 6.7's nla_put_uint() would save the PAD and send 4 while it fits.
	 */
	if (nla_put_bitfield32(skb, NLAB_A_MARKS, e->marks, NLAB_KV_MARKS_ALL) ||
	    nla_put_u64_64bit(skb, NLAB_A_HITS, e->hits, NLAB_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* Adds @e's key, value, META and properties to @skb; -EMSGSIZE when full. */
static int nlab_kv_fill(struct sk_buff *skb, const struct nlab_kv_entry *e)
{
	if (nla_put_string(skb, NLAB_A_KEY, e->key) ||
	    nla_put(skb, NLAB_A_VALUE, e->len, e->value))
		return -EMSGSIZE;
	return nlab_kv_fill_meta(skb, e) ?: nlab_kv_fill_props(skb, e);
}

/*
 * One store per network namespace. The family sets .parallel_ops, so the
 * core does not serialise our handlers under genl_mutex; lock does, for
 * everything here.
 */
struct nlab_kv_net {
	struct list_head entries;
	unsigned int count;
	/*
	 * Changes on every SET and DEL, so a dump can tell that the list
	 * moved between two of its calls. It starts at 1 because the core
	 * reads a previous value of 0 as "not recorded yet".
	 */
	unsigned long generation;
	struct mutex lock;	/* guards everything above */
};

/* Our slot in each struct net's generic array, assigned at registration. */
static unsigned int nlab_kv_net_id __read_mostly;

/* The store of the namespace @net. */
static struct nlab_kv_net *nlab_kv_net(const struct net *net)
{
	return net_generic(net, nlab_kv_net_id);
}

static struct genl_family nlab_kv_family;

/*
 * Announces a change of @e to the "events" group of the requester's
 * namespace: @cmd is NLAB_CMD_SET_NTF (with the value) or NLAB_CMD_DEL_NTF.
 * genl_notify() also sends it to the requester when its request carried
 * NLM_F_ECHO, and then leaves it out of the multicast, so it gets one copy.
 * Called with the store's lock held, so members see changes in the order they
 * were made. A notification that cannot be built is dropped; members that
 * cannot keep up get ENOBUFS from the core and must resync with LIST.
 */
static void nlab_kv_notify(struct genl_info *info,
			   const struct nlab_kv_entry *e, u8 cmd)
{
	struct net *net = genl_info_net(info);
	struct sk_buff *skb;
	void *hdr;

	lockdep_assert_held(&nlab_kv_net(net)->lock);
	if (!nlmsg_report(info->nlhdr) &&
	    !genl_has_listeners(&nlab_kv_family, net, NLAB_KV_NLGRP_EVENTS))
		return;

	skb = genlmsg_new(nlab_kv_entry_size(e), GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &nlab_kv_family, 0, cmd);
	if (!hdr)
		goto free_skb;
	/* A SET announces what GET would answer; a DEL the key only. */
	if (cmd == NLAB_CMD_SET_NTF ? nlab_kv_fill(skb, e) :
	    nla_put_string(skb, NLAB_A_KEY, e->key))
		goto free_skb;
	genlmsg_end(skb, hdr);
	/* Consumes the skb, in every case; in genl_info_net(info) only. */
	genl_notify(&nlab_kv_family, skb, info, NLAB_KV_NLGRP_EVENTS,
		    GFP_KERNEL);
	return;

free_skb:
	nlmsg_free(skb);
}

static struct nlab_kv_entry *nlab_kv_find(struct nlab_kv_net *kv,
					  const char *key)
{
	struct nlab_kv_entry *e;

	/* TODO 2: Say that the caller holds the store's lock, in a way that
	 * costs nothing in a production kernel and never takes the machine
	 * down. checkpatch --strict names what is wrong with the line below;
	 * read include/linux/lockdep.h.
	 */
	BUG_ON(!mutex_is_locked(&kv->lock));
	list_for_each_entry(e, &kv->entries, node)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

/*
 * Copies a SET's META @nest into @m. The core has already checked it
 * against SET's policy, each TAGS included.
 */
static int nlab_kv_parse_meta(struct nlab_kv_meta *m, struct nlattr *nest,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NLAB_A_META_TAGS + 1];
	const struct nlattr *attr;
	int err, rem;

	err = nla_parse_nested(tb, NLAB_A_META_TAGS, nest,
			       nlab_kv_meta_nl_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, NLAB_A_META_OWNER))
		return -EINVAL;
	nla_strscpy(m->owner, tb[NLAB_A_META_OWNER], sizeof(m->owner));
	if (tb[NLAB_A_META_VERSION])
		m->version = nla_get_u64(tb[NLAB_A_META_VERSION]);

	/* A repeated attribute: tb[] keeps only the last, so walk them all. */
	nla_for_each_nested(attr, nest, rem) {
		if (nla_type(attr) != NLAB_A_META_TAGS)
			continue;
		if (m->n_tags == NLAB_KV_TAGS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "too many tags");
			return -E2BIG;
		}
		nla_strscpy(m->tags[m->n_tags++], attr, sizeof(m->tags[0]));
	}
	return 0;
}

/*
 * Takes a SET's properties into @e, the entry that replaces @old (or NULL).
 * A SET starts PRIORITY, PORT and HITS afresh; MARKS carry over from @old
 * but for the bits the SET's selector names.
 */
static void nlab_kv_set_props(struct nlab_kv_entry *e,
			      const struct nlab_kv_entry *old,
			      struct nlattr **tb)
{
	struct nla_bitfield32 marks = {};

	if (tb[NLAB_A_PRIORITY])
		e->priority = nla_get_u8(tb[NLAB_A_PRIORITY]);
	/* TODO 3: Keep PORT as it came, in network byte order, with a type
	 * sparse can follow from the attribute to the entry: the line below
	 * compiles without a warning, and sparse still refuses it. Read the
	 * nla_get_*() helpers in include/net/netlink.h.
	 */
	if (tb[NLAB_A_PORT])
		e->port = nla_get_u16(tb[NLAB_A_PORT]);
	if (tb[NLAB_A_MARKS])
		marks = nla_get_bitfield32(tb[NLAB_A_MARKS]);
	/* The core has refused a value bit outside the selector. */
	e->marks = ((old ? old->marks : 0) & ~marks.selector) | marks.value;
}

/*
 * What SET's generated policy cannot say: 6.12's ynl-gen-c.py renders no
 * maximum length for a binary, and PORT's policy as a host-order NLA_U16.
 */
static int nlab_kv_check_set(struct genl_info *info)
{
	struct nlattr **tb = info->attrs;

	if (nla_len(tb[NLAB_A_VALUE]) > NLAB_KV_VALUE_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NLAB_A_VALUE], "value too long");
		return -EINVAL;
	}
	if (tb[NLAB_A_PORT] &&
	    be16_to_cpu(nla_get_be16(tb[NLAB_A_PORT])) < NLAB_KV_PORT_MIN) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NLAB_A_PORT],
				    "port below port-min");
		return -ERANGE;
	}
	return 0;
}

int nlab_kv_nl_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlab_kv_net *kv = nlab_kv_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct nlab_kv_entry *e, *old;
	u32 flags = 0;
	size_t len;
	int err;

	/* Missing attributes are reported by type in the extended ACK. */
	if (GENL_REQ_ATTR_CHECK(info, NLAB_A_KEY) ||
	    GENL_REQ_ATTR_CHECK(info, NLAB_A_VALUE))
		return -EINVAL;
	if (tb[NLAB_A_FLAGS])
		flags = nla_get_u32(tb[NLAB_A_FLAGS]);
	err = nlab_kv_check_set(info);
	if (err)
		return err;

	/*
	 * Allocate before locking: GFP_KERNEL may sleep, and we may fail
	 * early. _ACCOUNT charges the entry to the caller's memory cgroup, so
	 * a container pays for what it stores in its namespace.
	 */
	len = nla_len(tb[NLAB_A_VALUE]);
	e = kzalloc(struct_size(e, value, len), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	if (tb[NLAB_A_META]) {
		err = nlab_kv_parse_meta(&e->meta, tb[NLAB_A_META], info->extack);
		if (err) {
			kfree(e);
			return err;
		}
		e->has_meta = true;
	}
	e->len = len;
	/* The policy guarantees a NUL within NLAB_KV_KEY_MAX_LEN + 1 bytes. */
	nla_strscpy(e->key, tb[NLAB_A_KEY], sizeof(e->key));
	nla_memcpy(e->value, tb[NLAB_A_VALUE], len);

	mutex_lock(&kv->lock);
	old = nlab_kv_find(kv, e->key);
	if (old && (flags & NLAB_KV_FLAGS_EXCL)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NLAB_A_KEY], "key exists");
		err = -EEXIST;
		goto unlock;
	}
	if (!old && kv->count >= NLAB_MAX_KEYS) {
		GENL_SET_ERR_MSG(info, "store is full");
		err = -ENOSPC;
		goto unlock;
	}
	nlab_kv_set_props(e, old, tb);
	if (old) {
		list_replace(&old->node, &e->node);
	} else {
		list_add_tail(&e->node, &kv->entries);
		kv->count++;
	}
	kv->generation++;
	nlab_kv_notify(info, e, NLAB_CMD_SET_NTF);
	e = old;	/* what is left to free: the replaced entry, or nothing */
	err = 0;
unlock:
	mutex_unlock(&kv->lock);
	kfree(e);
	return err;
}

int nlab_kv_nl_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlab_kv_net *kv = nlab_kv_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct nlab_kv_entry *e;

	if (GENL_REQ_ATTR_CHECK(info, NLAB_A_KEY))
		return -EINVAL;

	mutex_lock(&kv->lock);
	e = nlab_kv_find(kv, nla_data(tb[NLAB_A_KEY]));
	if (e) {
		list_del(&e->node);
		kv->count--;
		kv->generation++;
		nlab_kv_notify(info, e, NLAB_CMD_DEL_NTF);
	}
	mutex_unlock(&kv->lock);

	if (!e) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NLAB_A_KEY], "no such key");
		return -ENOENT;
	}
	kfree(e);
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

	rskb = genlmsg_new(nlab_kv_entry_size(e), GFP_KERNEL);
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

int nlab_kv_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlab_kv_net *kv = nlab_kv_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct nlab_kv_entry *e;
	struct sk_buff *rskb;

	if (GENL_REQ_ATTR_CHECK(info, NLAB_A_KEY))
		return -EINVAL;

	mutex_lock(&kv->lock);
	e = nlab_kv_find(kv, nla_data(tb[NLAB_A_KEY]));
	if (e) {
		e->hits++;	/* the reply counts this GET too */
		rskb = nlab_kv_get_reply(info, e);
	} else {
		rskb = ERR_PTR(-ENOENT);
	}
	mutex_unlock(&kv->lock);

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
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &nlab_kv_family, NLM_F_MULTI, NLAB_CMD_LIST);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nlab_kv_fill(skb, e)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* True when @e's key starts with the LIST request's PREFIX, if it has one. */
static bool nlab_kv_matches(const struct nlab_kv_entry *e,
			    const struct nlattr *prefix)
{
	return !prefix || !strncmp(e->key, nla_data(prefix),
				   strlen(nla_data(prefix)));
}

/*
 * The attributes of the dump's request, parsed and validated by the core
 * with LIST's policy (the last of two of a type wins) and kept until the
 * dump ends. 6.6 moved them into a struct genl_info of the dump's own.
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
int nlab_kv_nl_list_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlab_kv_dump_ctx *ctx = (struct nlab_kv_dump_ctx *)cb->ctx;
	/* The requester's namespace: the one its socket lives in. */
	struct nlab_kv_net *kv = nlab_kv_net(sock_net(cb->skb->sk));
	const struct nlab_kv_entry *e;
	const struct nlattr *prefix;
	unsigned long idx = 0;
	int err = 0;

	prefix = nlab_kv_dump_attrs(cb)[NLAB_A_PREFIX];

	mutex_lock(&kv->lock);
	/* genl_dump_check_consistent() compares this with the previous call's. */
	cb->seq = kv->generation;
	list_for_each_entry(e, &kv->entries, node) {
		if (!nlab_kv_matches(e, prefix))
			continue;
		if (idx++ < ctx->skip)
			continue;
		err = nlab_kv_dump_one(skb, cb, e);
		if (err)
			break;
		ctx->skip++;
	}
	mutex_unlock(&kv->lock);

	/* A full skb is not an error: the core sends it and calls us again. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err;
}

int nlab_kv_nl_count_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlab_kv_net *kv = nlab_kv_net(genl_info_net(info));
	const struct nlab_kv_entry *e;
	struct sk_buff *rskb;
	u32 count = 0;
	void *hdr;

	mutex_lock(&kv->lock);
	list_for_each_entry(e, &kv->entries, node)
		if (nlab_kv_matches(e, info->attrs[NLAB_A_PREFIX]))
			count++;
	mutex_unlock(&kv->lock);

	rskb = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!rskb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(rskb, info, &nlab_kv_family, 0, NLAB_CMD_COUNT);
	if (!hdr || nla_put_u32(rskb, NLAB_A_COUNT, count)) {
		nlmsg_free(rskb);
		return -EMSGSIZE;
	}
	genlmsg_end(rskb, hdr);
	return genlmsg_reply(rskb, info);
}

/*
 * .resv_start_op is left at 0, as a new family should: the core then
 * rejects a nonzero genlmsghdr.reserved and requires a policy for every
 * command. Older families set it to their first command that had both.
 */
static struct genl_family nlab_kv_family __ro_after_init = {
	.name		= NLAB_KV_FAMILY_NAME,
	.version	= NLAB_KV_FAMILY_VERSION,
	/* Visible in every network namespace, each with a store of its own. */
	.netnsok	= true,
	/* The generated table: one entry per do and per dump. */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
	.split_ops	= nlab_kv_nl_ops,
	.n_split_ops	= ARRAY_SIZE(nlab_kv_nl_ops),
#else
	.ops		= nlab_kv_nl_ops,
	.n_ops		= ARRAY_SIZE(nlab_kv_nl_ops),
#endif
	.mcgrps		= nlab_kv_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(nlab_kv_nl_mcgrps),
	/* TODO 4: A dump in flight runs this module's code on every read of
	 * its socket, however late. Tell the core whose code it is, so that
	 * the module cannot be unloaded while a dump is open; read
	 * netlink_dump_start() in net/netlink/af_netlink.c and struct
	 * genl_family in include/net/genetlink.h.
	 */
	.parallel_ops	= true,
};

static int __net_init nlab_kv_net_init(struct net *net)
{
	struct nlab_kv_net *kv = net_generic(net, nlab_kv_net_id);

	INIT_LIST_HEAD(&kv->entries);
	mutex_init(&kv->lock);
	kv->generation = 1;
	return 0;
}

/*
 * Runs when a namespace goes away, and for every namespace when the module
 * is unloaded. By then no request can reach this store, so no lock.
 */
static void __net_exit nlab_kv_net_exit(struct net *net)
{
	struct nlab_kv_net *kv = net_generic(net, nlab_kv_net_id);
	struct nlab_kv_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &kv->entries, node) {
		list_del(&e->node);
		kfree(e);
	}
	mutex_destroy(&kv->lock);
}

/* The core allocates .size bytes in every namespace and gives us the slot .id. */
static struct pernet_operations nlab_kv_net_ops = {
	.init	= nlab_kv_net_init,
	.exit	= nlab_kv_net_exit,
	.id	= &nlab_kv_net_id,
	.size	= sizeof(struct nlab_kv_net),
};

static int __init nlab_kv_init(void)
{
	int err;

	/* The stores exist before the first request can arrive. */
	err = register_pernet_subsys(&nlab_kv_net_ops);
	if (err)
		return err;

	err = genl_register_family(&nlab_kv_family);
	if (err) {
		/* -EEXIST: another module already holds the name. */
		pr_err("cannot register generic netlink family %s: %d\n",
		       NLAB_KV_FAMILY_NAME, err);
		goto unregister_pernet;
	}

	pr_info("generic netlink family %s, id %u\n", NLAB_KV_FAMILY_NAME,
		nlab_kv_family.id);
	return 0;

unregister_pernet:
	unregister_pernet_subsys(&nlab_kv_net_ops);
	return err;
}

static void __exit nlab_kv_exit(void)
{
	/*
	 * The reverse of init. genl_unregister_family() waits for running
	 * handlers (a dump in flight holds a module reference, so rmmod
	 * cannot even start then); afterwards unregister_pernet_subsys()
	 * frees every namespace's store.
	 */
	genl_unregister_family(&nlab_kv_family);
	unregister_pernet_subsys(&nlab_kv_net_ops);
	pr_info("unloaded\n");
}

module_init(nlab_kv_init);
module_exit(nlab_kv_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Netlink Lab lesson 16: the nlab_kv generic netlink family, generated from its YNL spec");
