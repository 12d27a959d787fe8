// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin for `make bench`: counts the guest instructions every
 * vCPU executes, and writes the running total of all vCPUs to a file each
 * time the guest executes the marker instruction (xchg %bx,%bx, Bochs's
 * magic breakpoint, which nothing else in our guests executes; the bench
 * runs tests/bench/insnmark for it):
 *
 *   qemu-system-x86_64 ... -plugin insncount.so,out=FILE
 *
 * FILE gets "mark N TOTAL" a line, N counting from 1. Counted per
 * translation block as it starts, into one counter per vCPU, each written
 * by its vCPU's thread only: a block left early (an exception, an
 * interrupt) counts whole. Unlike a clock, the count does not move with
 * the host's load, so two configurations compare on it to a fraction of
 * a percent where throughput in a TCG guest spreads by tenths.
 *
 * Built against qemu-plugin.h from Debian's qemu source package
 * (tests/bench/qemu-plugin.sh), the QEMU it runs in.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_VCPUS	64
static const unsigned char marker[] = { 0x66, 0x87, 0xdb };

/* a cache line each: the vCPU threads do not share one */
static struct {
	uint64_t insns;
	char pad[64 - sizeof(uint64_t)];
} vcpu[MAX_VCPUS];

static FILE *out;
static unsigned int marks;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* written by its vCPU's thread only; read whole by any (mark_exec()) */
static void block_exec(unsigned int cpu, void *n_insns)
{
	uint64_t *insns = &vcpu[cpu % MAX_VCPUS].insns;

	__atomic_store_n(insns, *insns + (uintptr_t)n_insns, __ATOMIC_RELAXED);
}

static void mark_exec(unsigned int cpu, void *unused)
{
	uint64_t total = 0;
	int i;

	(void)cpu;
	(void)unused;
	for (i = 0; i < MAX_VCPUS; i++)
		total += __atomic_load_n(&vcpu[i].insns, __ATOMIC_RELAXED);
	pthread_mutex_lock(&out_lock);
	fprintf(out, "mark %u %" PRIu64 "\n", ++marks, total);
	fflush(out);
	pthread_mutex_unlock(&out_lock);
}

static bool is_marker(struct qemu_plugin_insn *insn)
{
	return qemu_plugin_insn_size(insn) == sizeof(marker) &&
	       !memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker));
}

static void block_translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, block_exec,
					     QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(uintptr_t)n);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (is_marker(insn))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

static void plugin_exit(qemu_plugin_id_t id, void *unused)
{
	(void)id;
	(void)unused;
	fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL;
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	if (!path) {
		fprintf(stderr, "insncount: out=FILE is needed\n");
		return -1;
	}
	if (info->system_emulation && info->system.max_vcpus > MAX_VCPUS) {
		fprintf(stderr, "insncount: at most %d vCPUs\n", MAX_VCPUS);
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, block_translated);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
