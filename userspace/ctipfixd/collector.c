// SPDX-License-Identifier: GPL-2.0
/* UDP collectors: each message goes out as one datagram to each of them. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector.h"
#include "daemon_stats.h"
#include "hostport.h"
#include "resolve.h"

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

/* @c's socket now goes to @addr: a new transport session for it. */
static void collector_use(struct collector *c, int fd,
			  const struct sockaddr_storage *addr, socklen_t len)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = fd;
	c->addr = *addr;
	c->addrlen = len;
	c->family = addr->ss_family;
	hostport_format(addr, c->peer, sizeof(c->peer));
	c->why_not[0] = '\0';
	c->said[0] = '\0';
	c->full = false;
	collector_path_mtu(c);
	c->partial.len = 0;
	if (c->formatter)
		ipfix_format_restart(c->formatter);
	ipfix_session_forget(c->session);
}

/*
 * A connected socket to the first of @r's addresses that has a route
 * (connected, so that ICMP unreachable comes back as an error): that
 * address's index, or -1 with why not in c->why_not.
 */
static int collector_connect(struct collector *c, const struct resolved *r)
{
	char addr[64];
	int i, fd, err = 0;

	for (i = 0; i < r->n; i++) {
		fd = socket(r->addr[i].ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 &&
		    !connect(fd, (const struct sockaddr *)&r->addr[i],
			     r->len[i])) {
			collector_use(c, fd, &r->addr[i], r->len[i]);
			return i;
		}
		err = errno;
		if (fd >= 0)
			close(fd);
	}
	hostport_format(&r->addr[0], addr, sizeof(addr));
	snprintf(c->why_not, sizeof(c->why_not), "cannot connect to %s%s: %s",
		 addr, r->n > 1 ? " (nor its other addresses)" : "",
		 strerror(err));
	return -1;
}

/* The index of the address @c's socket is connected to in @r, or -1. */
static int collector_among(const struct collector *c,
			   const struct resolved *r)
{
	int i;

	for (i = 0; c->fd >= 0 && i < r->n; i++)
		if (r->len[i] == c->addrlen &&
		    !memcmp(&r->addr[i], &c->addr, c->addrlen))
			return i;
	return -1;
}

/*
 * Could @host, which is no IP address, be a name to look up? Not in
 * brackets (an IPv6 address), nor all digits and dots (an IPv4 one).
 */
static bool collector_may_be_name(const char *hostport, const char *host)
{
	return hostport[0] != '[' && host[strspn(host, "0123456789.")];
}

int collector_open(struct collector *c, const char *spec, unsigned int rate,
		   char *why, size_t len)
{
	char hostport[sizeof(c->name)], host[256];
	struct resolved numeric;
	unsigned int port;
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
		err = hostport_split(hostport, host, sizeof(host), &port, why,
				     len);
	c->session = err ? NULL : calloc(1, sizeof(*c->session));
	if (!err && !c->session) {
		snprintf(why, len, "'%s': %s", spec, strerror(ENOMEM));
		err = -ENOMEM;
	}
	if (err) {
		collector_close(c);
		return err;
	}
	snprintf(c->name, sizeof(c->name), "%s", hostport);
	resolve_init(&c->resolve, host, port);
	/*
	 * A name waits for collector_tick(): a lookup started now would
	 * not survive the fork of daemon().
	 */
	c->by_name = resolve_numeric(&c->resolve, &numeric) != 0;
	if (c->by_name && !collector_may_be_name(hostport, host)) {
		snprintf(why, len, "'%s': not an IP address", spec);
		collector_close(c);
		return -EINVAL;
	}
	/* no route yet: not fatal, a tick tries again (why_not says) */
	if (!c->by_name)
		collector_connect(c, &numeric);
	return 0;
}

