// SPDX-License-Identifier: GPL-2.0
/*
 * A collector that was down and is back (userspace/ctipfixd/collector.c),
 * on loopback: the ICMP port unreachable of a datagram sent while it was
 * down comes back as the next send()'s error, which then sends nothing.
 * That datagram must still go, and the lost one be counted.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dlfcn.h>

#include "kselftest_harness.h"
#include "collector.h"
#include "daemon_stats.c"
#include "hostport.c"
#include "ipfix_format.c"
#include "ipfix_session.c"
#include "pace.c"
#include "resolve.c"
#include "uint_arg.c"

/*
 * send() as the daemon sees it: the real one, except that while
 * fail_send_at >= 0 the send of that index (counted from 0 by sends)
 * fails with EAGAIN, as a full socket buffer makes it.
 */
static int fail_send_at = -1;
static int sends;

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	static ssize_t (*real)(int, const void *, size_t, int);

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t, int))
		       dlsym(RTLD_NEXT, "send");
	if (fail_send_at >= 0 && sends++ == fail_send_at) {
		errno = EAGAIN;
		return -1;
	}
	return real(fd, buf, len, flags);
}

/* a free UDP port on 127.0.0.1, bound by nobody once this returns */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

/*
 * @c opened to @host (a name or address of loopback) on a free port, with
 * @opts after the port: 0, and the port in @port
 */
static int open_on_free_port(struct collector *c, const char *host,
			     const char *opts, int *port)
{
	char spec[96], err[256];

	*port = free_port();
	if (*port <= 0)
		return -1;
	snprintf(spec, sizeof(spec), "%s:%d%s", host, *port, opts);
	return collector_open(c, spec, 0, err, sizeof(err));
}

/* open_on_free_port(), then a listener on that port: its fd, or -1 */
static int open_to_listener(struct collector *c, const char *host,
			    const char *opts)
{
	int port;

	if (open_on_free_port(c, host, opts, &port))
		return -1;
	return listen_on(port);
}

/* what @fd received within a second: "" if nothing */
static void received(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n = 0;

	buf[0] = 0;
	if (poll(&p, 1, 1000) == 1)
		n = recv(fd, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = 0;
}

TEST(the_datagram_after_an_icmp_error_still_goes)
{
	struct collector c;
	char buf[64];
	int port, fd;

	ASSERT_EQ(0, open_on_free_port(&c, "127.0.0.1", "", &port));
	/* down: loopback answers with port unreachable before send returns */
	ASSERT_EQ(0, collector_send(&c, "lost", 4));
	fd = listen_on(port);
	ASSERT_LE(0, fd);
	/* back: this datagram meets the first one's error, and still goes */
	EXPECT_EQ(0, collector_send(&c, "next", 4));
	received(fd, buf, sizeof(buf));
	EXPECT_STREQ("next", buf);
	EXPECT_EQ(2, c.sent);
	EXPECT_EQ(0, c.failed);
	EXPECT_EQ(1, c.icmp_errors);
	close(fd);
	collector_close(&c);
}

/* ticks @c, as the daemon's rounds do, until it has a socket or @ms pass */
static bool tick_until_connected(struct collector *c, int ms)
{
	char news[512];
	uint64_t t;

	for (t = 0; t < (uint64_t)ms && c->fd < 0; t += 10) {
		collector_tick(c, t, 0, news, sizeof(news));
		usleep(10000);
	}
	return c->fd >= 0;
}

/*
 * A name is looked up in the background: no socket at first (a send is
 * held, -ENOTCONN), then the name's address, and the datagram goes there
 */
TEST(a_name_is_looked_up_then_sent_to)
{
	struct collector c;
	char buf[64];
	int fd;

	fd = open_to_listener(&c, "localhost", "");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, c.fd);
	EXPECT_EQ(-ENOTCONN, collector_send(&c, "held", 4));
	ASSERT_TRUE(tick_until_connected(&c, 5000));
	EXPECT_EQ(1, c.lookups);
	if (c.family == AF_INET) {	/* localhost may come as ::1 first */
		EXPECT_EQ(0, collector_send(&c, "went", 4));
		received(fd, buf, sizeof(buf));
		EXPECT_STREQ("went", buf);
	}
	close(fd);
	collector_close(&c);
}

