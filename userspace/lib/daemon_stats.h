/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's counters, for ctipfixctl and for scripts: a file of
 * "name value" lines, one counter each, written whole by ctipfixd and read
 * by ctipfixctl. A value is a decimal number, but for the few that are
 * text (a collector's address, its last error), which run to the line's end.
 */
#ifndef CTIPFIX_DAEMON_STATS_H
#define CTIPFIX_DAEMON_STATS_H

#include <stdint.h>
#include <stdio.h>

#define CTIPFIXD_STATS_FILE	"/run/ctipfixd.stats"

void daemon_stats_put(FILE *f, const char *name, uint64_t value);
void daemon_stats_put_text(FILE *f, const char *name, const char *text);

/* The counters of collector @i are named "collector.I.NAME". */
void daemon_stats_put_collector(FILE *f, int i, const char *name,
				uint64_t value);

/*
 * Each line of @path as its name and value, to @fn. Returns 0, or the
 * negative errno if the file cannot be read.
 */
int daemon_stats_each(const char *path,
		      void (*fn)(const char *name, const char *value,
				 void *arg),
		      void *arg);

#endif
