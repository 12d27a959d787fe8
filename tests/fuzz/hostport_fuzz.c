// SPDX-License-Identifier: GPL-2.0
/* A collector's address as an operator may write it (hostport.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char spec[600], host[300], err[512];
	unsigned int port;

	if (size >= sizeof(spec))
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	hostport_split(spec, host, sizeof(host), &port, err, sizeof(err));
	return 0;
}
