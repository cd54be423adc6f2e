/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_SYN_H
#define _CONENAT_SYN_H

#include <linux/skbuff.h>

#include "instance.h"

void conenat_syns_init(struct conenat_net *cn);
/* The filter refused an unsolicited SYN: answer it later, maybe. */
void conenat_syn_refused(struct conenat_instance *inst, struct sk_buff *skb,
			 const struct nf_conn *ct);
/* Answer the refused SYNs whose time has come (process context). */
void conenat_syns_expire(struct conenat_net *cn);
/* Forget them all, unanswered. */
void conenat_syns_flush(struct conenat_net *cn);

#endif /* _CONENAT_SYN_H */
