// SPDX-License-Identifier: GPL-2.0
/* The daemon's stats file: one "name value" line per counter. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "daemon_stats.h"

void daemon_stats_put(FILE *f, const char *name, uint64_t value)
{
	fprintf(f, "%s %" PRIu64 "\n", name, value);
}

void daemon_stats_put_text(FILE *f, const char *name, const char *text)
{
	/* a line each: what would end it early is left out */
	fprintf(f, "%s %.*s\n", name, (int)strcspn(text, "\r\n"), text);
}

void daemon_stats_put_collector(FILE *f, int i, const char *name,
				uint64_t value)
{
	fprintf(f, "collector.%d.%s %" PRIu64 "\n", i, name, value);
}

int daemon_stats_each(const char *path,
		      void (*fn)(const char *name, const char *value,
				 void *arg),
		      void *arg)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	char *value;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		value = strchr(line, ' ');
		if (!value)
			continue;	/* not one of ours */
		*value++ = '\0';
		fn(line, value, arg);
	}
	fclose(f);
	return 0;
}
