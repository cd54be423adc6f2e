// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: created with the namespace (or at module
 * load for existing ones) and torn down with it (or at unload), mappings
 * and instances included.
 */

#include "instance.h"
#include "mapping.h"
#include "netns.h"
#include "subscriber.h"
#include "syn.h"

unsigned int conenat_net_id __read_mostly;

static int __net_init conenat_net_init(struct net *net)
{
	struct conenat_net *cn = conenat_pernet(net);
	unsigned int i;
	int ret;

	cn->net = net;
	mutex_init(&cn->lock);
	INIT_LIST_HEAD(&cn->instances);
	for (i = 0; i < ARRAY_SIZE(cn->pools); i++)
		INIT_HLIST_HEAD(&cn->pools[i]);
	conenat_syns_init(cn);
	ret = conenat_subscribers_init(cn);
	if (ret)
		return ret;
	ret = conenat_mappings_init(cn);
	if (ret)
		conenat_subscribers_destroy(cn);
	return ret;
}

static void __net_exit conenat_net_exit(struct net *net)
{
	struct conenat_net *cn = conenat_pernet(net);

	conenat_instances_destroy(cn);
	conenat_syns_flush(cn);
	conenat_mappings_destroy(cn);
	conenat_subscribers_destroy(cn);
}

static struct pernet_operations conenat_net_ops = {
	.init = conenat_net_init,
	.exit = conenat_net_exit,
	.id   = &conenat_net_id,
	.size = sizeof(struct conenat_net),
};

int __init conenat_netns_init(void)
{
	return register_pernet_subsys(&conenat_net_ops);
}

void conenat_netns_uninit(void)
{
	unregister_pernet_subsys(&conenat_net_ops);
}
