/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CONENAT_VERSION_H
#define _CONENAT_VERSION_H

#define CONENAT_VERSION "0.1.0"

#endif /* _CONENAT_VERSION_H */
