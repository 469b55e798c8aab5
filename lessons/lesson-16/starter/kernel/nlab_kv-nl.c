// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/nlab_kv.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "nlab_kv-nl.h"

#include <uapi/linux/nlab_kv.h>

/* Common nested types */
const struct nla_policy nlab_kv_meta_nl_policy[NLAB_A_META_PAD + 1] = {
	[NLAB_A_META_OWNER] = { .type = NLA_NUL_STRING, .len = NLAB_KV_NAME_MAX_LEN, },
	[NLAB_A_META_VERSION] = { .type = NLA_U64, },
	[NLAB_A_META_TAGS] = { .type = NLA_STRING, .len = NLAB_KV_NAME_MAX_LEN, },
};

/* NLAB_CMD_SET - do */
static const struct nla_policy nlab_kv_set_nl_policy[NLAB_A_MARKS + 1] = {
	[NLAB_A_KEY] = { .type = NLA_NUL_STRING, .len = NLAB_KV_KEY_MAX_LEN, },
	[NLAB_A_VALUE] = { .type = NLA_BINARY, },
	[NLAB_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x1),
	[NLAB_A_META] = NLA_POLICY_NESTED(nlab_kv_meta_nl_policy),
	[NLAB_A_PRIORITY] = NLA_POLICY_RANGE(NLA_U8, 1, 7),
	[NLAB_A_PORT] = { .type = NLA_U16, },
	[NLAB_A_MARKS] = NLA_POLICY_BITFIELD32(3),
};

/* NLAB_CMD_GET - do */
static const struct nla_policy nlab_kv_get_nl_policy[NLAB_A_KEY + 1] = {
	[NLAB_A_KEY] = { .type = NLA_NUL_STRING, .len = NLAB_KV_KEY_MAX_LEN, },
};

/* NLAB_CMD_DEL - do */
static const struct nla_policy nlab_kv_del_nl_policy[NLAB_A_KEY + 1] = {
	[NLAB_A_KEY] = { .type = NLA_NUL_STRING, .len = NLAB_KV_KEY_MAX_LEN, },
};

/* NLAB_CMD_LIST - dump */
static const struct nla_policy nlab_kv_list_nl_policy[NLAB_A_PREFIX + 1] = {
	[NLAB_A_PREFIX] = { .type = NLA_NUL_STRING, .len = NLAB_KV_KEY_MAX_LEN, },
};

/* NLAB_CMD_COUNT - do */
static const struct nla_policy nlab_kv_count_nl_policy[NLAB_A_PREFIX + 1] = {
	[NLAB_A_PREFIX] = { .type = NLA_NUL_STRING, .len = NLAB_KV_KEY_MAX_LEN, },
};

/* Ops table for nlab_kv */
const struct genl_split_ops nlab_kv_nl_ops[5] = {
	{
		.cmd		= NLAB_CMD_SET,
		.doit		= nlab_kv_nl_set_doit,
		.policy		= nlab_kv_set_nl_policy,
		.maxattr	= NLAB_A_MARKS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NLAB_CMD_GET,
		.doit		= nlab_kv_nl_get_doit,
		.policy		= nlab_kv_get_nl_policy,
		.maxattr	= NLAB_A_KEY,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NLAB_CMD_DEL,
		.doit		= nlab_kv_nl_del_doit,
		.policy		= nlab_kv_del_nl_policy,
		.maxattr	= NLAB_A_KEY,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= NLAB_CMD_LIST,
		.dumpit		= nlab_kv_nl_list_dumpit,
		.policy		= nlab_kv_list_nl_policy,
		.maxattr	= NLAB_A_PREFIX,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= NLAB_CMD_COUNT,
		.doit		= nlab_kv_nl_count_doit,
		.policy		= nlab_kv_count_nl_policy,
		.maxattr	= NLAB_A_PREFIX,
		.flags		= GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group nlab_kv_nl_mcgrps[] = {
	[NLAB_KV_NLGRP_EVENTS] = { "events", },
};
