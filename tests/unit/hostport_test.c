// SPDX-License-Identifier: GPL-2.0
/* Collector address parsing: what operators type, and what they mistype. */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "hostport.h"

static int split(const char *spec, char *host, unsigned int *port)
{
	char err[256];

	return hostport_split(spec, host, 256, port, err, sizeof(err));
}

TEST(ipv4_with_port)
{
	char host[256];
	unsigned int port;

	ASSERT_EQ(0, split("192.0.2.1:2055", host, &port));
	EXPECT_STREQ("192.0.2.1", host);
	EXPECT_EQ(2055, port);
}

TEST(default_port)
{
	char host[256];
	unsigned int port;

	ASSERT_EQ(0, split("collector.example", host, &port));
	EXPECT_STREQ("collector.example", host);
	EXPECT_EQ(4739, port);
}

TEST(ipv6_bracketed)
{
	char host[256];
	unsigned int port;

	ASSERT_EQ(0, split("[2001:db8::1]:4740", host, &port));
	EXPECT_STREQ("2001:db8::1", host);
	EXPECT_EQ(4740, port);
	ASSERT_EQ(0, split("[::1]", host, &port));
	EXPECT_STREQ("::1", host);
	EXPECT_EQ(4739, port);
}

TEST(bad_specs_refused)
{
	static const char *const bad[] = {
		"", ":4739", "host:", "host:0", "host:65536", "host:-1",
		"host:12x", "2001:db8::1", "[::1", "[::1]4739", "[]:4739",
	};
	char host[256];
	unsigned int port;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, split(bad[i], host, &port)) {
			TH_LOG("accepted '%s'", bad[i]);
		}
}

TEST_HARNESS_MAIN