/* A lookup done: the socket moved to its name's addresses if need be. */
static bool collector_looked_up(struct collector *c, const struct resolved *r,
				char *news, size_t len)
{
	char was[sizeof(c->peer)], before[sizeof(c->why_not)];
	bool had = c->fd >= 0;

	c->lookups++;
	c->addrs = *r;
	c->at = collector_among(c, r);
	if (c->at >= 0)
		return false;
	snprintf(was, sizeof(was), "%s", c->peer);
	snprintf(before, sizeof(before), "%s", c->why_not);
	c->at = collector_connect(c, r);
	if (c->at < 0) {
		if (had) {
			/* the old address, while the new ones have no route */
			bool said = !strcmp(c->said, c->why_not);

			snprintf(c->said, sizeof(c->said), "%s", c->why_not);
			c->why_not[0] = '\0';
			if (said)
				return false;
			snprintf(news, len, "collector %s: %s; still sending "
				 "to %s", c->name, c->said, was);
			return true;
		}
		if (!strcmp(before, c->why_not))
			return false;	/* said already */
		snprintf(news, len, "collector %s: %s, trying again every %d s",
			 c->name, c->why_not, COLLECTOR_RETRY_MS / 1000);
		return true;
	}
	if (had) {
		c->moves++;
		snprintf(news, len, "collector %s: now at %s (was %s), a new "
			 "transport session", c->name, c->peer, was);
	} else {
		snprintf(news, len, "collector %s: sending to %s", c->name,
			 c->peer);
	}
	return true;
}

/*
 * ICMP said that the address in use takes nothing: on to the name's next
 * address, if it has another with a route.
 */
static bool collector_refused(struct collector *c, uint64_t now_ms,
			      char *news, size_t len)
{
	char was[sizeof(c->peer)];
	struct resolved others = { .n = 0 };
	int i, k;

	c->refused = false;
	if (!c->by_name || c->fd < 0 || c->at < 0 ||
	    now_ms < c->next_refused_move_ms)
		return false;
	/* the others, from the next one on, and round */
	for (k = 1; k < c->addrs.n; k++, others.n++) {
		i = (c->at + k) % c->addrs.n;
		others.addr[others.n] = c->addrs.addr[i];
		others.len[others.n] = c->addrs.len[i];
	}
	snprintf(was, sizeof(was), "%s", c->peer);
	k = others.n ? collector_connect(c, &others) : -1;
	if (k < 0) {
		c->why_not[0] = '\0';	/* still connected where it was */
		return false;
	}
	/* by its place, not its address: a name may list one twice */
	c->at = (c->at + 1 + k) % c->addrs.n;
	c->moves++;
	/* all of them refusing: a move every COLLECTOR_RETRY_MS, no faster */
	c->next_refused_move_ms = now_ms + COLLECTOR_RETRY_MS;
	snprintf(news, len, "collector %s: %s takes nothing (%s): now at %s, a "
		 "new transport session", c->name, was, strerror(c->last_icmp),
		 c->peer);
	return true;
}

