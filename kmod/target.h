/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_TARGET_H
#define _CONENAT_TARGET_H

int conenat_target_init(void);
void conenat_target_uninit(void);

#endif /* _CONENAT_TARGET_H */
