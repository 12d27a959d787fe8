// SPDX-License-Identifier: GPL-2.0
/* Collector address parsing: what operators type, and what they mistype. */
#include <arpa/inet.h>
#include <netinet/in.h>
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

TEST(resolve_numeric)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t len;
	char err[256];

	ASSERT_EQ(0, hostport_resolve("127.0.0.1:9995", &ss, &len, err,
				      sizeof(err)));
	EXPECT_EQ(AF_INET, ss.ss_family);
	EXPECT_EQ(9995, ntohs(sin->sin_port));
	ASSERT_EQ(0, hostport_resolve("[::1]:9996", &ss, &len, err,
				      sizeof(err)));
	EXPECT_EQ(AF_INET6, ss.ss_family);
	EXPECT_EQ(9996, ntohs(sin6->sin6_port));
}

TEST(resolve_failure_says_why)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256] = "";

	int rc = hostport_resolve("no-such-host.invalid:4739", &ss, &len, err,
				  sizeof(err));

	/* -EAGAIN where no resolver answers, as in a test guest */
	EXPECT_TRUE(rc == -ENOENT || rc == -EAGAIN) {
		TH_LOG("rc %d", rc);
	}
	EXPECT_NE(NULL, strstr(err, "no-such-host.invalid"));
}

TEST_HARNESS_MAIN