bool collector_tick(struct collector *c, uint64_t now_ms,
		    unsigned int interval, char *news, size_t len)
{
	char why[sizeof(c->why_not)];
	struct resolved r;
	bool changed;
	int err;

	if (c->refused && collector_refused(c, now_ms, news, len))
		return true;
	if (c->resolve.busy) {
		err = resolve_poll(&c->resolve, &r, why, sizeof(why));
		if (err == -EINPROGRESS)
			return false;
		if (!err) {
			changed = collector_looked_up(c, &r, news, len);
			if (c->fd < 0)
				c->next_try_ms = now_ms + COLLECTOR_RETRY_MS;
			else if (interval)
				c->next_try_ms = now_ms + interval * 1000ULL;
			else
				c->next_try_ms = UINT64_MAX;
			return changed;
		}
		c->lookup_failures++;
		c->next_try_ms = now_ms + COLLECTOR_RETRY_MS;
		/* with an address still, it goes on sending there */
		if (c->fd >= 0 || !strcmp(why, c->why_not))
			return false;	/* or said already */
		snprintf(c->why_not, sizeof(c->why_not), "%s", why);
		snprintf(news, len, "collector %s: %s, trying again every %d s",
			 c->name, why, COLLECTOR_RETRY_MS / 1000);
		return true;
	}
	if (now_ms < c->next_try_ms || (!c->by_name && c->fd >= 0))
		return false;
	c->next_try_ms = now_ms + COLLECTOR_RETRY_MS;
	if (!c->by_name) {
		/* an address that had no route at start */
		if (resolve_numeric(&c->resolve, &r) ||
		    collector_connect(c, &r) < 0)
			return false;
		snprintf(news, len, "collector %s: sending to %s", c->name,
			 c->peer);
		return true;
	}
	err = resolve_start(&c->resolve, why, sizeof(why));
	if (err && c->fd < 0)
		snprintf(c->why_not, sizeof(c->why_not), "%s", why);
	return false;
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
	resolve_cancel(&c->resolve);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->formatter);
	free(c->formatted);
	free(c->session);
	c->formatter = NULL;
	c->formatted = NULL;
	c->session = NULL;
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
	uint64_t now;
	ssize_t n;

	if (c->fd < 0) {
		c->failed++;
		c->last_errno = ENOTCONN;
		return -ENOTCONN;
	}
	now = pace_now_ns();
	if (!pace_room(&c->pace, now, 1, &c->turn_ns))
		return -EBUSY;
	n = collector_send_once(c, msg, len);
	if (n < 0 && collector_stale_error(errno)) {
		c->icmp_errors++;	/* an earlier datagram was lost */
		c->last_icmp = errno;
		c->refused = true;
		/* this one's own, if it fails again (no route now) */
		n = collector_send_once(c, msg, len);
	}
	c->full = n < 0 && errno == EAGAIN;
	if (n == (ssize_t)len) {
		pace_took(&c->pace, now);
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
 * How big @c's datagrams of a message are: one packet of the path, where
 * it is known. A @retry of a message sent in part is cut as the first try
 * was, so that what went is skipped exactly, whatever the path became
 * since.
 */
static size_t collector_datagram_max(const struct collector *c, bool retry)
{
	size_t fits = udp_payload_max(c->family, c->path_mtu);

	if (retry)
		return c->partial.fits;
	if (fits < 512)		/* the path not known: a datagram's most */
		fits = udp_payload_max(c->family, 1 << 20);
	return fits;
}

/*
 * The length of the datagram at @off of the @n bytes formatted for @c
 * (each an IPFIX message, its length in its header), 0 past the last.
 */
static size_t collector_formatted_at(const struct collector *c, size_t off,
				     size_t n)
{
	size_t one;

	if (off + CTIPFIX_IPFIX_HDR_LEN > n)
		return 0;
	one = c->formatted[off + 2] << 8 | c->formatted[off + 3];
	return one < CTIPFIX_IPFIX_HDR_LEN ? 0 : one;
}

/* Room in @c's pace for all the datagrams of the @n bytes formatted. */
static bool collector_room(struct collector *c, size_t n)
{
	unsigned int count = 0;
	size_t off, one;

	for (off = 0; (one = collector_formatted_at(c, off, n)); off += one)
		count++;
	return pace_room(&c->pace, pace_now_ns(), count, &c->turn_ns);
}

/*
 * @msg in @c's format. @tracked: a module message, whose datagrams that
 * went are remembered for its retry; not so a primer, which holds only
 * templates (sent again whole, they are the same templates), and which
 * could otherwise pass for a message it shares a header and a length with.
 */
static int collector_send_formatted(struct collector *c, const uint8_t *msg,
				    size_t len, bool tracked)
{
	bool same = tracked && collector_same_message(c, msg, len);
	size_t fits = collector_datagram_max(c, same), n, off, one;
	unsigned int i, skip = 0;
	int err = 0;

	if (!c->formatter)
		return collector_send(c, msg, len);
	n = ipfix_format_message(c->formatter, msg, len, c->formatted,
				 COLLECTOR_FORMATTED_ROOM, fits);
	if (!n)
		return -ENODATA;
	/*
	 * A primer goes whole or not at all: sent in part and then again
	 * whole, it could take every turn there is and its message none.
	 * (Templates are 16 KiB at most, datagrams 512 bytes at least: a
	 * primer is far less than a burst.)
	 */
	if (!tracked && !collector_room(c, n))
		return -EBUSY;
	/* a retry: what went of it last time does not go twice */
	if (same)
		skip = c->partial.sent;
	if (tracked) {
		c->current.len = len;
		memcpy(c->current.header, msg, sizeof(c->current.header));
	}
	/* in order, up to the first that fails: the rest wait for the retry */
	for (off = 0, i = 0; (one = collector_formatted_at(c, off, n));
	     off += one, i++) {
		if (i >= skip)
			err = collector_send(c, c->formatted + off, one);
		if (err)
			break;
		/* what it was sent, its in-band statistics count */
		ipfix_format_sent(c->formatter, i);
	}
	if (!tracked)
		return err;
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

int collector_send_message(struct collector *c, const uint8_t *msg,
			   size_t len)
{
	return collector_send_formatted(c, msg, len, true);
}

/*
 * The message last tried is final: its partial sending, if any, is over
 * (another collector took it). Primers never come here: they are sent
 * untracked, and collector_deliver() commits their formatting itself.
 */
void collector_commit(struct collector *c)
{
	if (c->formatter)
		ipfix_format_commit(c->formatter);
	/* the header is all of a message collector_same_message() reads */
	if (collector_same_message(c, c->current.header, c->current.len))
		c->partial.len = 0;
}

int collector_deliver(struct collector *c, const uint8_t *msg, size_t len,
		      uint8_t *primer, size_t room)
{
	size_t n;
	int err;

	if (c->fd < 0)
		return collector_send(c, msg, len);
	n = ipfix_session_prime(c->session, msg, len, primer, room);
	if (n) {
		err = collector_send_formatted(c, primer, n, false);
		if (err && err != -ENODATA) {
			/* no data before its templates: all of it next time */
			ipfix_session_unprime(c->session, msg, len, false);
			if (err != -EAGAIN)
				c->full = false;
			return err;
		}
		/* sent whole (or nothing in @c's format): final */
		if (c->formatter)
			ipfix_format_commit(c->formatter);
		if (!err)
			ipfix_session_primer_sent(c->session);
	}
	err = collector_send_message(c, msg, len);
	/*
	 * Not taken: the templates it was to bring (a primer's, or its own
	 * sets') are not @c's, even if another collector took it. Not its
	 * turn yet, or no room in its socket yet, the primer went and stays:
	 * the message follows it when it can (or collector_lost() says it
	 * never will).
	 */
	if (err && err != -ENODATA && err != -EBUSY && err != -EAGAIN)
		ipfix_session_unprime(c->session, msg, len, false);
	/*
	 * Only a send that found no room leaves @c waiting for POLLOUT;
	 * with nothing for it (-ENODATA) no send tried, and an earlier
	 * one's full buffer is no longer known.
	 */
	if (err != -EAGAIN)
		c->full = false;
	return err;
}

void collector_lost(struct collector *c, const uint8_t *msg, size_t len)
{
	/*
	 * Tried in part, it is over; the templates it brought, if any, @c
	 * never got, but a primer that went in front of it @c did.
	 */
	collector_commit(c);
	ipfix_session_unprime(c->session, msg, len, true);
}

void collector_restart(struct collector *c, const uint8_t *set, size_t len)
{
	c->partial.len = 0;
	if (c->formatter) {
		/* nothing of the last relay's is left to count later */
		ipfix_format_commit(c->formatter);
		ipfix_format_restart(c->formatter);
		ipfix_format_learn(c->formatter, set, len);
	}
	ipfix_session_start(c->session, set, len);
}

void collector_print(const struct collector *c, int i, FILE *f)
{
	char name[48];

	snprintf(name, sizeof(name), "collector.%d.address", i);
	daemon_stats_put_text(f, name, c->name);
	snprintf(name, sizeof(name), "collector.%d.state", i);
	if (c->fd >= 0)
		daemon_stats_put_text(f, name, c->peer);
	else
		daemon_stats_put_text(f, name, c->why_not[0] ? c->why_not :
				      "looking up its name");
	daemon_stats_put_collector(f, i, "lookups", c->lookups);
	daemon_stats_put_collector(f, i, "lookup_failures",
				   c->lookup_failures);
	daemon_stats_put_collector(f, i, "moves", c->moves);
	daemon_stats_put_collector(f, i, "templates_primed",
				   c->session->primed_messages);
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
