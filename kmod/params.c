// SPDX-License-Identifier: GPL-2.0
/*
 * Knobs in /sys/module/ctipfix/parameters/. Every value is range-checked:
 * a write outside the range is refused with -EINVAL and the old value stays.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "msg.h"
#include "netns.h"
#include "params.h"

unsigned int ctipfix_active_timeout = 60;
unsigned int ctipfix_template_refresh = 60;
unsigned int ctipfix_observation_domain;
unsigned int ctipfix_max_msg_size = 1400;
unsigned int ctipfix_flush_interval_ms = 500;
unsigned int ctipfix_subbuf_size = 256 * 1024;
unsigned int ctipfix_n_subbufs = 8;
unsigned int ctipfix_hash_buckets = 1048576;
/* 30 s of a router ending 15 000 flows a second, at ~70 bytes a record */
unsigned int ctipfix_backlog_max_kb = 32768;
unsigned int ctipfix_stats_interval = 60;
unsigned int ctipfix_stats_domain = U32_MAX;
bool ctipfix_destroy_events;
unsigned int ctipfix_sweep_rate = 20000;
/* long enough for a running daemon to take a full backlog */
unsigned int ctipfix_unload_wait_s = 60;

struct ctipfix_uint_knob {
	unsigned int *val;
	unsigned int min;
	unsigned int max;
	bool power_of_2;
};

static int ctipfix_knob_set(const char *s, const struct kernel_param *kp)
{
	const struct ctipfix_uint_knob *knob = kp->arg;
	unsigned int v;

	/* decimal only ("010" is ten); refuses "", "-1", "1x" and overflow */
	if (kstrtouint(s, 10, &v))
		return -EINVAL;
	if (v < knob->min || v > knob->max)
		return -EINVAL;
	if (knob->power_of_2 && !is_power_of_2(v))
		return -EINVAL;
	/*
	 * A message must always fit in one relay sub-buffer, and hold the
	 * largest message the builder opens: header, templates, one record.
	 */
	if (knob->val == &ctipfix_max_msg_size &&
	    (v > ctipfix_subbuf_size || v < ctipfix_msg_min_size()))
		return -EINVAL;
	WRITE_ONCE(*knob->val, v);
	return 0;
}

static int ctipfix_knob_get(char *buf, const struct kernel_param *kp)
{
	const struct ctipfix_uint_knob *knob = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*knob->val));
}

static const struct kernel_param_ops ctipfix_knob_ops = {
	.set = ctipfix_knob_set,
	.get = ctipfix_knob_get,
};

#define CTIPFIX_POW2	true

/*
 * One knob, one line: the variable ctipfix_NAME, its mode in sysfs, the
 * range its writes must fall in (shown in its description too), whether
 * it must be a power of two, and what it is.
 */
