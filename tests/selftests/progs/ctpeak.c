// SPDX-License-Identifier: GPL-2.0
/*
 * The peaks of conntrack's table under a flood, sampled every 10 ms:
 *
 *   ctpeak SECONDS SAMPLES
 *	for SECONDS, or until SIGTERM or SIGINT, the conntrack count of
 *	the namespace it runs in and the nf_conntrack slab's active objects
 *	(/proc/slabinfo, for the whole machine), a "COUNT SLAB" line each
 *	into SAMPLES; then prints "PEAK_COUNT PEAK_SLAB"
 *
 * In C and in one process: a shell loop starts two programs a sample,
 * and on the CPUs a flood keeps busy it fell seconds behind, so that a
 * 6 s flood took a minute to sample, at a few samples a second.
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COUNT_FILE	"/proc/sys/net/netfilter/nf_conntrack_count"
#define SLAB		"nf_conntrack "
#define INTERVAL_NS	10000000L

static volatile sig_atomic_t stopped;

static void stop(int sig)
{
	(void)sig;
	stopped = 1;
}

static unsigned long read_count(void)
{
	unsigned long n = 0;
	FILE *f = fopen(COUNT_FILE, "r");

	if (!f)
		err(1, COUNT_FILE);
	if (fscanf(f, "%lu", &n) != 1)
		errx(1, COUNT_FILE ": no number");
	fclose(f);
	return n;
}

/* the slab's active objects: the first number after its name */
static unsigned long read_slab(void)
{
	unsigned long n = 0;
	char line[512];
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		err(1, "/proc/slabinfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, SLAB, strlen(SLAB))) {
			n = strtoul(line + strlen(SLAB), NULL, 10);
			break;
		}
	fclose(f);
	return n;
}

static double ts_seconds(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

static void ts_add_ns(struct timespec *ts, long ns)
{
	ts->tv_nsec += ns;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_nsec -= 1000000000L;
		ts->tv_sec++;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_seconds(&ts);
}

int main(int argc, char **argv)
{
	unsigned long count, slab, peak_count = 0, peak_slab = 0;
	struct sigaction sa = { .sa_handler = stop };
	struct timespec next;
	double end;
	FILE *out;

	if (argc != 3)
		errx(2, "usage: ctpeak SECONDS SAMPLES");
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		err(1, "sigaction");
	out = fopen(argv[2], "w");
	if (!out)
		err(1, "%s", argv[2]);
	end = now() + atof(argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stopped && now() < end) {
		count = read_count();
		slab = read_slab();
		fprintf(out, "%lu %lu\n", count, slab);
		if (count > peak_count)
			peak_count = count;
		if (slab > peak_slab)
			peak_slab = slab;
		/*
		 * Late (a sample that took longer than the interval): the
		 * next one 10 ms from now, not at once. A sampler that never
		 * sleeps, at nice -20 on the flood's CPU, would starve the
		 * flood it measures.
		 */
		if (now() > ts_seconds(&next) + INTERVAL_NS / 1e9)
			clock_gettime(CLOCK_MONOTONIC, &next);
		ts_add_ns(&next, INTERVAL_NS);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	if (fclose(out))
		err(1, "%s", argv[2]);
	printf("%lu %lu\n", peak_count, peak_slab);
	return 0;
}