/* a name that does not resolve is no error at start: it is tried again */
TEST(a_name_that_does_not_resolve_waits)
{
	struct collector c;
	char err[256], news[512];
	uint64_t t;
	bool said = false;

	ASSERT_EQ(0, collector_open(&c, "no-such-host.invalid:4739", 0, err,
				    sizeof(err)));
	for (t = 0; t < 20000 && !c.lookup_failures; t += 10) {
		said |= collector_tick(&c, t, 60, news, sizeof(news));
		usleep(10000);
	}
	EXPECT_EQ(1, c.lookup_failures);
	EXPECT_TRUE(said);
	EXPECT_NE(NULL, strstr(news, "no-such-host.invalid"));
	EXPECT_NE(NULL, strstr(c.why_not, "cannot resolve"));
	EXPECT_EQ(-1, c.fd);
	EXPECT_EQ(-ENOTCONN, collector_send(&c, "held", 4));
	/* not again before its retry is due */
	EXPECT_FALSE(collector_tick(&c, t + 1, 60, news, sizeof(news)));
	EXPECT_FALSE(c.resolve.busy);
	collector_close(&c);
}

/* a module's template set: template 256, one IPv4 address */
static const uint8_t one_template[] = {
	0, 2, 0, 12,
	1, 0, 0, 1, 0, 8, 0, 4,
};

/*
 * A module message in domain 7: a header, then the template set if
 * @with_template, then one record of template 256. Returns its length.
 */
static size_t module_message(uint8_t *m, bool with_template)
{
	static const uint8_t data[] = { 1, 0, 0, 8, 10, 0, 0, 1 };
	size_t len = 16;

	memset(m, 0, 16);
	m[1] = 10;
	m[15] = 7;
	if (with_template) {
		memcpy(m + len, one_template, sizeof(one_template));
		len += sizeof(one_template);
	}
	memcpy(m + len, data, sizeof(data));
	len += sizeof(data);
	m[2] = len >> 8;
	m[3] = len & 0xff;
	return len;
}

/* the first set id of the next datagram @fd got, -1 if none came */
static int next_set_id(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t buf[256];

	if (poll(&p, 1, 1000) != 1 || recv(fd, buf, sizeof(buf), 0) < 20)
		return -1;
	return buf[16] << 8 | buf[17];
}

/*
 * A biflow collector sending to a listener (@fd), and its first message,
 * one that brings its own templates, that found no room in its socket
 */
FIXTURE(no_room) {
	struct collector c;
	uint8_t msg[64];
	uint8_t primer[256];
	size_t len;
	int fd;
};

FIXTURE_SETUP(no_room)
{
	self->fd = open_to_listener(&self->c, "127.0.0.1", ",format=biflow");
	ASSERT_LE(0, self->fd);
	collector_restart(&self->c, one_template, sizeof(one_template));
	self->len = module_message(self->msg, true);
	sends = 0;
	fail_send_at = 0;
	EXPECT_EQ(-EAGAIN, collector_deliver(&self->c, self->msg, self->len,
					     self->primer,
					     sizeof(self->primer)));
	fail_send_at = -1;
	EXPECT_TRUE(self->c.full);
}

FIXTURE_TEARDOWN(no_room)
{
	close(self->fd);
	collector_close(&self->c);
}

/* Deliver the next message of the module, data only, to the collector. */
static int deliver_next(FIXTURE_DATA(no_room) *self)
{
	self->len = module_message(self->msg, false);
	return collector_deliver(&self->c, self->msg, self->len, self->primer,
				 sizeof(self->primer));
}

/*
 * A collector that did not take a message which brought its own
 * templates gets them before its next message, though another collector
 * (not here) may have taken that one: its session is its own
 */
