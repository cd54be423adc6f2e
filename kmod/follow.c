// SPDX-License-Identifier: GPL-2.0
/*
 * Instances follow their device: its index (the inbound path tells the
 * uplink from the LAN by it) and, for an instance without addresses of
 * its own, its primary address, as masquerade does after a DHCP or PPPoE
 * renumbering.  Notifiers run in process context under RTNL.
 */

#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/notifier.h>

#include "follow.h"
#include "instance.h"

static int conenat_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_CHANGENAME:
		conenat_instances_follow(dev, false);
		break;
	case NETDEV_UNREGISTER:
		conenat_instances_follow(dev, true);
		break;
	}
	return NOTIFY_DONE;
}

static int conenat_inetaddr_event(struct notifier_block *nb,
				  unsigned long event, void *ptr)
{
	const struct in_ifaddr *ifa = ptr;

	if (event == NETDEV_UP || event == NETDEV_DOWN)
		conenat_instances_follow(ifa->ifa_dev->dev, false);
	return NOTIFY_DONE;
}

static struct notifier_block conenat_netdev_notifier = {
	.notifier_call = conenat_netdev_event,
};

static struct notifier_block conenat_inetaddr_notifier = {
	.notifier_call = conenat_inetaddr_event,
};

int __init conenat_follow_init(void)
{
	int ret;

	ret = register_netdevice_notifier(&conenat_netdev_notifier);
	if (ret)
		return ret;
	ret = register_inetaddr_notifier(&conenat_inetaddr_notifier);
	if (ret)
		unregister_netdevice_notifier(&conenat_netdev_notifier);
	return ret;
}

void conenat_follow_uninit(void)
{
	unregister_inetaddr_notifier(&conenat_inetaddr_notifier);
	unregister_netdevice_notifier(&conenat_netdev_notifier);
}
