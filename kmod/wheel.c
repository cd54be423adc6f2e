// SPDX-License-Identifier: GPL-2.0
/*
 * The expiry wheel (see wheel.h): a slot per second, CONENAT_WHEEL_SLOTS
 * seconds round.  The collector visits each second's slot once, so a
 * mapping costs it one visit per timeout (or per revolution for longer
 * timeouts), however busy it is.
 */

#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "mapping.h"
#include "netns.h"
#include "wheel.h"

/* Mappings the collector handles before letting RCU and the scheduler in. */
#define CONENAT_WHEEL_BATCH 256

static u64 conenat_wheel_now(void)
{
	return div_u64(get_jiffies_64(), HZ);
}

int conenat_wheel_init(struct conenat_wheel *wheel)
{
	unsigned int i;

	wheel->slots = kvcalloc(CONENAT_WHEEL_SLOTS, sizeof(*wheel->slots),
				GFP_KERNEL);
	if (!wheel->slots)
		return -ENOMEM;
	for (i = 0; i < CONENAT_WHEEL_SLOTS; i++) {
		spin_lock_init(&wheel->slots[i].lock);
		INIT_HLIST_HEAD(&wheel->slots[i].head);
	}
	wheel->done = conenat_wheel_now();
	return 0;
}

void conenat_wheel_destroy(struct conenat_wheel *wheel)
{
	unsigned int i;

	for (i = 0; i < CONENAT_WHEEL_SLOTS; i++)
		WARN_ON_ONCE(!hlist_empty(&wheel->slots[i].head));
	kvfree(wheel->slots);
}

/*
 * The second a mapping is next looked at: its expiry, but at least two
 * seconds past the last one visited (the collector may be in the next
 * one now) and less than a revolution ahead.  A creator that stalled two
 * seconds between reading the progress and filing would be seen a
 * revolution late; the packet path never uses an expired mapping, so
 * only the release of its port would be late.
 */
static unsigned int conenat_wheel_slot_for(const struct conenat_wheel *wheel,
					   const struct conenat_mapping *m)
{
	long left = (long)(READ_ONCE(m->expires) - jiffies);
	u64 done = READ_ONCE(wheel->done), due;

	due = conenat_wheel_now() + (left > 0 ? DIV_ROUND_UP(left, HZ) : 0);
	due = clamp_t(u64, due, done + 2, done + CONENAT_WHEEL_SLOTS - 1);
	return due % CONENAT_WHEEL_SLOTS;
}

void conenat_wheel_add(struct conenat_wheel *wheel, struct conenat_mapping *m)
{
	unsigned int i = conenat_wheel_slot_for(wheel, m);
	struct conenat_wheel_slot *slot = &wheel->slots[i];

	m->wheel_slot = i;
	spin_lock_bh(&slot->lock);
	hlist_add_head(&m->wheel_node, &slot->head);
	spin_unlock_bh(&slot->lock);
}

void conenat_wheel_del(struct conenat_wheel *wheel, struct conenat_mapping *m)
{
	struct conenat_wheel_slot *slot = &wheel->slots[m->wheel_slot];

	spin_lock_bh(&slot->lock);
	hlist_del(&m->wheel_node);
	spin_unlock_bh(&slot->lock);
}

/*
 * Visit one slot: its mappings are taken off it first, so they are the
 * collector's alone while it decides (creators only add to slots).
 */
static void conenat_wheel_visit(struct conenat_wheel *wheel,
				struct conenat_wheel_slot *slot)
{
	struct conenat_mapping *m;
	struct hlist_node *tmp;
	unsigned int n = 0;
	HLIST_HEAD(due);

	spin_lock_bh(&slot->lock);
	hlist_move_list(&slot->head, &due);
	spin_unlock_bh(&slot->lock);

	rcu_read_lock();
	hlist_for_each_entry_safe(m, tmp, &due, wheel_node) {
		hlist_del(&m->wheel_node);
		/* A live mapping's instance lives while RCU is held. */
		if (!conenat_mapping_dying(m) && conenat_mapping_expired(m) &&
		    !conenat_mapping_offloaded(m))
			conenat_mapping_remove(m, true);
		conenat_wheel_add(wheel, m);
		if (++n % CONENAT_WHEEL_BATCH == 0) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
}

void conenat_wheel_run(struct conenat_net *cn)
{
	struct conenat_wheel *wheel = &cn->wheel;
	u64 now = conenat_wheel_now(), s;

	lockdep_assert_held(&cn->gc_lock);
	/* After a long stall, one revolution visits every slot. */
	if (now - wheel->done > CONENAT_WHEEL_SLOTS)
		wheel->done = now - CONENAT_WHEEL_SLOTS;
	for (s = wheel->done + 1; s <= now; s++) {
		conenat_wheel_visit(wheel, &wheel->slots[s % CONENAT_WHEEL_SLOTS]);
		WRITE_ONCE(wheel->done, s);
	}
}
