// SPDX-License-Identifier: GPL-2.0
/*
 * ctipfixd: carries the IPFIX messages ctipfix.ko writes into its relay
 * channel to UDP collectors. Woken by the module's netlink hint, and by a
 * short poll timeout as well, because hints can be lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "ctipfix_nl.h"
#include "ipfix_stream.h"

#define MAX_COLLECTORS		16
#define POLL_MS			100
#define DEFAULT_COLLECTOR	"127.0.0.1:4739"
#define DEFAULT_RELAY		"/sys/kernel/debug/" CTIPFIX_RELAY_DIR "/" \
				CTIPFIX_RELAY_FILE0
#define DEFAULT_STATS_FILE	"/run/ctipfixd.stats"

struct daemon {
	struct collector collectors[MAX_COLLECTORS];
	int n_collectors;
	struct ipfix_stream stream;
	struct ctipfix_nl nl;
	int relay_fd;
	uint64_t read_bytes;
	uint64_t read_errors;
	const char *stats_file;
};

static volatile sig_atomic_t stop_requested, stats_requested;

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
		"usage: ctipfixd [--collector HOST:PORT]... [--foreground]\n"
		"                [--relay FILE] [--stats-file FILE]\n"
		"  --collector  UDP collector, repeatable (default %s);\n"
		"               IPv6 as [ADDR]:PORT\n"
		"  --foreground do not detach\n"
		"  --relay      relay file (default %s)\n"
		"  --stats-file where counters are kept for ctipfixctl (default %s)\n",
		DEFAULT_COLLECTOR, DEFAULT_RELAY, DEFAULT_STATS_FILE);
}

static void print_stats(const struct daemon *d, FILE *f)
{
	int i;

	fprintf(f, "read_bytes %llu read_messages %llu read_errors %llu "
		"bad_bytes %llu\n",
		(unsigned long long)d->read_bytes,
		(unsigned long long)d->stream.messages,
		(unsigned long long)d->read_errors,
		(unsigned long long)d->stream.bad_bytes);
	for (i = 0; i < d->n_collectors; i++)
		collector_print(&d->collectors[i], f);
	fflush(f);
}

/* Written whole and renamed, so ctipfixctl never sees half a file. */
static void write_stats_file(const struct daemon *d)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", d->stats_file);
	f = fopen(tmp, "w");
	if (!f)
		return;
	print_stats(d, f);
	if (fclose(f) == 0)
		rename(tmp, d->stats_file);
}

static void send_all(struct daemon *d, const uint8_t *msg, size_t len)
{
	int i;

	for (i = 0; i < d->n_collectors; i++)
		collector_send(&d->collectors[i], msg, len);
}

/* Read everything the relay holds now and send each whole message. */
static void drain_relay(struct daemon *d)
{
	const uint8_t *msg;
	uint8_t *space;
	size_t room, len;
	ssize_t n;

	for (;;) {
		space = ipfix_stream_space(&d->stream, &room);
		n = read(d->relay_fd, space, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			d->read_errors++;
		if (n <= 0)
			break;
		d->read_bytes += n;
		ipfix_stream_filled(&d->stream, n);
		while ((len = ipfix_stream_next(&d->stream, &msg)))
			send_all(d, msg, len);
	}
}

static int parse_args(struct daemon *d, int argc, char **argv,
		      int *foreground, const char **relay)
{
	static const struct option opts[] = {
		{ "collector", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "relay", required_argument, NULL, 'r' },
		{ "stats-file", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	char err[512];
	int opt;

	while ((opt = getopt_long(argc, argv, "c:fr:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (d->n_collectors == MAX_COLLECTORS) {
				fprintf(stderr, "ctipfixd: at most %d collectors\n",
					MAX_COLLECTORS);
				return 2;
			}
			if (collector_open(&d->collectors[d->n_collectors],
					   optarg, err, sizeof(err))) {
				fprintf(stderr, "ctipfixd: bad collector %s\n",
					err);
				return 2;
			}
			d->n_collectors++;
			break;
		case 'f':
			*foreground = 1;
			break;
		case 'r':
			*relay = optarg;
			break;
		case 's':
			d->stats_file = optarg;
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
	if (!d->n_collectors &&
	    collector_open(&d->collectors[d->n_collectors++],
			   DEFAULT_COLLECTOR, err, sizeof(err))) {
		fprintf(stderr, "ctipfixd: %s\n", err);
		return 2;
	}
	return 0;
}

static void run(struct daemon *d)
{
	struct pollfd pfd[2] = {
		{ .fd = ctipfix_nl_fd(&d->nl), .events = POLLIN },
		{ .fd = d->relay_fd, .events = POLLIN },
	};
	time_t last_stats = 0;

	while (!stop_requested) {
		if (poll(pfd, 2, POLL_MS) > 0 && (pfd[0].revents & POLLIN))
			ctipfix_nl_drain(&d->nl);
		drain_relay(d);
		if (stats_requested) {
			stats_requested = 0;
			print_stats(d, stderr);
		}
		if (time(NULL) != last_stats) {
			last_stats = time(NULL);
			write_stats_file(d);
		}
	}
	/* SIGTERM: what is buffered still goes out */
	drain_relay(d);
}

int main(int argc, char **argv)
{
	static struct daemon d;
	const char *relay = DEFAULT_RELAY;
	struct sigaction sa = { .sa_handler = on_signal };
	int foreground = 0, err, i;

	d.stats_file = DEFAULT_STATS_FILE;
	err = parse_args(&d, argc, argv, &foreground, &relay);
	if (err)
		return err;

	d.relay_fd = open(relay, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (d.relay_fd < 0) {
		fprintf(stderr, "ctipfixd: cannot open %s: %s "
			"(is ctipfix.ko loaded and debugfs mounted?)\n",
			relay, strerror(errno));
		return 1;
	}
	err = ctipfix_nl_open(&d.nl);
	if (!err)
		err = ctipfix_nl_subscribe(&d.nl);
	if (err) {
		fprintf(stderr, "ctipfixd: netlink family %s: %s\n",
			CTIPFIX_GENL_NAME, ctipfix_nl_strerror(err));
		return 1;
	}
	if (!foreground && daemon(0, 0)) {
		fprintf(stderr, "ctipfixd: daemon: %s\n", strerror(errno));
		return 1;
	}

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	run(&d);

	print_stats(&d, stderr);
	write_stats_file(&d);
	for (i = 0; i < d.n_collectors; i++)
		collector_close(&d.collectors[i]);
	ctipfix_nl_close(&d.nl);
	close(d.relay_fd);
	return 0;
}
