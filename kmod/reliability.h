/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: the in-band statistics (reliability.c). */
#ifndef _CTIPFIX_RELIABILITY_H
#define _CTIPFIX_RELIABILITY_H

#include <linux/types.h>

struct ctipfix_msg;

void ctipfix_reliability_report(struct ctipfix_msg *m);
void ctipfix_reliability_final(struct ctipfix_msg *m);
bool ctipfix_reliability_write(u8 *buf, unsigned int len);
void ctipfix_reliability_tick(struct ctipfix_msg *m);

#endif /* _CTIPFIX_RELIABILITY_H */
