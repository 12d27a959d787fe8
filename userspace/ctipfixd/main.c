// SPDX-License-Identifier: GPL-2.0
/*
 * ctipfixd: carries the IPFIX messages ctipfix.ko writes into its relay
 * channel to UDP collectors. Woken by the module's netlink hint, and by a
 * short poll timeout as well, because hints can be lost. What it reads
 * waits in its queue until each collector's turn (queue.h); it
 * acknowledges what a collector took, so that what it read and could not
 * send before it was killed is read again by the next ctipfixd.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "ctipfix_nl.h"
#include "daemon_stats.h"
#include "ipfix_session.h"
#include "ipfix_stream.h"
#include "queue.h"
#include "uint_arg.h"

#define MAX_COLLECTORS		QUEUE_MAX_READERS
#define POLL_MS			100
/* SIGTERM: how long what waits for a collector's turn may still go */
#define STOP_DRAIN_MS		5000
#define DEFAULT_COLLECTOR	"127.0.0.1:4739"
#define DEFAULT_RELAY		"/sys/kernel/debug/" CTIPFIX_RELAY_DIR "/" \
				CTIPFIX_RELAY_FILE0

struct daemon {
	struct collector collectors[MAX_COLLECTORS];
	int n_collectors;
	unsigned int lookup_interval;	/* s between lookups of a name */
	struct ipfix_stream stream;
	struct queue queue;		/* read, and not every collector's yet */
	unsigned int queue_kb;
	uint8_t primer[65536];		/* a template message to send first */
	struct ctipfix_nl nl;		/* subscribed to the data hints */
	struct ctipfix_nl ctl;		/* requests: acknowledgments */
	const char *relay;
	int relay_fd;			/* -1: the module is not there */
	char waiting[512];		/* ... and why, as attach() said */
	uint64_t read_bytes;
	uint64_t read_errors;
	uint64_t attach_read;		/* bytes read since the relay opened */
	uint64_t attach_acked;		/* ... and acknowledged as sent */
	uint64_t ack_errors;
	uint64_t held;			/* times no collector took a message */
	bool holding;			/* one waits for a collector now */
	bool queue_full;		/* reading waits for room in the queue */
	bool undeliverable_said;	/* the first such message was logged */
	uint64_t next_attach_ms;	/* detached: the next try */
	const char *stats_file;
	bool stats_failed;		/* said once that it cannot be written */
	bool detached;			/* stderr is /dev/null: use syslog */
};

static volatile sig_atomic_t stop_requested, stats_requested;

