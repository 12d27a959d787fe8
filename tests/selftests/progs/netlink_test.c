// SPDX-License-Identifier: GPL-2.0
/*
 * The ctipfix generic netlink family against bad requests and unprivileged
 * callers: every bad request gets an error reply (and the module lives on),
 * admin commands and the data group need CAP_NET_ADMIN, acknowledgments
 * come from the relay's reader only, and the family is out of reach from
 * any namespace but the initial one. Requests are built by hand, so that
 * they can be malformed on purpose.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "kselftest_harness.h"
#include <linux/ctipfix.h>

#define NOBODY 65534

struct request {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	uint8_t attrs[64];
};

/* family id and data group id, resolved the usual way (libnl) */
static int resolve(int *family, int *group)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err = -1;

	if (sk && !genl_connect(sk)) {
		*family = genl_ctrl_resolve(sk, CTIPFIX_GENL_NAME);
		*group = genl_ctrl_resolve_grp(sk, CTIPFIX_GENL_NAME,
					       CTIPFIX_MCGRP_DATA);
		err = *family < 0 || *group < 0;
	}
	nl_socket_free(sk);
	return err;
}

static int nl_socket(void)
{
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* append one attribute of @len payload bytes; returns the new length */
static size_t put_attr(struct request *r, size_t off, uint16_t type,
		       uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(r->attrs + off);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memset(a + 1, 0xab, len);
	return off + NLA_ALIGN(a->nla_len);
}

/*
 * Send @cmd with @attr_len bytes of attributes; returns 0 or the negative
 * errno of the kernel's reply (an ack is asked for either way).
 */
static int transact(int family, uint8_t cmd, struct request *r,
		    size_t attr_len)
{
	uint8_t buf[16384];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int fd = nl_socket();
	ssize_t n;
	int ret = -EIO;

	if (fd < 0)
		return -errno;
	r->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + attr_len;
	r->nlh.nlmsg_type = family;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r->nlh.nlmsg_seq = 1;
	r->genl.cmd = cmd;
	r->genl.version = CTIPFIX_GENL_VERSION;
	if (send(fd, r, r->nlh.nlmsg_len, 0) < 0) {
		ret = -errno;
		goto out;
	}
	/* a reply (for the get commands) may come before the ack */
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			ret = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			break;
		}
	}
out:
	close(fd);
	return ret;
}

static bool attr_ok(const struct nlattr *a, int rem)
{
	return rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= rem;
}

static const struct nlattr *attr_next(const struct nlattr *a, int *rem)
{
	*rem -= NLA_ALIGN(a->nla_len);
	return (const struct nlattr *)((const uint8_t *)a +
				       NLA_ALIGN(a->nla_len));
}

/*
 * @cmd's reply: how often each attribute type came inside its @nest, in
 * @seen[0..@max], those past @max counted in @seen[@max + 1]. Returns 0,
 * or -1 if no reply with that nest came.
 */
static int nest_types(int family, uint8_t cmd, uint16_t nest, int *seen,
		      int max)
{
	struct request r = { 0 };
	uint8_t buf[16384];
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	const struct nlattr *a, *in;
	int fd = nl_socket(), rem, in_rem, found = -1;
	ssize_t n;

	if (fd < 0)
		return -1;
	r.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	r.nlh.nlmsg_type = family;
	r.nlh.nlmsg_flags = NLM_F_REQUEST;
	r.genl.cmd = cmd;
	r.genl.version = CTIPFIX_GENL_VERSION;
	if (send(fd, &r, r.nlh.nlmsg_len, 0) < 0)
		goto out;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)(NLMSG_HDRLEN + GENL_HDRLEN) || h->nlmsg_type != family ||
	    h->nlmsg_len > n)
		goto out;
	rem = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	a = (const struct nlattr *)(buf + NLMSG_HDRLEN + GENL_HDRLEN);
	for (; attr_ok(a, rem); a = attr_next(a, &rem)) {
		if ((a->nla_type & NLA_TYPE_MASK) != nest)
			continue;
		found = 0;
		in_rem = a->nla_len - NLA_HDRLEN;
		in = (const struct nlattr *)((const uint8_t *)a + NLA_HDRLEN);
		for (; attr_ok(in, in_rem); in = attr_next(in, &in_rem)) {
			int type = in->nla_type & NLA_TYPE_MASK;

			seen[type <= max ? type : max + 1]++;
		}
	}
out:
	close(fd);
	return found;
}

/* run @fn as nobody, without capabilities; returns its exit status */
static int as_nobody(int (*fn)(int family, int group), int family, int group)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(200);
		_exit(fn(family, group));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

FIXTURE(genl) {
	int family;
	int group;
	struct request req;
};

FIXTURE_SETUP(genl)
{
	memset(&self->req, 0, sizeof(self->req));
	ASSERT_EQ(0, resolve(&self->family, &self->group))
		TH_LOG("family %s not found: is ctipfix.ko loaded?",
		       CTIPFIX_GENL_NAME);
}

