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

#include "ctipfix.h"

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

static struct ctipfix_uint_knob knob_active_timeout = {
	.val = &ctipfix_active_timeout, .min = 1, .max = 86400,
};
module_param_cb(active_timeout, &ctipfix_knob_ops, &knob_active_timeout, 0644);
MODULE_PARM_DESC(active_timeout, "Seconds between interim records of a long flow [1..86400]");

static struct ctipfix_uint_knob knob_template_refresh = {
	.val = &ctipfix_template_refresh, .min = 1, .max = 86400,
};
module_param_cb(template_refresh, &ctipfix_knob_ops, &knob_template_refresh, 0644);
MODULE_PARM_DESC(template_refresh, "Seconds between template resends [1..86400]");

static struct ctipfix_uint_knob knob_observation_domain = {
	.val = &ctipfix_observation_domain, .min = 0, .max = U32_MAX,
};
module_param_cb(observation_domain, &ctipfix_knob_ops, &knob_observation_domain, 0644);
MODULE_PARM_DESC(observation_domain, "Observation domain id of the initial namespace [0..4294967295]");

static struct ctipfix_uint_knob knob_max_msg_size = {
	.val = &ctipfix_max_msg_size, .min = 0, .max = 65535,
};
module_param_cb(max_msg_size, &ctipfix_knob_ops, &knob_max_msg_size, 0644);
MODULE_PARM_DESC(max_msg_size, "Largest IPFIX message, bytes, at least a template and one record [262..65535]");

static struct ctipfix_uint_knob knob_flush_interval_ms = {
	.val = &ctipfix_flush_interval_ms, .min = 10, .max = 60000,
};
module_param_cb(flush_interval_ms, &ctipfix_knob_ops, &knob_flush_interval_ms, 0644);
MODULE_PARM_DESC(flush_interval_ms, "Longest a partly filled message waits, ms [10..60000]");

static struct ctipfix_uint_knob knob_subbuf_size = {
	.val = &ctipfix_subbuf_size, .min = 4096, .max = 16777216,
};
module_param_cb(subbuf_size, &ctipfix_knob_ops, &knob_subbuf_size, 0444);
MODULE_PARM_DESC(subbuf_size, "Relay sub-buffer size, bytes (load time) [4096..16777216]");

static struct ctipfix_uint_knob knob_n_subbufs = {
	.val = &ctipfix_n_subbufs, .min = 2, .max = 1024,
};
module_param_cb(n_subbufs, &ctipfix_knob_ops, &knob_n_subbufs, 0444);
MODULE_PARM_DESC(n_subbufs, "Relay sub-buffer count (load time) [2..1024]");

static struct ctipfix_uint_knob knob_hash_buckets = {
	.val = &ctipfix_hash_buckets, .min = 64, .max = 4194304, .power_of_2 = true,
};
module_param_cb(hash_buckets, &ctipfix_knob_ops, &knob_hash_buckets, 0644);
MODULE_PARM_DESC(hash_buckets, "Most flow hash buckets per namespace, a power of two; the table grows to it with the flows [64..4194304]");

static struct ctipfix_uint_knob knob_stats_interval = {
	.val = &ctipfix_stats_interval, .min = 1, .max = 86400,
};
module_param_cb(stats_interval, &ctipfix_knob_ops, &knob_stats_interval, 0644);
MODULE_PARM_DESC(stats_interval, "Seconds between in-band statistics reports [1..86400]");

static struct ctipfix_uint_knob knob_stats_domain = {
	.val = &ctipfix_stats_domain, .min = 0, .max = U32_MAX,
};
module_param_cb(stats_domain, &ctipfix_knob_ops, &knob_stats_domain, 0644);
MODULE_PARM_DESC(stats_domain, "Observation domain of the in-band statistics [0..4294967295]");

static struct ctipfix_uint_knob knob_sweep_rate = {
	.val = &ctipfix_sweep_rate, .min = 100, .max = 100000000,
};
module_param_cb(sweep_rate, &ctipfix_knob_ops, &knob_sweep_rate, 0644);
MODULE_PARM_DESC(sweep_rate, "Flows a second the sweep looks at, per namespace, for deaths nothing announces [100..100000000]");

static struct ctipfix_uint_knob knob_unload_wait_s = {
	.val = &ctipfix_unload_wait_s, .min = 1, .max = 3600,
};
module_param_cb(unload_wait_s, &ctipfix_knob_ops, &knob_unload_wait_s, 0644);
MODULE_PARM_DESC(unload_wait_s, "Longest unload waits for a reader to take the last records, s [1..3600]");

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

static struct ctipfix_uint_knob knob_backlog_max_kb = {
	.val = &ctipfix_backlog_max_kb, .min = 0, .max = 4194304,
};
module_param_cb(backlog_max_kb, &ctipfix_knob_ops, &knob_backlog_max_kb, 0644);
MODULE_PARM_DESC(backlog_max_kb, "Messages kept while the relay is full, KiB [0..4194304]");

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
