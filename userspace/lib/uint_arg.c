// SPDX-License-Identifier: GPL-2.0
/* Numbers as operators write them on the command line. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "uint_arg.h"

int uint_arg_parse(const char *arg, unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}
