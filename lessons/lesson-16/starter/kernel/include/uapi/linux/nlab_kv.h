/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/nlab_kv.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_NLAB_KV_H
#define _UAPI_LINUX_NLAB_KV_H

#define NLAB_KV_FAMILY_NAME	"nlab_kv"
#define NLAB_KV_FAMILY_VERSION	1

#define NLAB_KV_KEY_MAX_LEN	63
#define NLAB_KV_VALUE_MAX	1024
#define NLAB_KV_NAME_MAX_LEN	31
#define NLAB_KV_TAGS_MAX	32
#define NLAB_KV_PORT_MIN	1024

/**
 * enum nlab_kv_flags - Modifiers of a SET.
 * @NLAB_KV_FLAGS_EXCL: Fail with EEXIST instead of replacing an existing
 *   value.
 */
enum nlab_kv_flags {
	NLAB_KV_FLAGS_EXCL = 1,
};

/**
 * enum nlab_kv_marks - Marks of an entry; a SET changes those its selector
 *   names.
 */
enum nlab_kv_marks {
	NLAB_KV_MARKS_STARRED = 1,
	NLAB_KV_MARKS_ARCHIVED = 2,
};

enum {
	NLAB_A_KEY = 1,
	NLAB_A_VALUE,
	NLAB_A_FLAGS,
	NLAB_A_PREFIX,
	NLAB_A_META,
	NLAB_A_PRIORITY,
	NLAB_A_PORT,
	NLAB_A_MARKS,
	NLAB_A_HITS,
	NLAB_A_PAD,
	NLAB_A_COUNT,

	__NLAB_A_MAX,
	NLAB_A_MAX = (__NLAB_A_MAX - 1)
};

enum {
	NLAB_A_META_OWNER = 1,
	NLAB_A_META_VERSION,
	NLAB_A_META_TAGS,
	NLAB_A_META_PAD,

	__NLAB_A_META_MAX,
	NLAB_A_META_MAX = (__NLAB_A_META_MAX - 1)
};

enum {
	NLAB_CMD_SET = 1,
	NLAB_CMD_GET,
	NLAB_CMD_DEL,
	NLAB_CMD_LIST,
	NLAB_CMD_SET_NTF,
	NLAB_CMD_DEL_NTF,
	NLAB_CMD_COUNT,

	__NLAB_CMD_MAX,
	NLAB_CMD_MAX = (__NLAB_CMD_MAX - 1)
};

#define NLAB_KV_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_NLAB_KV_H */
