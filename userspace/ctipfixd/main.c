// SPDX-License-Identifier: GPL-2.0
/*
 * ctipfixd: carries the IPFIX messages ctipfix.ko writes into its relay
 * channel to UDP collectors. Woken by the module's netlink hint, and by a
 * short poll timeout as well, because hints can be lost. It acknowledges
 * what it has sent, so that what it read and could not send before it was
 * killed is read again by the next ctipfixd.
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
#include "uint_arg.h"

#define MAX_COLLECTORS		16
#define POLL_MS			100
#define DEFAULT_COLLECTOR	"127.0.0.1:4739"
#define DEFAULT_RELAY		"/sys/kernel/debug/" CTIPFIX_RELAY_DIR "/" \
				CTIPFIX_RELAY_FILE0

struct daemon {
	struct collector collectors[MAX_COLLECTORS];
	int n_collectors;
	unsigned int lookup_interval;	/* s between lookups of a name */
	struct ipfix_stream stream;
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
	uint64_t undeliverable;		/* messages no collector ever can */
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
		"  --rate       datagrams a second to each collector, after a\n"
		"               burst of %d (default %d, 0: as fast as read)\n"
		"  --relay      relay file (default %s)\n"
		"  --stats-file where counters are kept for ctipfixctl (default %s)\n",
		DEFAULT_COLLECTOR, COLLECTOR_LOOKUP_INTERVAL,
		COLLECTOR_RETRY_MS / 1000, PACE_BURST, PACE_DEFAULT_RATE,
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
		{ "undeliverable", d->undeliverable },
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
	for (i = 0; i < (size_t)d->n_collectors; i++)
		collector_print(&d->collectors[i], (int)i, f);
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

/* What became of a message: some collector took it, none did yet, none can. */
enum delivery { TAKEN, HELD, UNDELIVERABLE };

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
 * Each collector gets @msg, after the templates its session has not had.
 * A send that fails for a reason that can clear (no route, a firewall, no
 * buffer, nobody listening, no address yet) holds the message for a retry;
 * one too big for every path never goes.
 */
static enum delivery send_message(struct daemon *d, const uint8_t *msg,
				  size_t len)
{
	enum delivery got = UNDELIVERABLE;
	bool nothing = false;
	int i, err;

	for (i = 0; i < d->n_collectors; i++) {
		err = collector_deliver(&d->collectors[i], msg, len,
					d->primer, sizeof(d->primer));
		say_fragmented(d, &d->collectors[i], len);
		if (!err)
			got = TAKEN;
		else if (err == -ENODATA)
			nothing = true;	/* nothing for it: no reason to hold */
		else if (err != -EMSGSIZE && got == UNDELIVERABLE)
			got = HELD;
	}
	if (got == UNDELIVERABLE && nothing)
		got = TAKEN;
	/*
	 * Sent, or gone for good: the sequence numbers of each collector's
	 * format move on (a collector that missed it sees the gap). Held,
	 * the retry numbers it again.
	 */
	if (got != HELD)
		for (i = 0; i < d->n_collectors; i++)
			collector_commit(&d->collectors[i]);
	return got;
}

/*
 * Send the whole messages read so far. A message no collector took stays
 * first, unacknowledged, for the next try: the module keeps what follows
 * (relay, then its backlog) meanwhile. Returns false if one is held.
 */
static bool send_read(struct daemon *d)
{
	const uint8_t *msg;
	size_t len;

	while ((len = ipfix_stream_next(&d->stream, &msg))) {
		switch (send_message(d, msg, len)) {
		case TAKEN:
			break;
		case HELD:
			ipfix_stream_keep(&d->stream);
			d->held++;
			return false;
		case UNDELIVERABLE:
			if (!d->undeliverable++)
				say(d, LOG_ERR, "a %zu-byte message fits no "
				    "collector's path, dropped (counted as "
				    "undeliverable)", len);
			break;
		}
	}
	return true;
}

/*
 * Open the relay file, fetch the template set, ask the module to keep what
 * is read until it is acknowledged, and join the netlink group: the
 * module's, as loaded now. Starts a new transport session. Returns 0, or a
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
	for (int i = 0; i < d->n_collectors; i++)
		collector_restart(&d->collectors[i], set, set_len);
	return 0;
}

/* The module went away: wait for it to come back. */
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

/* Everything read but the start of a message yet to come was sent. */
static void acknowledge(struct daemon *d)
{
	uint64_t sent = d->attach_read - d->stream.len;

	if (sent == d->attach_acked)
		return;
	if (ctipfix_nl_relay_ack(&d->ctl, sent))
		d->ack_errors++;
	else
		d->attach_acked = sent;
}

/* Read everything the relay holds now and send each whole message. */
static void drain_relay(struct daemon *d)
{
	uint8_t *space;
	size_t room;
	ssize_t n;

	for (;;) {
		/* what could not go last time goes first, or nothing is read */
		d->holding = !send_read(d);
		if (d->holding)
			break;
		acknowledge(d);
		space = ipfix_stream_space(&d->stream, &room);
		n = read(d->relay_fd, space, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			/* ENODEV: unloading, and all it had was read */
			if (errno != ENODEV)
				d->read_errors++;
			detach(d);
			return;
		}
		if (n <= 0)
			break;
		d->read_bytes += n;
		d->attach_read += n;
		ipfix_stream_filled(&d->stream, n);
	}
	acknowledge(d);
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
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *specs[MAX_COLLECTORS] = { DEFAULT_COLLECTOR };
	unsigned int rate = PACE_DEFAULT_RATE;
	int n_specs = 0, opt;

	while ((opt = getopt_long(argc, argv, "c:fR:r:s:L:h", opts,
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

/* Waiting for the module: try to attach again; true once attached. */
static bool reattach(struct daemon *d)
{
	char why[sizeof(d->waiting) - 16];

	poll(NULL, 0, POLL_MS);
	if (attach(d, why, sizeof(why))) {
		snprintf(d->waiting, sizeof(d->waiting), "waiting: %s", why);
		return false;
	}
	say(d, LOG_NOTICE, "module back, reading");
	return true;
}

/* One round with the module there: hints, and what the relay holds. */
static void read_round(struct daemon *d)
{
	struct pollfd pfd[2 + MAX_COLLECTORS] = {
		{ .events = POLLIN }, { .events = POLLIN }
	};
	int n = 2, i;

	pfd[0].fd = ctipfix_nl_fd(&d->nl);
	pfd[1].fd = d->relay_fd;
	/*
	 * Holding a message, the relay stays readable: wait out the round on
	 * netlink alone, or this would spin, and for room in the socket of
	 * each collector whose send found none (EAGAIN).
	 */
	if (d->holding) {
		n = 1;
		for (i = 0; i < d->n_collectors; i++) {
			if (!d->collectors[i].full)
				continue;
			pfd[n].fd = d->collectors[i].fd;
			pfd[n++].events = POLLOUT;
		}
	}
	if (poll(pfd, n, POLL_MS) > 0 && (pfd[0].revents & POLLIN))
		ctipfix_nl_drain(&d->nl);
	drain_relay(d);
}

/* Milliseconds of the monotonic clock. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
		if (d->relay_fd >= 0 || reattach(d))
			read_round(d);
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
	/* SIGTERM: what is buffered still goes out */
	if (d->relay_fd >= 0)
		drain_relay(d);
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
	err = parse_args(&d, argc, argv, &foreground, &d.relay);
	if (err)
		return err;

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
	if (d.relay_fd >= 0) {
		ctipfix_nl_close(&d.ctl);
		ctipfix_nl_close(&d.nl);
		close(d.relay_fd);
	}
	return 0;
}
