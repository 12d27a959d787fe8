// SPDX-License-Identifier: GPL-2.0
/* The netlink client of the ctipfix family, for the daemon and the tool. */
#include <errno.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "ctipfix_nl.h"

const char *const ctipfix_stat_names[CTIPFIX_STAT_MAX + 1] = {
	[CTIPFIX_STAT_FLOWS_NEW]		= "flows_new",
	[CTIPFIX_STAT_FLOWS_ADOPTED]		= "flows_adopted",
	[CTIPFIX_STAT_FLOWS_ALLOC_FAILED]	= "flows_alloc_failed",
	[CTIPFIX_STAT_FLOWS_LIVE]		= "flows_live",
	[CTIPFIX_STAT_FLOWS_ABANDONED]		= "flows_abandoned",
	[CTIPFIX_STAT_RECORDS_INTERIM]		= "records_interim",
	[CTIPFIX_STAT_RECORDS_FINAL]		= "records_final",
	[CTIPFIX_STAT_RECORDS_DROPPED]		= "records_dropped",
	[CTIPFIX_STAT_TEMPLATES_SENT]		= "templates_sent",
	[CTIPFIX_STAT_MESSAGES_WRITTEN]		= "messages_written",
	[CTIPFIX_STAT_MESSAGES_DROPPED]		= "messages_dropped",
	[CTIPFIX_STAT_BYTES_WRITTEN]		= "bytes_written",
	[CTIPFIX_STAT_RELAY_FULL]		= "relay_full",
	[CTIPFIX_STAT_NOTIFY_SENT]		= "notify_sent",
	[CTIPFIX_STAT_NOTIFY_FAILED]		= "notify_failed",
	[CTIPFIX_STAT_SCANS]			= "scans",
	[CTIPFIX_STAT_BACKLOG_QUEUED]		= "backlog_queued",
	[CTIPFIX_STAT_BACKLOG_BYTES]		= "backlog_bytes",
	[CTIPFIX_STAT_RELIABILITY_SENT]		= "reliability_sent",
	[CTIPFIX_STAT_SCAN_NS]			= "scan_ns",
	[CTIPFIX_STAT_SCAN_FLOWS]		= "scan_flows",
	[CTIPFIX_STAT_HINTS]			= "hints",
	[CTIPFIX_STAT_HINTS_UNREAD]		= "hints_unread",
	[CTIPFIX_STAT_FLOW_BUCKETS]		= "flow_buckets",
	[CTIPFIX_STAT_RELAY_REREAD_BYTES]	= "relay_reread_bytes",
	[CTIPFIX_STAT_FLOWS_ENDED_ON_PACKET]	= "flows_ended_on_packet",
	[CTIPFIX_STAT_FLOWS_REAPED_ON_DROP]	= "flows_reaped_on_drop",
	[CTIPFIX_STAT_FLOWS_LINKED_LATE]	= "flows_linked_late",
	[CTIPFIX_STAT_INTERFACE_RECORDS]	= "interface_records",
};

const char *const ctipfix_config_names[CTIPFIX_CONFIG_MAX + 1] = {
	[CTIPFIX_CONFIG_ACTIVE_TIMEOUT]		= "active_timeout",
	[CTIPFIX_CONFIG_TEMPLATE_REFRESH]	= "template_refresh",
	[CTIPFIX_CONFIG_OBSERVATION_DOMAIN]	= "observation_domain",
	[CTIPFIX_CONFIG_MAX_MSG_SIZE]		= "max_msg_size",
	[CTIPFIX_CONFIG_FLUSH_INTERVAL_MS]	= "flush_interval_ms",
	[CTIPFIX_CONFIG_SUBBUF_SIZE]		= "subbuf_size",
	[CTIPFIX_CONFIG_N_SUBBUFS]		= "n_subbufs",
	[CTIPFIX_CONFIG_BACKLOG_MAX_KB]		= "backlog_max_kb",
	[CTIPFIX_CONFIG_STATS_INTERVAL]		= "stats_interval",
	[CTIPFIX_CONFIG_STATS_DOMAIN]		= "stats_domain",
};

