/* SPDX-License-Identifier: GPL-2.0 */
/* ctipfix: the in-band statistics (reliability.c). */
#ifndef _CTIPFIX_RELIABILITY_H
#define _CTIPFIX_RELIABILITY_H

#include <linux/types.h>

#include "ctipfix_ipfix.h"

struct ctipfix_msg;

void ctipfix_reliability_report(struct ctipfix_msg *m);
void ctipfix_reliability_final(struct ctipfix_msg *m);
bool ctipfix_reliability_write(u8 *buf, unsigned int len);
void ctipfix_reliability_tick(struct ctipfix_msg *m);

/*
 * The stats domain's messages (reliability reports, interface names): an
 * options template set of @n fields is this long, and each message
 * carries its template in front.
 */
#define CTIPFIX_OPTIONS_TEMPLATE_LEN(n)	(CTIPFIX_IPFIX_SET_HDR_LEN + 6 + (n) * 4)

/* a field of an options template: IE number, length on the wire */
struct ctipfix_option_field {
	u16 ie;
	u16 len;
};

u8 *ctipfix_options_template_put(u8 *p, u16 id,
				 const struct ctipfix_option_field *fields,
				 unsigned int n, unsigned int scope);
void ctipfix_stats_msg_header(u8 *buf, unsigned int len);
bool ctipfix_stats_domain_write(u8 *buf, unsigned int len, u32 records);

#endif /* _CTIPFIX_RELIABILITY_H */