FIXTURE_TEARDOWN(genl)
{
}

TEST_F(genl, get_stats_and_config_answer)
{
	EXPECT_EQ(0, transact(self->family, CTIPFIX_CMD_GET_STATS,
			      &self->req, 0));
	EXPECT_EQ(0, transact(self->family, CTIPFIX_CMD_GET_CONFIG,
			      &self->req, 0));
}

/*
 * Each statistic and setting comes once, typed by its enum: 0 is UNSPEC,
 * as in every attribute set, and nothing past the enum's end.
 */
TEST_F(genl, stats_and_config_typed_by_their_enums)
{
	int stats[CTIPFIX_STAT_MAX + 2] = { 0 };
	int config[CTIPFIX_CONFIG_MAX + 2] = { 0 };
	int i;

	ASSERT_EQ(0, nest_types(self->family, CTIPFIX_CMD_GET_STATS,
				CTIPFIX_A_STATS, stats, CTIPFIX_STAT_MAX));
	EXPECT_EQ(0, stats[CTIPFIX_STAT_UNSPEC]);
	for (i = CTIPFIX_STAT_UNSPEC + 1; i <= CTIPFIX_STAT_MAX; i++)
		EXPECT_EQ(1, stats[i]) TH_LOG("statistic %d", i);
	EXPECT_EQ(0, stats[CTIPFIX_STAT_MAX + 1]);

	ASSERT_EQ(0, nest_types(self->family, CTIPFIX_CMD_GET_CONFIG,
				CTIPFIX_A_CONFIG, config, CTIPFIX_CONFIG_MAX));
	EXPECT_EQ(0, config[CTIPFIX_CONFIG_UNSPEC]);
	for (i = CTIPFIX_CONFIG_UNSPEC + 1; i <= CTIPFIX_CONFIG_MAX; i++)
		EXPECT_EQ(1, config[i]) TH_LOG("setting %d", i);
	EXPECT_EQ(0, config[CTIPFIX_CONFIG_MAX + 1]);
}

TEST_F(genl, get_templates_answers)
{
	EXPECT_EQ(0, transact(self->family, CTIPFIX_CMD_GET_TEMPLATES,
			      &self->req, 0));
}

TEST_F(genl, flush_as_root_works)
{
	EXPECT_EQ(0, transact(self->family, CTIPFIX_CMD_FLUSH, &self->req, 0));
}

TEST_F(genl, unknown_command_refused)
{
	EXPECT_EQ(-EOPNOTSUPP, transact(self->family, 200, &self->req, 0));
	EXPECT_EQ(-EOPNOTSUPP, transact(self->family, CTIPFIX_CMD_UNSPEC,
					&self->req, 0));
}

TEST_F(genl, multicast_only_command_refused)
{
	EXPECT_EQ(-EOPNOTSUPP, transact(self->family, CTIPFIX_CMD_DATA_READY,
					&self->req, 0));
}

TEST_F(genl, unknown_attribute_refused)
{
	size_t len = put_attr(&self->req, 0, CTIPFIX_A_MAX + 1, 4);

	EXPECT_EQ(-EINVAL, transact(self->family, CTIPFIX_CMD_GET_STATS,
				    &self->req, len));
}

TEST_F(genl, reply_only_attribute_refused_in_request)
{
	size_t len = put_attr(&self->req, 0, CTIPFIX_A_STATS, 8);

	EXPECT_EQ(-EINVAL, transact(self->family, CTIPFIX_CMD_FLUSH,
				    &self->req, len));
	len = put_attr(&self->req, 0, CTIPFIX_A_CONFIG, 4);
	EXPECT_EQ(-EINVAL, transact(self->family, CTIPFIX_CMD_GET_CONFIG,
				    &self->req, len));
}

TEST_F(genl, truncated_attribute_refused)
{
	size_t len = put_attr(&self->req, 0, CTIPFIX_A_PAD, 8);
	struct nlattr *a = (struct nlattr *)self->req.attrs;

	a->nla_len = 40;	/* claims more than the message holds */
	EXPECT_EQ(-EINVAL, transact(self->family, CTIPFIX_CMD_GET_STATS,
				    &self->req, len));
	a->nla_len = 2;		/* shorter than its own header */
	EXPECT_EQ(-EINVAL, transact(self->family, CTIPFIX_CMD_GET_STATS,
				    &self->req, len));
}

TEST_F(genl, relay_ack_without_count_refused)
{
	EXPECT_EQ(-EINVAL, transact(self->family, CTIPFIX_CMD_RELAY_ACK,
				    &self->req, 0));
}

#define RELAY_PATH "/sys/kernel/debug/" CTIPFIX_RELAY_DIR "/" CTIPFIX_RELAY_FILE0

