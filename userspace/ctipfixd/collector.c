// SPDX-License-Identifier: GPL-2.0
/* UDP collectors: each message goes out as one datagram to each of them. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector.h"
#include "daemon_stats.h"
#include "hostport.h"

/* One option, NAME=VALUE: 0, or -EINVAL for a name or value not known. */
static int collector_option(struct collector *c, const char *opt,
			    unsigned int *rate)
{
	if (!strncmp(opt, "format=", 7))
		return ipfix_format_parse(opt + 7, &c->format) ? -EINVAL : 0;
	if (!strncmp(opt, "rate=", 5))
		return pace_parse_rate(opt + 5, rate);
	return -EINVAL;
}

/*
 * The options after HOST:PORT, cut off @spec: ",format=NAME" and
 * ",rate=N", which overrides the daemon's @rate for this collector.
 */
static int collector_options(struct collector *c, char *spec,
			     unsigned int rate, char *why, size_t len)
{
	char *opt = strchr(spec, ','), *next;

	c->format = COLLECTOR_DEFAULT_FORMAT;
	if (opt)
		*opt++ = '\0';
	for (; opt; opt = next) {
		next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		if (collector_option(c, opt, &rate)) {
			snprintf(why, len, "'%s': unknown option '%s' (format="
				 "biflow, standard or uniflow; rate=0..%d)",
				 c->name, opt, PACE_MAX_RATE);
			return -EINVAL;
		}
	}
	pace_init(&c->pace, rate);
	if (c->format == IPFIX_FORMAT_BIFLOW)
		return 0;
	c->formatter = malloc(sizeof(*c->formatter));
	c->formatted = malloc(COLLECTOR_FORMATTED_ROOM);
	if (!c->formatter || !c->formatted) {
		snprintf(why, len, "'%s': %s", c->name, strerror(ENOMEM));
		return -ENOMEM;
	}
	ipfix_format_init(c->formatter, c->format);
	return 0;
}

int collector_open(struct collector *c, const char *spec, unsigned int rate,
		   char *why, size_t len)
{
	struct sockaddr_storage addr;
	char hostport[sizeof(c->name)];
	socklen_t addrlen;
	int err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(spec) >= sizeof(hostport)) {
		/* cut short, its options could read as others */
		snprintf(why, len, "'%.40s...': longer than %zu characters",
			 spec, sizeof(hostport) - 1);
		return -ENAMETOOLONG;
	}
	snprintf(c->name, sizeof(c->name), "%s", spec);
	snprintf(hostport, sizeof(hostport), "%s", spec);
	err = collector_options(c, hostport, rate, why, len);
	if (!err)
		err = hostport_resolve(hostport, &addr, &addrlen, why, len);
	if (err) {
		collector_close(c);
		return err;
	}
	snprintf(c->name, sizeof(c->name), "%s", hostport);
	c->fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 ||
	    /* connected, so that ICMP unreachable comes back as an error */
	    connect(c->fd, (struct sockaddr *)&addr, addrlen)) {
		err = -errno;
		snprintf(why, len, "'%s': %s", spec, strerror(-err));
		collector_close(c);
		return err;
	}
	c->family = addr.ss_family;
	collector_path_mtu(c);
	return 0;
}

size_t udp_payload_max(int family, unsigned int mtu)
{
	size_t headers = family == AF_INET6 ? 40 + 8 : 20 + 8;
	size_t most = family == AF_INET6 ? 65535 - 8 : 65535 - 20 - 8;

	if (mtu <= headers)
		return 0;
	return mtu - headers < most ? mtu - headers : most;
}

void collector_path_mtu(struct collector *c)
{
	int mtu = 0;
	socklen_t len = sizeof(mtu);

	if (getsockopt(c->fd, c->family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       c->family == AF_INET6 ? IPV6_MTU : IP_MTU, &mtu, &len))
		mtu = 0;
	c->path_mtu = mtu > 0 ? (unsigned int)mtu : 0;
}

void collector_close(struct collector *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->formatter);
	free(c->formatted);
	c->formatter = NULL;
	c->formatted = NULL;
}

/*
 * An ICMP error that came back for an earlier datagram is reported by the
 * next send() on the connected socket, which then sends nothing: the error
 * is not this datagram's, and reporting it cleared it.
 */
static bool collector_stale_error(int err)
{
	return err == ECONNREFUSED || err == EHOSTUNREACH ||
	       err == ENETUNREACH;
}

