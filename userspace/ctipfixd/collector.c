// SPDX-License-Identifier: GPL-2.0
/* UDP collectors: each message goes out as one datagram to each of them. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector.h"
#include "daemon_stats.h"
#include "hostport.h"

int collector_open(struct collector *c, const char *spec, unsigned int rate,
		   char *err, size_t errlen)
{
	struct sockaddr_storage addr;
	socklen_t addrlen;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	pace_init(&c->pace, rate);
	snprintf(c->name, sizeof(c->name), "%s", spec);
	if (hostport_resolve(spec, &addr, &addrlen, err, errlen))
		return -1;
	c->fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 ||
	    /* connected, so that ICMP unreachable comes back as an error */
	    connect(c->fd, (struct sockaddr *)&addr, addrlen)) {
		snprintf(err, errlen, "'%s': %s", spec, strerror(errno));
		collector_close(c);
		return -1;
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

	do {
		n = send(c->fd, msg, len, 0);
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

void collector_print(const struct collector *c, int i, FILE *f)
{
	char name[48];

	snprintf(name, sizeof(name), "collector.%d.address", i);
	daemon_stats_put_text(f, name, c->name);
	daemon_stats_put_collector(f, i, "sent", c->sent);
	daemon_stats_put_collector(f, i, "bytes", c->sent_bytes);
	daemon_stats_put_collector(f, i, "failed", c->failed);
	daemon_stats_put_collector(f, i, "icmp_errors", c->icmp_errors);
	daemon_stats_put_collector(f, i, "path_mtu", c->path_mtu);
	daemon_stats_put_collector(f, i, "fragmented", c->fragmented);
	daemon_stats_put_collector(f, i, "paced", c->pace.waits);
	daemon_stats_put_collector(f, i, "paced_ms",
				   c->pace.waited_ns / 1000000);
	if (c->last_errno) {
		snprintf(name, sizeof(name), "collector.%d.last_error", i);
		daemon_stats_put_text(f, name, strerror(c->last_errno));
	}
}