TEST_F(no_room, templates_a_collector_missed_come_again)
{
	/* it waits for room; then the collector falls behind and loses it */
	collector_lost(&self->c, self->msg, self->len);
	/* the next, data only: behind a primer with the template */
	EXPECT_EQ(0, deliver_next(self));
	EXPECT_FALSE(self->c.full);
	EXPECT_EQ(2, next_set_id(self->fd));
	EXPECT_EQ(256, next_set_id(self->fd));
	EXPECT_EQ(1, self->c.session->primed_messages);
}

TEST_F(no_room, a_message_that_found_no_room_goes_again_with_its_templates)
{
	/* room again: the same message, its own template set first */
	EXPECT_EQ(0, collector_deliver(&self->c, self->msg, self->len,
				       self->primer, sizeof(self->primer)));
	EXPECT_EQ(2, next_set_id(self->fd));
	EXPECT_EQ(0, self->c.session->primed_messages);
	/* and the next needs no primer */
	EXPECT_EQ(0, deliver_next(self));
	EXPECT_EQ(256, next_set_id(self->fd));
}

/* where no error is waiting, a failure is the datagram's own */
TEST(a_datagram_too_big_fails)
{
	static char big[70000];
	struct collector c;
	char err[256];

	ASSERT_EQ(0, collector_open(&c, "127.0.0.1:9", 0, err, sizeof(err)));
	EXPECT_EQ(-EMSGSIZE, collector_send(&c, big, sizeof(big)));
	EXPECT_EQ(1, c.failed);
	EXPECT_EQ(0, c.icmp_errors);
	collector_close(&c);
}

/*
 * What one packet carries: the MTU less the IP and UDP headers, never
 * more than a UDP datagram holds (65507 bytes over IPv4, 65527 over IPv6)
 */
TEST(payload_of_one_packet)
{
	EXPECT_EQ(1472, udp_payload_max(AF_INET, 1500));
	EXPECT_EQ(1452, udp_payload_max(AF_INET6, 1500));
	EXPECT_EQ(1252, udp_payload_max(AF_INET, 1280));
	EXPECT_EQ(65507, udp_payload_max(AF_INET, 65536));
	EXPECT_EQ(65488, udp_payload_max(AF_INET6, 65536));
	EXPECT_EQ(65527, udp_payload_max(AF_INET6, 100000));
	EXPECT_EQ(0, udp_payload_max(AF_INET, 20));
}

/*
 * loopback's MTU is its path's (as IP counts it: 65535 at most); a
 * datagram within it is not fragmented
 */
TEST(path_mtu_of_loopback)
{
	static char msg[1400];
	unsigned int lo_mtu = 0;
	struct collector c;
	char err[256];
	FILE *f = fopen("/sys/class/net/lo/mtu", "r");

	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%u", &lo_mtu));
	fclose(f);
	ASSERT_EQ(0, collector_open(&c, "127.0.0.1:9", 0, err, sizeof(err)));
	EXPECT_EQ(lo_mtu < 65535 ? lo_mtu : 65535, c.path_mtu);
	EXPECT_EQ(0, collector_send(&c, msg, sizeof(msg)));
	EXPECT_EQ(0, c.fragmented);
	/* a path that carries less (as after a route change): counted */
	c.path_mtu = 1280;
	EXPECT_EQ(0, collector_send(&c, msg, sizeof(msg)));
	EXPECT_EQ(1, c.fragmented);
	collector_close(&c);
}