static ssize_t collector_send_once(struct collector *c, const void *msg,
				   size_t len)
{
	ssize_t n;

	/*
	 * Never waits: a collector whose path backs up (its socket's send
	 * buffer full) fails this datagram (EAGAIN), and the daemon goes on
	 * with the others, and with reading the relay for them.
	 */
	do {
		n = send(c->fd, msg, len, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	return n;
}

int collector_send(struct collector *c, const void *msg, size_t len)
{
	ssize_t n;

	pace_wait(&c->pace);
	n = collector_send_once(c, msg, len);
	if (n < 0 && collector_stale_error(errno)) {
		c->icmp_errors++;	/* an earlier datagram was lost */
		/* this one's own, if it fails again (no route now) */
		n = collector_send_once(c, msg, len);
	}
	if (n == (ssize_t)len) {
		c->sent++;
		c->sent_bytes += len;
		/* gone as IP fragments: one lost fragment loses it all */
		if (c->path_mtu && len > udp_payload_max(c->family, c->path_mtu))
			c->fragmented++;
		return 0;
	}
	c->failed++;
	c->last_errno = n < 0 ? errno : EMSGSIZE;
	return -c->last_errno;
}

/* Is @msg the one whose first datagrams went, and the rest did not? */
static bool collector_same_message(const struct collector *c,
				   const uint8_t *msg, size_t len)
{
	return c->partial.len == len &&
	       !memcmp(c->partial.header, msg, sizeof(c->partial.header));
}

/*
 * How big @c's datagrams of @msg are: one packet of the path, where it is
 * known. A retry of a message sent in part is cut as the first try was,
 * so that what went is skipped exactly, whatever the path became since.
 */
static size_t collector_datagram_max(const struct collector *c,
				     const uint8_t *msg, size_t len)
{
	size_t fits = udp_payload_max(c->family, c->path_mtu);

	if (collector_same_message(c, msg, len))
		return c->partial.fits;
	if (fits < 512)		/* the path not known: a datagram's most */
		fits = udp_payload_max(c->family, 1 << 20);
	return fits;
}

int collector_send_message(struct collector *c, const uint8_t *msg,
			   size_t len)
{
	size_t fits = collector_datagram_max(c, msg, len), n, off, one;
	bool same = collector_same_message(c, msg, len);
	unsigned int i, skip = 0;
	int err = 0;

	if (!c->formatter)
		return collector_send(c, msg, len);
	n = ipfix_format_message(c->formatter, msg, len, c->formatted,
				 COLLECTOR_FORMATTED_ROOM, fits);
	if (!n)
		return -ENODATA;
	/* a retry: what went of it last time does not go twice */
	if (same)
		skip = c->partial.sent;
	c->current.len = len;
	memcpy(c->current.header, msg, sizeof(c->current.header));
	/* in order, up to the first that fails: the rest wait for the retry */
	for (off = 0, i = 0; off + CTIPFIX_IPFIX_HDR_LEN <= n; off += one, i++) {
		one = c->formatted[off + 2] << 8 | c->formatted[off + 3];
		if (i >= skip)
			err = collector_send(c, c->formatted + off, one);
		if (err)
			break;
		/* what it was sent, its in-band statistics count */
		ipfix_format_sent(c->formatter, i);
	}
	if (err && i) {
		c->partial.len = len;
		memcpy(c->partial.header, msg, sizeof(c->partial.header));
		c->partial.sent = i;
		c->partial.fits = fits;
	} else if (!err && same) {
		c->partial.len = 0;
	}
	return err;
}

/*
 * The message last tried is final: its partial sending, if any, is over
 * (another collector took it). A primer, committed before its message is
 * tried again, leaves the message's partial sending alone.
 */
void collector_commit(struct collector *c)
{
	if (c->formatter)
		ipfix_format_commit(c->formatter);
	/* the header is all of a message collector_same_message() reads */
	if (collector_same_message(c, c->current.header, c->current.len))
		c->partial.len = 0;
}

void collector_restart(struct collector *c)
{
	c->partial.len = 0;
	if (c->formatter)
		ipfix_format_restart(c->formatter);
}

void collector_print(const struct collector *c, int i, FILE *f)
{
	char name[48];

	snprintf(name, sizeof(name), "collector.%d.address", i);
	daemon_stats_put_text(f, name, c->name);
	snprintf(name, sizeof(name), "collector.%d.format", i);
	daemon_stats_put_text(f, name, ipfix_format_name(c->format));
	if (c->formatter) {
		daemon_stats_put_collector(f, i, "records",
					   c->formatter->records_out);
		daemon_stats_put_collector(f, i, "unknown_templates",
					   c->formatter->unknown);
		daemon_stats_put_collector(f, i, "overflows",
					   c->formatter->overflows);
		daemon_stats_put_collector(f, i, "domains_evicted",
					   c->formatter->evicted);
	}
	daemon_stats_put_collector(f, i, "sent", c->sent);
	daemon_stats_put_collector(f, i, "bytes", c->sent_bytes);
	daemon_stats_put_collector(f, i, "failed", c->failed);
	daemon_stats_put_collector(f, i, "icmp_errors", c->icmp_errors);
	daemon_stats_put_collector(f, i, "path_mtu", c->path_mtu);
	daemon_stats_put_collector(f, i, "fragmented", c->fragmented);
	daemon_stats_put_collector(f, i, "rate", c->pace.rate);
	daemon_stats_put_collector(f, i, "paced", c->pace.waits);
	daemon_stats_put_collector(f, i, "paced_ms",
				   c->pace.waited_ns / 1000000);
	if (c->last_errno) {
		snprintf(name, sizeof(name), "collector.%d.last_error", i);
		daemon_stats_put_text(f, name, strerror(c->last_errno));
	}
}