/* A diagnostic: on stderr, or in syslog once detached. */
static void say(const struct daemon *d, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (d->detached) {
		vsyslog(prio, fmt, ap);
	} else {
		fputs("ctipfixd: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_requested = 1;
	else
		stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ctipfixd [--collector HOST:PORT[,format=F][,rate=N]]...\n"
		"                [--foreground] [--rate N] [--relay FILE]\n"
		"                [--stats-file FILE] [--lookup-interval S]\n"
		"                [--queue KIB]\n"
		"  --collector  UDP collector, repeatable (default %s);\n"
		"               IPv6 as [ADDR]:PORT; F is what it is sent:\n"
		"               uniflow (two records a flow, the default),\n"
		"               standard (IANA field lengths) or biflow (RFC 5103,\n"
		"               as the module writes it); rate=N its own --rate\n"
		"  --foreground do not detach\n"
		"  --lookup-interval  seconds between lookups of a collector's\n"
		"               name (default %d, 0: only until it has an\n"
		"               address); a name that does not resolve, or an\n"
		"               address with no route, is tried every %d s\n"
		"  --queue      KiB of messages a collector may fall behind the\n"
		"               others by before it loses the oldest (default\n"
		"               %d, %d..%d)\n"
		"  --rate       datagrams a second to each collector, after a\n"
		"               burst of %d (default %d, 0: as fast as read)\n"
		"  --relay      relay file (default %s)\n"
		"  --stats-file where counters are kept for ctipfixctl (default %s)\n",
		DEFAULT_COLLECTOR, COLLECTOR_LOOKUP_INTERVAL,
		COLLECTOR_RETRY_MS / 1000, QUEUE_DEFAULT_KB, QUEUE_MIN_KB,
		QUEUE_MAX_KB, PACE_BURST, PACE_DEFAULT_RATE,
		DEFAULT_RELAY,
		CTIPFIXD_STATS_FILE);
}

/* The counters, one "name value" line each (daemon_stats.h). */
static void print_stats(const struct daemon *d, FILE *f)
{
	const struct {
		const char *name;
		uint64_t value;
	} counters[] = {
		{ "read_bytes", d->read_bytes },
		{ "read_messages", d->stream.messages },
		{ "read_errors", d->read_errors },
		{ "bad_bytes", d->stream.bad_bytes },
		{ "ack_errors", d->ack_errors },
		{ "held", d->held },
		/* a gauge: 1 while a message waits for a collector */
		{ "holding", d->holding },
		{ "undeliverable", d->queue.taken_by_none },
		/* gauges: messages read and not yet every collector's */
		{ "queued", d->queue.head - d->queue.tail },
		{ "queued_bytes", d->queue.bytes },
	};
	uint64_t primed = 0;
	size_t i;

	daemon_stats_put_text(f, "module", d->relay_fd >= 0 ? "attached" :
			      d->waiting);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		daemon_stats_put(f, counters[i].name, counters[i].value);
	/* template messages sent, to all collectors */
	for (i = 0; i < (size_t)d->n_collectors; i++)
		primed += d->collectors[i].session->primed_messages;
	daemon_stats_put(f, "templates_primed", primed);
	for (i = 0; i < (size_t)d->n_collectors; i++) {
		collector_print(&d->collectors[i], (int)i, f);
		daemon_stats_put_collector(f, (int)i, "messages",
					   d->queue.passed[i]);
		daemon_stats_put_collector(f, (int)i, "queued",
					   queue_behind(&d->queue, i));
		daemon_stats_put_collector(f, (int)i, "lagged",
					   d->queue.lagged[i]);
	}
	fflush(f);
}

/* The counters, as on stderr, line by line into syslog when detached. */
static void report_stats(const struct daemon *d)
{
	char *text = NULL, *line, *save;
	size_t len;
	FILE *f;

	if (!d->detached) {
		print_stats(d, stderr);
		return;
	}
	f = open_memstream(&text, &len);
	if (!f)
		return;
	print_stats(d, f);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		syslog(LOG_INFO, "%s", line);
	free(text);
}

/*
 * Written whole under a name of its own (mkstemp: never through a link
 * someone left there) and renamed over the file, so ctipfixctl never sees
 * half of it. World-readable whatever the umask: counters, no secrets.
 */
static int write_stats_file_once(const struct daemon *d)
{
	char tmp[4096];
	int fd, err;
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", d->stats_file) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	f = fchmod(fd, 0644) ? NULL : fdopen(fd, "w");
	if (!f) {
		err = errno;	/* what failed, not the clean-up */
		close(fd);
		unlink(tmp);
		return -err;
	}
	daemon_stats_put(f, "pid", (uint64_t)getpid());
	daemon_stats_put(f, "updated", (uint64_t)time(NULL));
	print_stats(d, f);
	if (fclose(f) || rename(tmp, d->stats_file)) {
		err = errno;
		unlink(tmp);
		return -err;
	}
	return 0;
}

static void write_stats_file(struct daemon *d)
{
	int err = write_stats_file_once(d);

	if (err && !d->stats_failed)
		say(d, LOG_WARNING, "cannot write %s: %s (ctipfixctl will not "
		    "see the counters)", d->stats_file, strerror(-err));
	d->stats_failed = err;
}

/* The first message that went to @c as IP fragments: say so, once. */
static void say_fragmented(struct daemon *d, struct collector *c, size_t len)
{
	size_t fits = udp_payload_max(c->family, c->path_mtu);

	if (!c->fragmented || c->fragment_said)
		return;
	c->fragment_said = true;
	say(d, LOG_WARNING, "collector %s: a %zu-byte message goes out in IP "
	    "fragments (path MTU %u: %zu bytes a packet), and one fragment "
	    "lost loses it all; a max_msg_size of %zu avoids that (counted as "
	    "fragmented)", c->name, len, c->path_mtu, fits, fits);
}

/*
 * A send that failed for a reason that can clear (no route, a firewall,
 * no buffer, nobody listening, no address yet, not its turn): the
 * message waits for a retry. One too big for the path never goes.
 */
static bool send_may_clear(int err)
{
	return err && err != -ENODATA && err != -EMSGSIZE;
}

/*
 * Not now for @c: its next datagram's turn has not come, or its last send
 * failed for a reason that takes time to clear (tried every POLL_MS).
 */
static bool feed_later(const struct collector *c, uint64_t now_ns)
{
	if (c->waits_turn)
		return !c->full && now_ns < c->turn_ns;
	return now_ns < c->retry_ns;
}

/*
 * Collector @i's turn: what it has not had yet, in order, each after the
 * templates its session has not had, up to the first that does not go.
 */
static void feed(struct daemon *d, unsigned int i)
{
	struct collector *c = &d->collectors[i];
	const struct queue_msg *m;
	uint64_t now = pace_now_ns();
	int err;

	if (!queue_peek(&d->queue, i)) {
		c->waits_turn = false;
		return;
	}
	if (feed_later(c, now))
		return;
	c->waits_turn = false;
	while ((m = queue_peek(&d->queue, i))) {
		err = collector_deliver(c, m->data, m->len, d->primer,
					sizeof(d->primer));
		say_fragmented(d, c, m->len);
		if (send_may_clear(err)) {
			/* its pace or its socket's room will let it go */
			c->waits_turn = err == -EBUSY || err == -EAGAIN;
			if (!c->waits_turn)
				c->retry_ns = now + POLL_MS * 1000000ULL;
			break;
		}
		/*
		 * Sent, or gone for good: its sequence numbers move on (the
		 * collector sees a gap if it missed it).
		 */
		collector_commit(c);
		queue_pass(&d->queue, i, !err ? QUEUE_TOOK :
			   err == -ENODATA ? QUEUE_NOTHING : QUEUE_TOO_BIG);
	}
}

/* Every collector's turn; a message none could ever take is said once. */
static void feed_all(struct daemon *d)
{
	int i;

	for (i = 0; i < d->n_collectors; i++)
		feed(d, i);
	if (d->queue.taken_by_none && !d->undeliverable_said) {
		say(d, LOG_ERR, "a message fits no collector's path, "
		    "dropped (counted as undeliverable)");
		d->undeliverable_said = true;
	}
}

/* @c never gets @m: it fell a whole queue behind the others. */
static void lagged(void *ctx, unsigned int i, const struct queue_msg *m)
{
	struct daemon *d = ctx;

	collector_lost(&d->collectors[i], m->data, m->len);
}

/*
 * The whole messages read so far into the queue, while it has room (made
 * at the cost of a collector a whole queue behind the others). Returns
 * false if one waits for room: no collector has taken the oldest.
 */
static bool queue_read(struct daemon *d)
{
	const uint8_t *msg;
	uint64_t end;
	size_t len;

	while ((len = ipfix_stream_next(&d->stream, &msg))) {
		end = d->attach_read - ipfix_stream_behind(&d->stream);
		while (!queue_fits(&d->queue, len) &&
		       queue_shed(&d->queue, lagged, d))
			;
		if (queue_push(&d->queue, msg, len, end)) {
			ipfix_stream_keep(&d->stream);
			return false;
		}
	}
	return true;
}

/*
 * Holding: the first message no collector took yet waits, and every
 * collector at it failed for a reason other than its turn or its room.
 */
static bool holding(const struct daemon *d)
{
	int i;

	if (!queue_unsettled(&d->queue))
		return false;
	for (i = 0; i < d->n_collectors; i++)
		if (queue_at_unsettled(&d->queue, i) &&
		    d->collectors[i].waits_turn)
			return false;
	return true;
}

/*
 * Open the relay file, fetch the template set, ask the module to keep what
 * is read until it is acknowledged, and join the netlink group: the
 * module's, as loaded now. Starts a new transport session: what the queue
 * still holds of the last one, a collector never gets. Returns 0, or a
 * negative errno with @why set.
 */
static int attach(struct daemon *d, char *why, size_t len)
{
	uint8_t set[IPFIX_SESSION_MAX_TEMPLATES];
	size_t set_len = 0;
	int err;

	d->relay_fd = open(d->relay, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (d->relay_fd < 0) {
		err = -errno;
		snprintf(why, len, "cannot open %s: %s (%s)", d->relay,
			 strerror(-err), err == -EBUSY ?
			 "another reader has it open: a second ctipfixd?" :
			 "is ctipfix.ko loaded and debugfs mounted?");
		return err;
	}
	err = ctipfix_nl_open(&d->nl);
	if (!err)
		err = ctipfix_nl_get_templates(&d->nl, set, sizeof(set),
					       &set_len);
	if (!err)
		err = ctipfix_nl_open(&d->ctl);
	if (!err)
		err = ctipfix_nl_relay_ack(&d->ctl, 0);
	if (!err)
		err = ctipfix_nl_subscribe(&d->nl);
	if (err) {
		snprintf(why, len, "netlink family %s: %s", CTIPFIX_GENL_NAME,
			 strerror(-err));
		ctipfix_nl_close(&d->ctl);
		ctipfix_nl_close(&d->nl);
		close(d->relay_fd);
		d->relay_fd = -1;
		return err;
	}
	d->attach_read = 0;
	d->attach_acked = 0;
	queue_clear(&d->queue);
	d->holding = false;
	d->queue_full = false;
	for (int i = 0; i < d->n_collectors; i++)
		collector_restart(&d->collectors[i], set, set_len);
	return 0;
}

/*
 * The module went away: wait for it to come back. What the queue holds
 * still goes to the collectors meanwhile.
 */
static void detach(struct daemon *d)
{
	snprintf(d->waiting, sizeof(d->waiting), "waiting: the relay closed "
		 "(module unloaded?)");
	say(d, LOG_NOTICE, "relay closed (module unloaded?), waiting for it "
	    "to return");
	ctipfix_nl_close(&d->ctl);
	ctipfix_nl_close(&d->nl);
	close(d->relay_fd);
	d->relay_fd = -1;
	/* a message cut short by the unload cannot be completed */
	ipfix_stream_reset(&d->stream);
}

/* Every settled message (queue.h) is acknowledged. */
static void acknowledge(struct daemon *d)
{
	uint64_t sent = d->queue.acked_end;

	if (sent == d->attach_acked)
		return;
	if (ctipfix_nl_relay_ack(&d->ctl, sent))
		d->ack_errors++;
	else
		d->attach_acked = sent;
}

/*
 * Each collector's turn, then read what the relay holds into the queue,
 * while it has room, and so on until the relay has no more.
 */
static void drain_relay(struct daemon *d)
{
	uint8_t *space;
	size_t room;
	ssize_t n;
	bool more, now_holding;

	for (;;) {
		more = d->relay_fd >= 0 && queue_read(d);
		feed_all(d);
		if (d->relay_fd < 0)
			break;
		acknowledge(d);
		/* what the collectors took may have made room: feed it */
		if (!more && queue_read(d) && !stop_requested)
			continue;
		d->queue_full = !more;
		/* read on once the queue has room; stopping, read no more */
		if (!more || stop_requested)
			break;
		space = ipfix_stream_space(&d->stream, &room);
		n = read(d->relay_fd, space, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			/* ENODEV: unloading, and all it had was read */
			if (errno != ENODEV)
				d->read_errors++;
			detach(d);
			break;
		}
		if (n <= 0)
			break;
		d->read_bytes += n;
		d->attach_read += n;
		ipfix_stream_filled(&d->stream, n);
	}
	now_holding = holding(d);
	if (now_holding && !d->holding)
		d->held++;
	d->holding = now_holding;
}

static int open_collectors(struct daemon *d, const char **specs, int n,
			   unsigned int rate)
{
	char why[512];
	int i;

	for (i = 0; i < n; i++) {
		if (collector_open(&d->collectors[i], specs[i], rate, why,
				   sizeof(why))) {
			fprintf(stderr, "ctipfixd: bad collector %s\n", why);
			return 2;
		}
		d->n_collectors++;
		if (d->collectors[i].why_not[0])
			fprintf(stderr, "ctipfixd: collector %s: %s, trying "
				"again every %d s\n", d->collectors[i].name,
				d->collectors[i].why_not,
				COLLECTOR_RETRY_MS / 1000);
	}
	return 0;
}

/* seconds, 0 (only until a name has an address) up to a day */
#define MAX_LOOKUP_INTERVAL	86400

static int parse_args(struct daemon *d, int argc, char **argv,
		      int *foreground, const char **relay)
{
	static const struct option opts[] = {
		{ "collector", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "rate", required_argument, NULL, 'R' },
		{ "relay", required_argument, NULL, 'r' },
		{ "stats-file", required_argument, NULL, 's' },
		{ "lookup-interval", required_argument, NULL, 'L' },
		{ "queue", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *specs[MAX_COLLECTORS] = { DEFAULT_COLLECTOR };
	unsigned int rate = PACE_DEFAULT_RATE;
	int n_specs = 0, opt;

	while ((opt = getopt_long(argc, argv, "c:fR:r:s:L:q:h", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (n_specs == MAX_COLLECTORS) {
				fprintf(stderr, "ctipfixd: at most %d collectors\n",
					MAX_COLLECTORS);
				return 2;
			}
			specs[n_specs++] = optarg;
			break;
		case 'f':
			*foreground = 1;
			break;
		case 'R':
			if (pace_parse_rate(optarg, &rate)) {
				fprintf(stderr, "ctipfixd: bad rate '%s': datagrams a second, 0..%d\n",
					optarg, PACE_MAX_RATE);
				return 2;
			}
			break;
		case 'r':
			*relay = optarg;
			break;
		case 's':
			d->stats_file = optarg;
			break;
		case 'L':
			if (uint_arg_parse(optarg, MAX_LOOKUP_INTERVAL,
					   &d->lookup_interval)) {
				fprintf(stderr, "ctipfixd: bad lookup interval "
					"'%s': seconds, 0..%d\n", optarg,
					MAX_LOOKUP_INTERVAL);
				return 2;
			}
			break;
		case 'q':
			if (uint_arg_parse(optarg, QUEUE_MAX_KB, &d->queue_kb) ||
			    d->queue_kb < QUEUE_MIN_KB) {
				fprintf(stderr, "ctipfixd: bad queue '%s': KiB, "
					"%d..%d\n", optarg, QUEUE_MIN_KB,
					QUEUE_MAX_KB);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ctipfixd: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	return open_collectors(d, specs, n_specs ? n_specs : 1, rate);
}

/* Milliseconds of the monotonic clock. */
static uint64_t now_ms(void)
{
	return pace_now_ns() / 1000000;
}

/* Waiting for the module: try to attach again, every POLL_MS. */
static void reattach(struct daemon *d)
{
	char why[sizeof(d->waiting) - 16];

	if (now_ms() < d->next_attach_ms)
		return;
	d->next_attach_ms = now_ms() + POLL_MS;
	if (attach(d, why, sizeof(why))) {
		snprintf(d->waiting, sizeof(d->waiting), "waiting: %s", why);
		return;
	}
	say(d, LOG_NOTICE, "module back, reading");
}

/*
 * How long a round may wait, in ms: POLL_MS, or less when a collector's
 * next datagram is due sooner.
 */
static int round_ms(const struct daemon *d)
{
	uint64_t now = pace_now_ns(), first = now + POLL_MS * 1000000ULL;
	const struct collector *c;
	int i;

	for (i = 0; i < d->n_collectors; i++) {
		c = &d->collectors[i];
		if (c->waits_turn && !c->full && c->turn_ns < first)
			first = c->turn_ns;
	}
	return first <= now ? 0 : (int)((first - now + 999999) / 1000000);
}

/*
 * Wait for what may let something go: a hint, data in the relay (while
 * the queue has room, or this would spin), room in the socket of each
 * collector whose send found none (EAGAIN), or a collector's turn.
 */
static void wait_round(struct daemon *d)
{
	struct pollfd pfd[2 + MAX_COLLECTORS];
	int n = 0, i;

	if (d->relay_fd >= 0) {
		pfd[n].fd = ctipfix_nl_fd(&d->nl);
		pfd[n++].events = POLLIN;
		/* stopping, nothing more is read */
		if (!d->queue_full && !stop_requested) {
			pfd[n].fd = d->relay_fd;
			pfd[n++].events = POLLIN;
		}
	}
	for (i = 0; i < d->n_collectors; i++) {
		if (!d->collectors[i].full || !d->collectors[i].waits_turn)
			continue;
		pfd[n].fd = d->collectors[i].fd;
		pfd[n++].events = POLLOUT;
	}
	if (poll(pfd, n, round_ms(d)) > 0 && d->relay_fd >= 0 &&
	    (pfd[0].revents & POLLIN))
		ctipfix_nl_drain(&d->nl);
}

/*
 * SIGTERM: what was read still goes, each collector at its pace, while
 * one waits only for its turn or its socket's room, for STOP_DRAIN_MS at
 * most. What no collector took stays unacknowledged in the relay.
 */
static void finish(struct daemon *d)
{
	uint64_t deadline = now_ms() + STOP_DRAIN_MS;
	bool waiting;
	int i;

	for (;;) {
		drain_relay(d);
		waiting = false;
		for (i = 0; i < d->n_collectors; i++)
			waiting |= d->collectors[i].waits_turn;
		if (!waiting || now_ms() >= deadline)
			break;
		wait_round(d);
	}
}

/* Names looked up, addresses connected, when due: and said. */
static void tick_collectors(struct daemon *d)
{
	uint64_t now = now_ms();
	char news[1024];
	int i;

	for (i = 0; i < d->n_collectors; i++)
		if (collector_tick(&d->collectors[i], now, d->lookup_interval,
				   news, sizeof(news)))
			say(d, LOG_NOTICE, "%s", news);
}

static void run(struct daemon *d)
{
	time_t last_stats = 0;

	while (!stop_requested) {
		tick_collectors(d);
		/* the stats, "module waiting: why" included, go on meanwhile */
		if (d->relay_fd < 0)
			reattach(d);
		wait_round(d);
		drain_relay(d);
		if (stats_requested) {
			stats_requested = 0;
			report_stats(d);
		}
		if (time(NULL) != last_stats) {
			last_stats = time(NULL);
			/* routes change: the path MTU as of this second */
			for (int i = 0; i < d->n_collectors; i++)
				collector_path_mtu(&d->collectors[i]);
			write_stats_file(d);
		}
	}
	finish(d);
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct sigaction sa = { .sa_handler = on_signal };
	int foreground = 0, err, i;
	char why[512];

	d.stats_file = CTIPFIXD_STATS_FILE;
	d.lookup_interval = COLLECTOR_LOOKUP_INTERVAL;
	d.relay = DEFAULT_RELAY;
	d.queue_kb = QUEUE_DEFAULT_KB;
	err = parse_args(&d, argc, argv, &foreground, &d.relay);
	if (err)
		return err;
	queue_init(&d.queue, d.n_collectors, (size_t)d.queue_kb * 1024);

	/* at start the module must be there; later it may come and go */
	if (attach(&d, why, sizeof(why))) {
		fprintf(stderr, "ctipfixd: %s\n", why);
		return 1;
	}
	if (!foreground) {
		if (daemon(0, 0)) {
			fprintf(stderr, "ctipfixd: daemon: %s\n",
				strerror(errno));
			return 1;
		}
		openlog("ctipfixd", LOG_PID, LOG_DAEMON);
		d.detached = true;
	}
	write_stats_file(&d);

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	run(&d);

	report_stats(&d);
	/* a stopped daemon's counters are not live ones */
	unlink(d.stats_file);
	for (i = 0; i < d.n_collectors; i++)
		collector_close(&d.collectors[i]);
	queue_clear(&d.queue);
	if (d.relay_fd >= 0) {
		ctipfix_nl_close(&d.ctl);
		ctipfix_nl_close(&d.nl);
		close(d.relay_fd);
	}
	return 0;
}