/*
 * The errno of a failed call into libnl: the kernel's own, where it
 * answered with an error (kept by keep_kernel_error()), else what libnl's
 * code stands for. libnl turns the kernel's errno into one of its codes,
 * and more than one errno into the same code: the kernel's is the truth.
 */
static int nl_errno(struct ctipfix_nl *nl, int nlerr)
{
	int kernel = nl->kernel_errno;

	nl->kernel_errno = 0;
	if (nlerr >= 0)
		return nlerr;
	if (kernel)
		return -kernel;
	switch (-nlerr) {
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_EXIST:		return -EEXIST;
	case NLE_BUSY:		return -EBUSY;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_INTR:		return -EINTR;
	case NLE_BAD_SOCK:	return -EBADF;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_NODEV:		return -ENODEV;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_OVERFLOW:
	case NLE_PARSE_ERR:	return -EBADMSG;
	default:		return -EIO;
	}
}

/* An NLMSG_ERROR from the kernel: keep its errno for nl_errno(). */
static int keep_kernel_error(struct sockaddr_nl *who, struct nlmsgerr *e,
			     void *arg)
{
	struct ctipfix_nl *nl = arg;

	(void)who;
	nl->kernel_errno = e->error < 0 ? -e->error : e->error;
	return NL_STOP;
}

/*
 * A family by name. (The kernel's controller loads the module that
 * provides a family not registered yet: a name no module has is how
 * the unit test finds none without loading ours.)
 */
static int nl_open_family(struct ctipfix_nl *nl, const char *name)
{
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->sock = nl_socket_alloc();
	if (!nl->sock)
		return -ENOMEM;
	err = nl_socket_modify_err_cb(nl->sock, NL_CB_CUSTOM,
				      keep_kernel_error, nl);
	if (!err)
		err = genl_connect(nl->sock);
	if (!err) {
		nl->family = genl_ctrl_resolve(nl->sock, name);
		err = nl->family < 0 ? nl->family : 0;
	}
	if (!err)
		return 0;
	nl_socket_free(nl->sock);
	nl->sock = NULL;
	return nl_errno(nl, err);
}

int ctipfix_nl_open(struct ctipfix_nl *nl)
{
	return nl_open_family(nl, CTIPFIX_GENL_NAME);
}

void ctipfix_nl_close(struct ctipfix_nl *nl)
{
	if (nl->sock)
		nl_socket_free(nl->sock);
	nl->sock = NULL;
}

struct nest_reply {
	int nest_attr;
	int n;
	int is_u64;
	void *out;
};

static int parse_nest_reply(struct nl_msg *msg, void *arg)
{
	struct nest_reply *r = arg;
	struct nlattr *tb[CTIPFIX_A_MAX + 1], *a;
	int rem, type;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTIPFIX_A_MAX, NULL) ||
	    !tb[r->nest_attr])
		return NL_SKIP;
	nla_for_each_nested(a, tb[r->nest_attr], rem) {
		type = nla_type(a);
		if (type <= 0 || type >= r->n)
			continue;	/* newer module: ignore what we lack */
		if (r->is_u64)
			((uint64_t *)r->out)[type] = nla_get_u64(a);
		else
			((uint32_t *)r->out)[type] = nla_get_u32(a);
	}
	return NL_OK;
}

struct blob_reply {
	uint8_t *buf;
	size_t size;
	size_t len;
};

static int parse_templates_reply(struct nl_msg *msg, void *arg)
{
	struct blob_reply *r = arg;
	struct nlattr *tb[CTIPFIX_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTIPFIX_A_MAX, NULL) ||
	    !tb[CTIPFIX_A_TEMPLATES] ||
	    (size_t)nla_len(tb[CTIPFIX_A_TEMPLATES]) > r->size)
		return NL_SKIP;
	r->len = nla_len(tb[CTIPFIX_A_TEMPLATES]);
	memcpy(r->buf, nla_data(tb[CTIPFIX_A_TEMPLATES]), r->len);
	return NL_OK;
}

