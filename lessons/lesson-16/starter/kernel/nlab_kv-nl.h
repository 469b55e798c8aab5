/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/nlab_kv.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_NLAB_KV_GEN_H
#define _LINUX_NLAB_KV_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/nlab_kv.h>

/* Common nested types */
extern const struct nla_policy nlab_kv_meta_nl_policy[NLAB_A_META_PAD + 1];

/* Ops table for nlab_kv */
extern const struct genl_split_ops nlab_kv_nl_ops[5];

int nlab_kv_nl_set_doit(struct sk_buff *skb, struct genl_info *info);
int nlab_kv_nl_get_doit(struct sk_buff *skb, struct genl_info *info);
int nlab_kv_nl_del_doit(struct sk_buff *skb, struct genl_info *info);
int nlab_kv_nl_list_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int nlab_kv_nl_count_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	NLAB_KV_NLGRP_EVENTS,
};

#endif /* _LINUX_NLAB_KV_GEN_H */