/* ",format=NAME" after the address picks what the collector is sent */
TEST(format_option)
{
	struct collector c;
	char err[256];

	/* uniflow unless it says */
	ASSERT_EQ(0, collector_open(&c, "127.0.0.1:9", 0, err, sizeof(err)));
	EXPECT_EQ(IPFIX_FORMAT_UNIFLOW, c.format);
	EXPECT_NE(NULL, c.formatter);
	collector_close(&c);
	/* biflow goes as the module wrote it */
	ASSERT_EQ(0, collector_open(&c, "127.0.0.1:9,format=biflow", 0, err,
				    sizeof(err)));
	EXPECT_EQ(IPFIX_FORMAT_BIFLOW, c.format);
	EXPECT_EQ(NULL, c.formatter);
	EXPECT_STREQ("127.0.0.1:9", c.name);
	collector_close(&c);
	ASSERT_EQ(0, collector_open(&c, "[::1]:9,format=standard", 0, err,
				    sizeof(err)));
	EXPECT_EQ(IPFIX_FORMAT_STANDARD, c.format);
	collector_close(&c);
	EXPECT_EQ(-EINVAL, collector_open(&c, "127.0.0.1:9,format=v9", 0, err,
					  sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "unknown option 'format=v9'"));
	EXPECT_EQ(-EINVAL, collector_open(&c, "127.0.0.1:9,speed=5", 0, err,
					  sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "unknown option 'speed=5'"));
}

/* ",rate=N" paces that collector at its own rate, the others at the daemon's */
TEST(rate_option)
{
	static const char *const bad[] = {
		"rate=", "rate=abc", "rate=-1", "rate=1000001", "rate=5x",
		"rate=+5", "rate= 5", "rate= -0",
	};
	struct collector c;
	char spec[64], err[256];
	unsigned int i;

	ASSERT_EQ(0, collector_open(&c, "127.0.0.1:9", 4000, err, sizeof(err)));
	EXPECT_EQ(4000, c.pace.rate);
	EXPECT_EQ(250000, c.pace.interval_ns);
	collector_close(&c);
	ASSERT_EQ(0, collector_open(&c, "127.0.0.1:9,rate=500,format=biflow",
				    4000, err, sizeof(err)));
	EXPECT_EQ(500, c.pace.rate);
	EXPECT_EQ(2000000, c.pace.interval_ns);
	EXPECT_EQ(IPFIX_FORMAT_BIFLOW, c.format);
	EXPECT_STREQ("127.0.0.1:9", c.name);
	collector_close(&c);
	/* 0: this one is not paced */
	ASSERT_EQ(0, collector_open(&c, "[::1]:9,format=standard,rate=0", 4000,
				    err, sizeof(err)));
	EXPECT_EQ(0, c.pace.interval_ns);
	collector_close(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(spec, sizeof(spec), "127.0.0.1:9,%s", bad[i]);
		EXPECT_EQ(-EINVAL,
			  collector_open(&c, spec, 4000, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, bad[i]));
	}
}

/* a spec too long to keep whole is refused, not cut into another */
TEST(overlong_spec)
{
	char spec[400], err[256];
	struct collector c;

	memset(spec, '0', sizeof(spec));
	memcpy(spec, "127.0.0.1:9,rate=1000", 21);
	spec[sizeof(c.name)] = '\0';	/* one more than it keeps */
	EXPECT_EQ(-ENAMETOOLONG, collector_open(&c, spec, 0, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "longer than"));
	spec[21] = '\0';
	ASSERT_EQ(0, collector_open(&c, spec, 0, err, sizeof(err)));
	EXPECT_EQ(1000, c.pace.rate);
	collector_close(&c);
}

/* a uniflow collector gets each biflow record as two, in its own datagram */
TEST(uniflow_collector_gets_two_records)
{
	/* template 300: sourceIPv4Address, packetDeltaCount and its reverse */
	static const uint8_t msg[] = {
		0, 10, 0, 56, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7,
		0, 2, 0, 24, 1, 44, 0, 3, 0, 8, 0, 4, 0, 2, 0, 1,
		0x80, 2, 0, 1, 0, 0, 0x72, 0x79,
		1, 44, 0, 10, 10, 0, 0, 1, 3, 4, 0, 0,
	};
	struct collector c;
	uint8_t buf[512];
	int fd;
	ssize_t n;

	fd = open_to_listener(&c, "127.0.0.1", ",format=uniflow");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, collector_send_message(&c, msg, sizeof(msg)));
	collector_commit(&c);
	n = recv(fd, buf, sizeof(buf), 0);
	ASSERT_LT(16, n);
	EXPECT_EQ(n, buf[2] << 8 | buf[3]);
	EXPECT_EQ(2, c.formatter->records_out);
	EXPECT_EQ(1, c.sent);
	close(fd);
	collector_close(&c);
}