#define CTIPFIX_KNOB(name, mode, lo, hi, pow2, text)			\
	static struct ctipfix_uint_knob knob_##name = {			\
		.val = &ctipfix_##name, .min = (lo), .max = (hi),		\
		.power_of_2 = (pow2),					\
	};								\
	module_param_cb(name, &ctipfix_knob_ops, &knob_##name, mode);	\
	MODULE_PARM_DESC(name, text " [" #lo ".." #hi "]")

CTIPFIX_KNOB(active_timeout, 0644, 1, 86400, false,
	     "Seconds between interim records of a long flow");

CTIPFIX_KNOB(template_refresh, 0644, 1, 86400, false,
	     "Seconds between template resends");

CTIPFIX_KNOB(observation_domain, 0644, 0, 4294967295, false,
	     "Observation domain id of the initial namespace");

/*
 * 262: a floor only. Writes are checked against ctipfix_msg_min_size(),
 * the longest message opening and record the templates make.
 */
CTIPFIX_KNOB(max_msg_size, 0644, 262, 65535, false,
	     "Largest IPFIX message, bytes, at least a template and one record");

CTIPFIX_KNOB(flush_interval_ms, 0644, 10, 60000, false,
	     "Longest a partly filled message waits, ms");

CTIPFIX_KNOB(subbuf_size, 0444, 4096, 16777216, false,
	     "Relay sub-buffer size, bytes (load time)");

CTIPFIX_KNOB(n_subbufs, 0444, 2, 1024, false,
	     "Relay sub-buffer count (load time)");

/* at least a bucket per lock of the flow table (flow.c) */
CTIPFIX_KNOB(hash_buckets, 0644, CTIPFIX_FLOW_MIN_BUCKETS, 4194304, CTIPFIX_POW2,
	     "Most flow hash buckets per namespace, a power of two; the table grows to it with the flows");

CTIPFIX_KNOB(stats_interval, 0644, 1, 86400, false,
	     "Seconds between in-band statistics reports");

CTIPFIX_KNOB(stats_domain, 0644, 0, 4294967295, false,
	     "Observation domain of the in-band statistics");

CTIPFIX_KNOB(sweep_rate, 0644, 100, 100000000, false,
	     "Flows a second the sweep looks at, per namespace, for deaths nothing announces");

CTIPFIX_KNOB(unload_wait_s, 0644, 1, 3600, false,
	     "Longest unload waits for a reader to take the last records, s");

/*
 * Off by default: ctnetlink then builds a message for every death, expiry
 * included, which costs a router of short flows a fifth of its forwarding
 * rate in TCG. Without it, a deleted entry waits for the sweep.
 */
module_param_named(destroy_events, ctipfix_destroy_events, bool, 0444);
MODULE_PARM_DESC(destroy_events, "Hear conntrack's destroy events: a deletion is reported within a pass, not a sweep; ctnetlink builds a message per death (load time)");

/*
 * netns: "all", or the inode numbers of the namespaces to serve, separated
 * by commas (what `lsns -t net` and `stat -L -c %i /proc/PID/ns/net` show).
 */
static int ctipfix_scope_parse(char *s, struct ctipfix_scope *scope)
{
	char *tok;

	s = strim(s);
	scope->n = 0;
	if (!strcmp(s, "all"))
		return 0;
	while ((tok = strsep(&s, ","))) {
		if (scope->n == CTIPFIX_SCOPE_MAX)
			return -EINVAL;
		/* refuses "", "-1", "1x" and overflow */
		if (kstrtou32(tok, 10, &scope->inum[scope->n]) ||
		    !scope->inum[scope->n])
			return -EINVAL;
		scope->n++;
	}
	return 0;
}

static int ctipfix_scope_set(const char *val, const struct kernel_param *kp)
{
	struct ctipfix_scope *scope;
	char *s;
	int err;

	s = kstrdup(val, GFP_KERNEL);
	scope = kmalloc(sizeof(*scope), GFP_KERNEL);
	err = s && scope ? ctipfix_scope_parse(s, scope) : -ENOMEM;
	if (!err)
		err = ctipfix_netns_set_scope(scope);
	kfree(scope);
	kfree(s);
	return err;
}

static int ctipfix_scope_get(char *buf, const struct kernel_param *kp)
{
	struct ctipfix_scope *scope;
	unsigned int i;
	int len = 0;

	scope = kmalloc(sizeof(*scope), GFP_KERNEL);
	if (!scope)
		return -ENOMEM;
	ctipfix_netns_get_scope(scope);
	if (!scope->n)
		len = sysfs_emit(buf, "all");
	for (i = 0; i < scope->n; i++)
		len += sysfs_emit_at(buf, len, "%s%u", i ? "," : "",
				     scope->inum[i]);
	len += sysfs_emit_at(buf, len, "\n");
	kfree(scope);
	return len;
}

static const struct kernel_param_ops ctipfix_scope_ops = {
	.set = ctipfix_scope_set,
	.get = ctipfix_scope_get,
};

module_param_cb(netns, &ctipfix_scope_ops, NULL, 0644);
MODULE_PARM_DESC(netns, "Namespaces to serve: all, or inode numbers separated by commas");

CTIPFIX_KNOB(backlog_max_kb, 0644, 0, 4194304, false,
	     "Messages kept while the relay is full, KiB");

/* Checks that involve two load-time values, which the setters cannot see. */
int ctipfix_params_check_load(void)
{
	if (ctipfix_max_msg_size > ctipfix_subbuf_size) {
		pr_err("max_msg_size %u exceeds subbuf_size %u\n",
		       ctipfix_max_msg_size, ctipfix_subbuf_size);
		return -EINVAL;
	}
	if (ctipfix_max_msg_size < ctipfix_msg_min_size()) {
		pr_err("max_msg_size %u is below %u, the templates and one record\n",
		       ctipfix_max_msg_size, ctipfix_msg_min_size());
		return -EINVAL;
	}
	return 0;
}
