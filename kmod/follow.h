/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_FOLLOW_H
#define _CONENAT_FOLLOW_H

int conenat_follow_init(void);
void conenat_follow_uninit(void);

#endif /* _CONENAT_FOLLOW_H */