/* data whose template it never saw: nothing for it, and it says so */
TEST(nothing_to_send_is_not_sent)
{
	/* a data set of template 300, not defined */
	static const uint8_t msg[] = {
		0, 10, 0, 28, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7,
		1, 44, 0, 12, 10, 0, 0, 1, 3, 4, 0, 0,
	};
	struct collector c;
	char err[256];

	ASSERT_EQ(0, collector_open(&c, "127.0.0.1:9", 0, err, sizeof(err)));
	EXPECT_EQ(-ENODATA, collector_send_message(&c, msg, sizeof(msg)));
	collector_commit(&c);
	EXPECT_EQ(0, c.sent);
	EXPECT_EQ(1, c.formatter->unknown);
	collector_close(&c);
}

/*
 * The module's message of @n records of one 8-byte field (template 300,
 * octetDeltaCount), template first, in domain 7, sequence 0
 */
static size_t many_records(uint8_t *m, unsigned int n)
{
	size_t len = 16 + 12 + 4 + 8 * n, i;

	memset(m, 0, len);
	m[1] = 10, m[2] = len >> 8, m[3] = len & 0xff, m[15] = 7;
	m[17] = 2, m[19] = 12, m[20] = 1, m[21] = 44, m[23] = 1;
	m[25] = 1, m[27] = 8;				/* field 1, 8 bytes */
	m[28] = 1, m[29] = 44, m[30] = (4 + 8 * n) >> 8;
	m[31] = (4 + 8 * n) & 0xff;
	for (i = 0; i < n; i++)
		m[32 + 8 * i + 7] = i + 1;
	return len;
}

/* records and the first sequence number of each datagram @fd holds now */
static int drain_records(int fd, uint32_t *first_seq, int max)
{
	uint8_t buf[2048];
	int records = 0, k = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 16) {
		if (k < max)
			first_seq[k++] = buf[8] << 24 | buf[9] << 16 |
					 buf[10] << 8 | buf[11];
		/* the data set follows a template set or opens the message */
		for (ssize_t off = 16; off + 4 <= n;
		     off += buf[off + 2] << 8 | buf[off + 3]) {
			if ((buf[off] << 8 | buf[off + 1]) == 300)
				records += ((buf[off + 2] << 8 | buf[off + 3]) -
					    4) / 8;
			if ((buf[off + 2] << 8 | buf[off + 3]) < 4)
				break;
		}
	}
	return records;
}

/*
 * A message cut in datagrams, one of which finds the socket full: the
 * retry sends what did not go, cut as the first try was (the path's MTU
 * changed meanwhile), and nothing twice
 */
TEST(a_retry_sends_only_what_did_not_go)
{
	static uint8_t msg[4096];
	uint32_t seqs[64];
	struct collector c;
	int fd, got;
	size_t len = many_records(msg, 300);

	fd = open_to_listener(&c, "127.0.0.1", ",format=standard");
	ASSERT_LE(0, fd);
	c.path_mtu = 576;	/* 548 bytes a datagram: several */
	sends = 0;
	fail_send_at = 2;
	EXPECT_EQ(-EAGAIN, collector_send_message(&c, msg, len));
	got = drain_records(fd, seqs, 64);
	EXPECT_LT(0, got);
	EXPECT_GT(300, got);
	/* held, not committed; the path grew meanwhile */
	fail_send_at = -1;
	c.path_mtu = 1500;
	EXPECT_EQ(0, collector_send_message(&c, msg, len));
	collector_commit(&c);
	EXPECT_EQ(300 - got, drain_records(fd, seqs, 64));
	EXPECT_EQ(got, seqs[0]);	/* the retry's first number */
	/* its in-band statistics count each record it was sent once */
	EXPECT_EQ(300, c.formatter->domains[0].records);
	close(fd);
	collector_close(&c);
}

TEST_HARNESS_MAIN