TEST_F(genl, relay_ack_beyond_what_was_read_refused)
{
	size_t len = put_attr(&self->req, 0, CTIPFIX_A_RELAY_ACKED, 8);
	int fd = open(RELAY_PATH, O_RDONLY);

	/* the reader itself, acknowledging 0xabab... bytes: more than read */
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, transact(self->family, CTIPFIX_CMD_RELAY_ACK,
				    &self->req, len));
	close(fd);
}

TEST_F(genl, relay_ack_without_the_relay_open_gets_eperm)
{
	size_t len = put_attr(&self->req, 0, CTIPFIX_A_RELAY_ACKED, 8);

	memset(self->req.attrs + NLA_HDRLEN, 0, 8);	/* 0: acking on */
	EXPECT_EQ(-EPERM, transact(self->family, CTIPFIX_CMD_RELAY_ACK,
				   &self->req, len));
}

/* Another process (root, CAP_NET_ADMIN) cannot ack for the reader. */
TEST_F(genl, relay_ack_from_other_than_the_reader_gets_eperm)
{
	size_t len = put_attr(&self->req, 0, CTIPFIX_A_RELAY_ACKED, 8);
	int ready[2], status;
	char c = 0;
	pid_t pid;

	memset(self->req.attrs + NLA_HDRLEN, 0, 8);
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open(RELAY_PATH, O_RDONLY);

		c = fd >= 0;
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();	/* holds the file open until killed */
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(1, c);
	EXPECT_EQ(-EPERM, transact(self->family, CTIPFIX_CMD_RELAY_ACK,
				   &self->req, len));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(ready[0]);
	close(ready[1]);
}

/* A child of the reader holds its file too (a daemon that detached). */
static int forked_reader_ack(int family, int group __attribute__((unused)))
{
	struct request r = { };
	size_t len = put_attr(&r, 0, CTIPFIX_A_RELAY_ACKED, 8);

	memset(r.attrs + NLA_HDRLEN, 0, 8);	/* 0: acking on */
	return transact(family, CTIPFIX_CMD_RELAY_ACK, &r, len) == 0 ? 0 : 1;
}

TEST_F(genl, relay_ack_from_a_child_of_the_reader_counts)
{
	int fd = open(RELAY_PATH, O_RDONLY), status;
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(forked_reader_ack(self->family, self->group));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(fd);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * The family is the initial namespace's: root in a namespace of its own
 * (a container with CAP_NET_ADMIN there, and more) neither finds it nor
 * reaches it by its id.
 */
static int other_netns_flush(int family, int group __attribute__((unused)))
{
	struct request r = { };
	int f, g;

	if (unshare(CLONE_NEWNET))
		return 2;
	if (!resolve(&f, &g))
		return 3;
	return transact(family, CTIPFIX_CMD_FLUSH, &r, 0) == -ENOENT ? 0 : 1;
}

TEST_F(genl, family_not_reachable_from_another_netns)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(other_netns_flush(self->family, self->group));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(genl, relay_ack_of_wrong_size_refused)
{
	size_t len = put_attr(&self->req, 0, CTIPFIX_A_RELAY_ACKED, 4);

	EXPECT_EQ(-EINVAL, transact(self->family, CTIPFIX_CMD_RELAY_ACK,
				    &self->req, len));
}

static int nobody_relay_ack(int family, int group __attribute__((unused)))
{
	struct request r = { };
	size_t len = put_attr(&r, 0, CTIPFIX_A_RELAY_ACKED, 8);

	return transact(family, CTIPFIX_CMD_RELAY_ACK, &r, len) == -EPERM ?
	       0 : 1;
}

TEST_F(genl, unprivileged_relay_ack_gets_eperm)
{
	EXPECT_EQ(0, as_nobody(nobody_relay_ack, self->family, self->group));
}

static int nobody_flush(int family, int group __attribute__((unused)))
{
	struct request r = { };

	return transact(family, CTIPFIX_CMD_FLUSH, &r, 0) == -EPERM ? 0 : 1;
}

static int nobody_get_stats(int family, int group __attribute__((unused)))
{
	struct request r = { };

	return transact(family, CTIPFIX_CMD_GET_STATS, &r, 0) == 0 ? 0 : 1;
}

static int nobody_join_group(int family __attribute__((unused)), int group)
{
	int fd = nl_socket();
	int ret;

	ret = setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
			 sizeof(group));
	close(fd);
	return ret < 0 && errno == EPERM ? 0 : 1;
}

TEST_F(genl, unprivileged_flush_gets_eperm)
{
	EXPECT_EQ(0, as_nobody(nobody_flush, self->family, self->group));
}

TEST_F(genl, unprivileged_may_read_stats)
{
	EXPECT_EQ(0, as_nobody(nobody_get_stats, self->family, self->group));
}

TEST_F(genl, unprivileged_cannot_join_data_group)
{
	EXPECT_EQ(0, as_nobody(nobody_join_group, self->family, self->group));
}

TEST_F(genl, root_joins_data_group)
{
	int fd = nl_socket();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&self->group, sizeof(self->group)));
	close(fd);
}

TEST_HARNESS_MAIN
