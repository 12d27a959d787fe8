// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink client's one error convention (userspace/lib/ctipfix_nl.c):
 * a negative errno, the kernel's own where it answered with one.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "ctipfix_nl.c"

/* libnl's codes, for what failed on this side */
TEST(libnl_codes)
{
	struct ctipfix_nl nl = { 0 };

	EXPECT_EQ(0, nl_errno(&nl, 0));
	EXPECT_EQ(-ENOMEM, nl_errno(&nl, -NLE_NOMEM));
	EXPECT_EQ(-EPERM, nl_errno(&nl, -NLE_PERM));
	EXPECT_EQ(-ENOENT, nl_errno(&nl, -NLE_OBJ_NOTFOUND));
	EXPECT_EQ(-EBADMSG, nl_errno(&nl, -NLE_MSG_TOOSHORT));
	EXPECT_EQ(-EIO, nl_errno(&nl, -NLE_FAILURE));
}

/* the kernel's errno wins over libnl's code for it, once */
TEST(kernel_errno_kept)
{
	struct ctipfix_nl nl = { .kernel_errno = EMSGSIZE };

	/* libnl has no code of its own for EMSGSIZE from the kernel */
	EXPECT_EQ(-EMSGSIZE, nl_errno(&nl, -NLE_FAILURE));
	EXPECT_EQ(0, nl.kernel_errno);
	EXPECT_EQ(-EIO, nl_errno(&nl, -NLE_FAILURE));
	nl.kernel_errno = EPERM;
	EXPECT_EQ(0, nl_errno(&nl, 0));	/* a success takes it too */
	EXPECT_EQ(0, nl.kernel_errno);
}

/*
 * Through the kernel: a family nobody registered, which the controller
 * answers with ENOENT. Not ours: asking for "ctipfix" would make the
 * controller load ctipfix.ko on a host where DKMS installed it.
 */
TEST(open_without_the_family)
{
	struct ctipfix_nl nl;

	EXPECT_EQ(-ENOENT, nl_open_family(&nl, "ctipfix-none"));
	EXPECT_EQ(NULL, nl.sock);
	ctipfix_nl_close(&nl);
}

TEST_HARNESS_MAIN
