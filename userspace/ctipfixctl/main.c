// SPDX-License-Identifier: GPL-2.0
/*
 * ctipfixctl: the module's counters and settings over netlink, the daemon's
 * counters from its stats file, and a flush.
 *
 *   ctipfixctl stats [--json]   ctipfixctl config [--json]   ctipfixctl flush
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctipfix_nl.h"
#include "daemon_stats.h"

struct options {
	bool json;
	const char *daemon_stats;
};

/* run: 0, or a negative errno that main() reports */
struct subcommand {
	const char *name;
	int (*run)(struct ctipfix_nl *nl, const struct options *o);
	const char *usage;
};

/* @s as a JSON string: quotes, backslashes and control characters escaped */
static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static bool is_number(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

struct daemon_printer {
	bool json;
	bool first;
};

static void print_daemon_stat(const char *name, const char *value, void *arg)
{
	struct daemon_printer *p = arg;

	if (!p->json) {
		printf("  %-24s %s\n", name, value);
		return;
	}
	printf("%s\n    ", p->first ? "" : ",");
	print_json_string(name);
	printf(": ");
	if (is_number(value))
		printf("%s", value);	/* a number, as JSON has them */
	else
		print_json_string(value);
	p->first = false;
}

static void print_daemon_stats(const char *path, bool json)
{
	struct daemon_printer p = { .json = json, .first = true };

	printf(json ? ",\n  \"daemon\": {" : "daemon:\n");
	if (daemon_stats_each(path, print_daemon_stat, &p)) {
		if (json)
			printf(" }");	/* not running */
		else
			printf("  not running (no %s)\n", path);
		return;
	}
	if (json)
		printf("\n  }");
}

/*
 * "name value" pairs, as text lines or as the members of a JSON object;
 * from 1: the enums' 0 (UNSPEC) names nothing
 */
static void print_values(const char *const *names, const uint64_t *v, int n,
			 bool json, const char *indent)
{
	int i;

	for (i = 1; i < n; i++) {
		if (json)
			printf("%s\n%s\"%s\": %llu", i > 1 ? "," : "", indent,
			       names[i], (unsigned long long)v[i]);
		else
			printf("%s%-20s %llu\n", indent, names[i],
			       (unsigned long long)v[i]);
	}
}

static int cmd_stats(struct ctipfix_nl *nl, const struct options *o)
{
	uint64_t s[CTIPFIX_STAT_MAX + 1];
	int err = ctipfix_nl_get_stats(nl, s);

	if (err)
		return err;
	printf(o->json ? "{\n  \"module\": {" : "module:\n");
	print_values(ctipfix_stat_names, s, CTIPFIX_STAT_MAX + 1, o->json,
		     o->json ? "    " : "  ");
	if (o->json)
		printf("\n  }");
	print_daemon_stats(o->daemon_stats, o->json);
	if (o->json)
		printf("\n}\n");
	return 0;
}

static int cmd_config(struct ctipfix_nl *nl, const struct options *o)
{
	uint32_t c[CTIPFIX_CONFIG_MAX + 1];
	uint64_t v[CTIPFIX_CONFIG_MAX + 1];
	int i, err = ctipfix_nl_get_config(nl, c);

	if (err)
		return err;
	for (i = 0; i <= CTIPFIX_CONFIG_MAX; i++)
		v[i] = c[i];
	if (o->json)
		printf("{");
	print_values(ctipfix_config_names, v, CTIPFIX_CONFIG_MAX + 1, o->json,
		     o->json ? "  " : "");
	if (o->json)
		printf("\n}\n");
	return 0;
}

static int cmd_flush(struct ctipfix_nl *nl, const struct options *o)
{
	(void)o;
	return ctipfix_nl_flush(nl);
}

static const struct subcommand subcommands[] = {
	{ "stats", cmd_stats, " [--json] [--daemon-stats FILE]" },
	{ "config", cmd_config, " [--json]" },
	{ "flush", cmd_flush, "" },
};
#define N_SUBCOMMANDS	(sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
	size_t i;

	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "%s ctipfixctl %s%s\n", i ? "      " : "usage:",
			subcommands[i].name, subcommands[i].usage);
}

static const struct subcommand *find_subcommand(const char *name)
{
	size_t i;

	for (i = 0; i < N_SUBCOMMANDS; i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

/* Returns 0, or 2 (a usage error) with a message on stderr. */
static int parse_options(int argc, char **argv, struct options *o)
{
	int i;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			o->json = true;
		} else if (!strcmp(argv[i], "--daemon-stats") && i + 1 < argc) {
			o->daemon_stats = argv[++i];
		} else {
			fprintf(stderr, "ctipfixctl: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .daemon_stats = CTIPFIXD_STATS_FILE };
	const struct subcommand *cmd;
	struct ctipfix_nl nl;
	int err, rc;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	rc = parse_options(argc, argv, &o);
	if (rc)
		return rc;
	cmd = find_subcommand(argv[1]);
	if (!cmd) {
		fprintf(stderr, "ctipfixctl: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}

	err = ctipfix_nl_open(&nl);
	if (err) {
		fprintf(stderr, "ctipfixctl: netlink family %s: %s "
			"(is ctipfix.ko loaded?)\n", CTIPFIX_GENL_NAME,
			strerror(-err));
		return 1;
	}
	err = cmd->run(&nl, &o);
	ctipfix_nl_close(&nl);
	if (err) {
		fprintf(stderr, "ctipfixctl: %s: %s\n", cmd->name,
			strerror(-err));
		return 1;
	}
	return 0;
}
