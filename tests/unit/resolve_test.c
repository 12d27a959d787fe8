// SPDX-License-Identifier: GPL-2.0
/*
 * Collector names and addresses (userspace/ctipfixd/resolve.c): numeric
 * hosts need no lookup, and a lookup that fails says why.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "kselftest_harness.h"
#include "hostport.c"
#include "resolve.h"

TEST(numeric_hosts_need_no_lookup)
{
	struct resolve r;
	struct resolved out;
	const struct sockaddr_in *sin =
		(const struct sockaddr_in *)&out.addr[0];
	const struct sockaddr_in6 *sin6 =
		(const struct sockaddr_in6 *)&out.addr[0];

	resolve_init(&r, "127.0.0.1", 9995);
	ASSERT_EQ(0, resolve_numeric(&r, &out));
	ASSERT_EQ(1, out.n);
	EXPECT_EQ(AF_INET, out.addr[0].ss_family);
	EXPECT_EQ(9995, ntohs(sin->sin_port));
	EXPECT_EQ(htonl(INADDR_LOOPBACK), sin->sin_addr.s_addr);

	resolve_init(&r, "::1", 9996);
	ASSERT_EQ(0, resolve_numeric(&r, &out));
	ASSERT_EQ(1, out.n);
	EXPECT_EQ(AF_INET6, out.addr[0].ss_family);
	EXPECT_EQ(9996, ntohs(sin6->sin6_port));
	EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
}

/* a name, even one /etc/hosts knows, is left to the background lookup */
TEST(a_name_is_not_numeric)
{
	struct resolve r;
	struct resolved out;

	resolve_init(&r, "localhost", 4739);
	EXPECT_EQ(-ENOENT, resolve_numeric(&r, &out));
}

TEST(a_failed_lookup_says_why)
{
	struct resolve r;
	struct resolved out;
	char why[256] = "";
	int rc, waited_ms = 0;

	resolve_init(&r, "no-such-host.invalid", 4739);
	ASSERT_EQ(0, resolve_start(&r, why, sizeof(why)));
	EXPECT_TRUE(r.busy);
	while ((rc = resolve_poll(&r, &out, why, sizeof(why))) ==
	       -EINPROGRESS && waited_ms < 120000) {
		poll(NULL, 0, 10);
		waited_ms += 10;
	}
	/* -EAGAIN where no resolver answers, as on a machine offline */
	EXPECT_TRUE(rc == -ENOENT || rc == -EAGAIN) {
		TH_LOG("rc %d after %d ms: %s", rc, waited_ms, why);
	}
	EXPECT_FALSE(r.busy);
	EXPECT_NE(NULL, strstr(why, "no-such-host.invalid"));
}

TEST_HARNESS_MAIN