/* @cmd, with a u64 attribute @attr unless it is 0 */
static int request_u64(struct ctipfix_nl *nl, uint8_t cmd, int attr,
		       uint64_t value, nl_recvmsg_msg_cb_t parse, void *arg)
{
	struct nl_msg *msg = nlmsg_alloc();
	int err;

	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0,
			 cmd, CTIPFIX_GENL_VERSION) ||
	    (attr && nla_put_u64(msg, attr, value))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = nl_send_auto(nl->sock, msg);
	nlmsg_free(msg);
	if (err < 0)
		return nl_errno(nl, err);
	/* the reply and the ack come as two datagrams: take both */
	if (parse) {
		nl_socket_modify_cb(nl->sock, NL_CB_VALID, NL_CB_CUSTOM,
				    parse, arg);
		err = nl_recvmsgs_default(nl->sock);
		/* @arg lives on the caller's stack: leave nothing on it */
		nl_socket_modify_cb(nl->sock, NL_CB_VALID, NL_CB_DEFAULT,
				    NULL, NULL);
		if (err < 0)
			return nl_errno(nl, err);
	}
	return nl_errno(nl, nl_wait_for_ack(nl->sock));
}

static int request(struct ctipfix_nl *nl, uint8_t cmd,
		   nl_recvmsg_msg_cb_t parse, void *arg)
{
	return request_u64(nl, cmd, 0, 0, parse, arg);
}

int ctipfix_nl_get_stats(struct ctipfix_nl *nl,
			 uint64_t stats[CTIPFIX_STAT_MAX + 1])
{
	struct nest_reply r = { CTIPFIX_A_STATS, CTIPFIX_STAT_MAX + 1, 1,
				stats };

	memset(stats, 0, sizeof(uint64_t) * (CTIPFIX_STAT_MAX + 1));
	return request(nl, CTIPFIX_CMD_GET_STATS, parse_nest_reply, &r);
}

int ctipfix_nl_get_config(struct ctipfix_nl *nl,
			  uint32_t config[CTIPFIX_CONFIG_MAX + 1])
{
	struct nest_reply r = { CTIPFIX_A_CONFIG, CTIPFIX_CONFIG_MAX + 1, 0,
				config };

	memset(config, 0, sizeof(uint32_t) * (CTIPFIX_CONFIG_MAX + 1));
	return request(nl, CTIPFIX_CMD_GET_CONFIG, parse_nest_reply, &r);
}

int ctipfix_nl_flush(struct ctipfix_nl *nl)
{
	return request(nl, CTIPFIX_CMD_FLUSH, NULL, NULL);
}

int ctipfix_nl_relay_ack(struct ctipfix_nl *nl, uint64_t bytes)
{
	return request_u64(nl, CTIPFIX_CMD_RELAY_ACK, CTIPFIX_A_RELAY_ACKED,
			   bytes, NULL, NULL);
}

int ctipfix_nl_get_templates(struct ctipfix_nl *nl, uint8_t *buf,
			     size_t size, size_t *len)
{
	struct blob_reply r = { buf, size, 0 };
	int err = request(nl, CTIPFIX_CMD_GET_TEMPLATES,
			  parse_templates_reply, &r);

	*len = r.len;
	if (!err && !r.len)
		err = -EBADMSG;	/* a reply without the set */
	return err;
}

static int ignore_msg(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int ctipfix_nl_subscribe(struct ctipfix_nl *nl)
{
	int err;

	nl->mcgrp = genl_ctrl_resolve_grp(nl->sock, CTIPFIX_GENL_NAME,
					  CTIPFIX_MCGRP_DATA);
	if (nl->mcgrp < 0)
		return nl_errno(nl, nl->mcgrp);
	nl_socket_disable_seq_check(nl->sock);
	nl_socket_modify_cb(nl->sock, NL_CB_VALID, NL_CB_CUSTOM, ignore_msg,
			    NULL);
	err = nl_socket_add_membership(nl->sock, nl->mcgrp);
	if (!err)
		err = nl_socket_set_nonblocking(nl->sock);
	return nl_errno(nl, err);
}

int ctipfix_nl_fd(struct ctipfix_nl *nl)
{
	return nl_socket_get_fd(nl->sock);
}

void ctipfix_nl_drain(struct ctipfix_nl *nl)
{
	/* -NLE_AGAIN ends it; a lost hint (ENOBUFS) only means "poll" */
	while (nl_recvmsgs_default(nl->sock) >= 0)
		;
}
