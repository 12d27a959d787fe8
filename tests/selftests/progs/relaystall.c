// SPDX-License-Identifier: GPL-2.0
/*
 * A relay reader whose buffer stays missing until it is told otherwise:
 *
 *   relaystall FILE
 *	opens FILE (ctipfix's relay), which must have something to read
 *	(its poll() tells only of whole sub-buffers); read()s it into a
 *	read-only page and prints "readonly ERRNO" (EFAULT, with nothing
 *	taken); then read()s it into pages registered with userfaultfd, so
 *	that the first touch of them, from the kernel too, waits for this
 *	program. Prints "stalled" once a touch waits; then, once a line
 *	(or end of file) comes on stdin, fills the pages and prints
 *	"read N FIRST": what read() returned, and the first 16 bits it
 *	read (an IPFIX message's version, 10).
 *
 * A reader like this stands for any whose copy waits: a swapped-out
 * buffer, FUSE, a hostile root process. The module must not make its
 * writers wait with it.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#define PAGES		16
#define WAIT_MS		10000

static long page_size;
static uint8_t *pages;
static int relay_fd;
static ssize_t got;

static void *reader(void *arg)
{
	(void)arg;
	got = read(relay_fd, pages, PAGES * page_size);
	if (got < 0)
		got = -errno;
	return NULL;
}

/* A read into a page it cannot write fails, and takes nothing. */
static void readonly_read(void)
{
	void *page = mmap(NULL, page_size, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ssize_t n;

	if (page == MAP_FAILED)
		err(1, "mmap");
	n = read(relay_fd, page, page_size);
	if (n < 0)
		printf("readonly %s\n", strerrorname_np(errno));
	else
		printf("readonly read %zd\n", n);
	munmap(page, page_size);
}

static int uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)pages,
			   .len = PAGES * page_size },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd < 0)
		err(1, "userfaultfd");
	if (ioctl(fd, UFFDIO_API, &api))
		err(1, "UFFDIO_API");
	if (ioctl(fd, UFFDIO_REGISTER, &reg))
		err(1, "UFFDIO_REGISTER");
	return fd;
}

/* Fill every page still missing; the touches waiting on them go on. */
static void fill(int uffd)
{
	uint8_t *zeros = calloc(1, page_size);
	struct uffdio_copy copy;
	int i;

	if (!zeros)
		err(1, "calloc");
	for (i = 0; i < PAGES; i++) {
		copy = (struct uffdio_copy) {
			.dst = (uintptr_t)(pages + i * page_size),
			.src = (uintptr_t)zeros,
			.len = page_size,
		};
		if (ioctl(uffd, UFFDIO_COPY, &copy) && errno != EEXIST)
			err(1, "UFFDIO_COPY");
	}
	free(zeros);
}

static void wait_readable(int fd, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, WAIT_MS) != 1)
		errx(1, "%s: nothing within %d ms", what, WAIT_MS);
}

int main(int argc, char **argv)
{
	pthread_t thread;
	char line[64];
	int uffd;

	if (argc != 2)
		errx(2, "usage: relaystall FILE");
	page_size = sysconf(_SC_PAGESIZE);
	pages = mmap(NULL, PAGES * page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED)
		err(1, "mmap");
	uffd = uffd_open();
	relay_fd = open(argv[1], O_RDONLY);
	if (relay_fd < 0)
		err(1, "%s", argv[1]);
	readonly_read();
	if (pthread_create(&thread, NULL, reader, NULL))
		errx(1, "pthread_create");
	wait_readable(uffd, "a touch of the pages");
	printf("stalled\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) && ferror(stdin))
		err(1, "stdin");
	fill(uffd);
	pthread_join(thread, NULL);
	printf("read %zd %u\n", got,
	       got >= 2 ? (unsigned int)(pages[0] << 8 | pages[1]) : 0);
	return 0;
}
