// SPDX-License-Identifier: GPL-2.0
/*
 * Many short UDP flows, each a distinct 5-tuple. In C: under TCG an
 * interpreter spent more on each flow than the kernel did, and a
 * 100 000-flow burst took minutes on a loaded host.
 *
 *   udpflows serve PORT
 *	echo every datagram back (one socket, no fork per flow)
 *   udpflows open HOST PORT FIRST_SPORT COUNT RATE OUT
 *	one request (and up to 0.2 s for its reply) from each source port
 *	FIRST_SPORT..FIRST_SPORT+COUNT-1, RATE flows a second; OUT gets one
 *	line per flow opened (its source port), the ground truth of what
 *	conntrack must have seen; OUT.replied lists the flows whose reply
 *	came back (the router forwarded both ways, so conntrack had an
 *	entry for it).
 *   udpflows burst HOST PORT FIRST_SPORT COUNT OUT [RATE]
 *	the same flows as fast as they can go, or at most RATE a second: up
 *	to WINDOW requests are in flight, and a flow's socket closes once
 *	its reply is in (or after 1 s)
 *   udpflows stream HOST PORT SPORT COUNT RATE
 *	one flow: COUNT datagrams of 64 bytes from SPORT, RATE a second in
 *	bursts of STREAM_BURST, no reply awaited. It sleeps between bursts,
 *	never polls the clock (the bench counts the guest's instructions
 *	around it: a wakeup per packet would count more than the router)
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 256

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* sleep until @start + @i / @rate (no pacing for rate 0) */
static void pace(double start, unsigned long i, double rate)
{
	double delay;

	if (rate <= 0)
		return;
	delay = start + i / rate - now();
	if (delay > 0) {
		struct timespec ts = {
			.tv_sec = (time_t)delay,
			.tv_nsec = (long)((delay - (time_t)delay) * 1e9),
		};

		nanosleep(&ts, NULL);
	}
}

static struct sockaddr_in addr_of(const char *host, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		errx(2, "not an IPv4 address: %s", host);
	a.sin_port = htons(atoi(port));
	return a;
}

/* a socket bound to @sport that sent one request to @to, or -1 */
static int request(const struct sockaddr_in *to, unsigned int sport,
		   unsigned long i)
{
	struct sockaddr_in from = {
		.sin_family = AF_INET, .sin_port = htons(sport),
	};
	char msg[32];
	int fd, len;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		err(1, "socket");
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)))
		err(1, "bind to port %u", sport);
	len = snprintf(msg, sizeof(msg), "q%lu", i);
	if (sendto(fd, msg, len, 0, (const struct sockaddr *)to,
		   sizeof(*to)) < 0) {
		close(fd);	/* no route (the router is gone): not opened */
		return -1;
	}
	return fd;
}

/* flow @i of those from @first on, paced to @rate, listed in @opened */
static int open_flow(const struct sockaddr_in *to, unsigned int first,
		     unsigned long i, double start, double rate, FILE *opened)
{
	int fd;

	pace(start, i, rate);
	fd = request(to, first + i, i);
	if (fd >= 0)
		fprintf(opened, "%lu\n", first + i);
	return fd;
}

/* wait up to @ms for @fd's reply; returns whether it came */
static int reply(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[2048];

	if (poll(&p, 1, ms) != 1)
		return 0;
	return recv(fd, buf, sizeof(buf), 0) >= 0;
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		err(1, "%s", path);
	return f;
}

static int serve(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(atoi(port)) };
	struct sockaddr_in peer;
	socklen_t plen;
	char buf[2048];
	ssize_t n;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		err(1, "bind to port %s", port);
	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(fd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&peer, &plen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err(1, "recvfrom");
		}
		sendto(fd, buf, n, 0, (struct sockaddr *)&peer, plen);
	}
}

static int open_flows(char **argv)
{
	struct sockaddr_in to = addr_of(argv[0], argv[1]);
	unsigned int first = atoi(argv[2]);
	unsigned long i, count = strtoul(argv[3], NULL, 10);
	double rate = atof(argv[4]), start = now();
	char replied[4096];
	FILE *f, *r;
	int fd;

	snprintf(replied, sizeof(replied), "%s.replied", argv[5]);
	f = open_out(argv[5]);
	r = open_out(replied);
	for (i = 0; i < count; i++) {
		fd = open_flow(&to, first, i, start, rate, f);
		if (fd < 0)
			continue;
		fflush(f);
		if (reply(fd, 200))
			fprintf(r, "%lu\n", first + i);
		close(fd);
	}
	fclose(r);
	return fclose(f) ? 1 : 0;
}

static int burst(char **argv, int argc)
{
	struct sockaddr_in to = addr_of(argv[0], argv[1]);
	unsigned int first = atoi(argv[2]);
	unsigned long i, count = strtoul(argv[3], NULL, 10);
	double rate = argc > 5 ? atof(argv[5]) : 0, start = now();
	int live[WINDOW], head = 0, n = 0, fd;
	FILE *f = open_out(argv[4]);

	for (i = 0; i < count; i++) {
		fd = open_flow(&to, first, i, start, rate, f);
		if (fd < 0)
			continue;
		live[(head + n++) % WINDOW] = fd;
		if (n < WINDOW)
			continue;
		/* the oldest in flight: its reply, or a second for it */
		reply(live[head], 1000);
		close(live[head]);
		head = (head + 1) % WINDOW;
		n--;
	}
	for (; n; n--, head = (head + 1) % WINDOW) {
		reply(live[head], 1000);
		close(live[head]);
	}
	return fclose(f) ? 1 : 0;
}

#define STREAM_BURST 32
static int stream(char **argv)
{
	struct sockaddr_in to = addr_of(argv[0], argv[1]);
	unsigned long i, count = strtoul(argv[3], NULL, 10);
	double rate = atof(argv[4]), start;
	char payload[64] = "ctipfix";
	int fd;

	fd = request(&to, atoi(argv[2]), 0);
	if (fd < 0)
		err(1, "first datagram");
	start = now();
	for (i = 1; i < count; i++) {
		if (!(i % STREAM_BURST))
			pace(start, i, rate);
		if (sendto(fd, payload, sizeof(payload), 0,
			   (const struct sockaddr *)&to, sizeof(to)) < 0)
			err(1, "send");
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "serve"))
		return serve(argv[2]);
	if (argc == 8 && !strcmp(argv[1], "open"))
		return open_flows(argv + 2);
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "burst"))
		return burst(argv + 2, argc - 2);
	if (argc == 7 && !strcmp(argv[1], "stream"))
		return stream(argv + 2);
	fprintf(stderr, "usage: udpflows serve PORT\n"
		"       udpflows open HOST PORT FIRST_SPORT COUNT RATE OUT\n"
		"       udpflows burst HOST PORT FIRST_SPORT COUNT OUT [RATE]\n"
		"       udpflows stream HOST PORT SPORT COUNT RATE\n");
	return 2;
}
