/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module's pure code takes from <linux/kernel.h>, for the unit
 * tests that build it in userspace (tests/unit/run.sh puts this directory
 * first on the include path).
 */
#ifndef _CTIPFIX_UNIT_LINUX_KERNEL_H
#define _CTIPFIX_UNIT_LINUX_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1UL << (n))
#define __always_unused	__attribute__((unused))
#define BITS_PER_LONG	(8 * (int)sizeof(long))
#define U8_MAX		((u8)~0U)
#define max(a, b)	((a) > (b) ? (a) : (b))
/* the kernel's, whose message is optional */
#define static_assert(expr, ...) _Static_assert(expr, #expr)

#endif
