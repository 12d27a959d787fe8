// SPDX-License-Identifier: GPL-2.0
/*
 * ctipfixctl: the module's counters and settings over netlink, the daemon's
 * counters from its stats file, and a flush.
 *
 *   ctipfixctl stats [--json]   ctipfixctl config [--json]   ctipfixctl flush
 */
#include <stdio.h>
#include <string.h>

#include "ctipfix_nl.h"

#define DAEMON_STATS_FILE "/run/ctipfixd.stats"

static void usage(FILE *f)
{
	fprintf(f, "usage: ctipfixctl stats [--json] [--daemon-stats FILE]\n"
		   "       ctipfixctl config [--json]\n"
		   "       ctipfixctl flush\n");
}

static void print_daemon_stats(const char *path, int json)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int first = 1;
	size_t n;

	if (!f) {
		if (json)
			printf(",\n  \"daemon\": null");
		else
			printf("daemon: not running (no %s)\n", path);
		return;
	}
	if (json)
		printf(",\n  \"daemon\": [");
	else
		printf("daemon:\n");
	while (fgets(line, sizeof(line), f)) {
		n = strcspn(line, "\n");
		line[n] = '\0';
		if (json) {
			/* the daemon writes no quotes or backslashes */
			printf("%s\n    \"%s\"", first ? "" : ",", line);
			first = 0;
		} else {
			printf("  %s\n", line);
		}
	}
	if (json)
		printf("\n  ]");
	fclose(f);
}

/* "name value" pairs, as text lines or as the members of a JSON object */
static void print_values(const char *const *names, const uint64_t *v, int n,
			 int json, const char *indent)
{
	int i;

	for (i = 0; i < n; i++) {
		if (json)
			printf("%s\n%s\"%s\": %llu", i ? "," : "", indent,
			       names[i], (unsigned long long)v[i]);
		else
			printf("%s%-20s %llu\n", indent, names[i],
			       (unsigned long long)v[i]);
	}
}

static int cmd_stats(struct ctipfix_nl *nl, int json, const char *dstats)
{
	uint64_t s[CTIPFIX_STAT_MAX + 1];
	int err = ctipfix_nl_get_stats(nl, s);

	if (err) {
		fprintf(stderr, "ctipfixctl: stats: %s\n",
			ctipfix_nl_strerror(err));
		return 1;
	}
	printf(json ? "{\n  \"module\": {" : "module:\n");
	print_values(ctipfix_stat_names, s, CTIPFIX_STAT_MAX + 1, json,
		     json ? "    " : "  ");
	if (json)
		printf("\n  }");
	print_daemon_stats(dstats, json);
	if (json)
		printf("\n}\n");
	return 0;
}

static int cmd_config(struct ctipfix_nl *nl, int json)
{
	uint32_t c[CTIPFIX_CONFIG_MAX + 1];
	uint64_t v[CTIPFIX_CONFIG_MAX + 1];
	int i, err = ctipfix_nl_get_config(nl, c);

	if (err) {
		fprintf(stderr, "ctipfixctl: config: %s\n",
			ctipfix_nl_strerror(err));
		return 1;
	}
	for (i = 0; i <= CTIPFIX_CONFIG_MAX; i++)
		v[i] = c[i];
	if (json)
		printf("{");
	print_values(ctipfix_config_names, v, CTIPFIX_CONFIG_MAX + 1, json,
		     json ? "  " : "");
	if (json)
		printf("\n}\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd, *dstats = DAEMON_STATS_FILE;
	struct ctipfix_nl nl;
	int i, json = 0, err, rc;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage(stdout);
		return 0;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--daemon-stats") && i + 1 < argc) {
			dstats = argv[++i];
		} else {
			fprintf(stderr, "ctipfixctl: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (strcmp(cmd, "stats") && strcmp(cmd, "config") &&
	    strcmp(cmd, "flush")) {
		fprintf(stderr, "ctipfixctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}

	err = ctipfix_nl_open(&nl);
	if (err) {
		fprintf(stderr, "ctipfixctl: netlink family %s: %s "
			"(is ctipfix.ko loaded?)\n", CTIPFIX_GENL_NAME,
			ctipfix_nl_strerror(err));
		return 1;
	}
	if (!strcmp(cmd, "stats")) {
		rc = cmd_stats(&nl, json, dstats);
	} else if (!strcmp(cmd, "config")) {
		rc = cmd_config(&nl, json);
	} else {
		err = ctipfix_nl_flush(&nl);
		if (err)
			fprintf(stderr, "ctipfixctl: flush: %s\n",
				ctipfix_nl_strerror(err));
		rc = !!err;
	}
	ctipfix_nl_close(&nl);
	return rc;
}
