// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink Lab, lesson 1: the smallest useful module.
 *
 * It logs one line when it is loaded and one when it is removed. Everything
 * later in the workshop grows from this skeleton: an init function that sets
 * things up and may fail, and an exit function that undoes all of it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

static int __init nlab_hello_init(void)
{
	/* TODO 1: Log a greeting containing "hello" with pr_info(). */
	pr_info("hello from the lab kernel\n");
	/* END TODO */
	return 0;
}

static void __exit nlab_hello_exit(void)
{
	/* TODO 2: Log a farewell containing "goodbye" with pr_info(). */
	pr_info("goodbye\n");
	/* END TODO */
}

module_init(nlab_hello_init);
module_exit(nlab_hello_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Netlink Lab lesson 1: a module that greets and says goodbye");
