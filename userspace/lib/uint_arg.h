/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTIPFIX_UINT_ARG_H
#define CTIPFIX_UINT_ARG_H

/*
 * A command-line number: decimal digits only (no sign, no blanks, which
 * strtoul() would take), 0 up to @max. Returns 0, or -EINVAL.
 */
int uint_arg_parse(const char *arg, unsigned int max, unsigned int *out);

#endif
