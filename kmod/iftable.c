// SPDX-License-Identifier: GPL-2.0
/*
 * Interface names. A flow record's ingressInterface and egressInterface
 * are ifindexes of its namespace; these options records name them, one
 * record per interface of a flow domain:
 *
 *   scope observationDomainId (149)	the flow domain
 *   scope interfaceName (82)		its name, unique in the namespace
 *   ingressInterface (10)		its ifindex
 *   interfaceDescription (83)		the name again
 *
 * Why the ifindex is not the scope: nfdump 1.7 takes the ifindex and the
 * name (interfaceDescription) from the fields after the scope only, and
 * reads a record as the scope plus those two, nothing else. Other
 * collectors read interfaceName (82). Names are IFNAMSIZ bytes, padded
 * with NULs.
 *
 * The records travel in the stats domain, as the reliability reports do,
 * so that a collector checking a flow domain's sequence (nfdump counts
 * flow records only) sees no gap. Each message carries the options
 * template in front. A domain's whole table goes once it has flows to
 * tell of, then every template_refresh seconds and to each new reader,
 * as templates do. An interface that comes or is renamed goes alone, at
 * the domain's next pass: before any record of a flow through it.
 *
 * The interfaces to name are noted (an xarray of ifindexes), a whole
 * table by noting them all; each pass names up to IFTABLE_PASS_MAX of
 * them, behind what its domain has waiting for relay room. Those the
 * relay has no room for stay noted: nothing is written twice, nor kept
 * in the backlog, whose room is the flow records'.
 */
#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "ctipfix_ipfix.h"
#include "iftable.h"
#include "netns.h"
#include "params.h"
#include "reliability.h"
#include "stats.h"

#define IFTABLE_FIELDS		4
#define IFTABLE_REC_LEN		(4 + IFNAMSIZ + 4 + IFNAMSIZ)
#define IFTABLE_HEAD_LEN	(CTIPFIX_IPFIX_HDR_LEN + \
				 CTIPFIX_OPTIONS_TEMPLATE_LEN(IFTABLE_FIELDS) + \
				 CTIPFIX_IPFIX_SET_HDR_LEN)
/* the names one pass sends at most (160 KB); the others at the next */
#define IFTABLE_PASS_MAX	4096
/* a name on the wire: IFNAMSIZ bytes, as ctipfixd takes them (at most 16) */
static_assert(IFNAMSIZ == 16);

/* the scope first (domain, name), then ifindex and name: (IE, length) */
static const struct ctipfix_option_field
ctipfix_iftable_fields[IFTABLE_FIELDS] = {
	{ CTIPFIX_IE_OBSERVATION_DOMAIN_ID, 4 },
	{ CTIPFIX_IE_INTERFACE_NAME, IFNAMSIZ },
	{ CTIPFIX_IE_INGRESS_INTERFACE, 4 },
	{ CTIPFIX_IE_INTERFACE_DESCRIPTION, IFNAMSIZ },
};

struct ctipfix_iface {
	u32 ifindex;
	char name[IFNAMSIZ];
};

/* the interfaces one pass names */
struct ctipfix_ifaces {
	struct ctipfix_iface *at;
	unsigned int n;
	unsigned int size;
};

void ctipfix_iftable_init(struct ctipfix_iftable *it)
{
	xa_init(&it->named);
	it->flags = 0;
	it->whole.ever = false;
}

/* The namespace's interfaces are gone, and its events with them. */
void ctipfix_iftable_free(struct ctipfix_iftable *it)
{
	xa_destroy(&it->named);
}

/* Process context: all names again at the next pass (a domain served). */
void ctipfix_iftable_resend(struct ctipfix_iftable *it)
{
	set_bit(CTIPFIX_IFTABLE_RESEND, &it->flags);
}

/*
 * Note @ifindex, to be named at the next pass. Process context; not
 * charged to a tenant's memory cgroup: there a tenant at its limit would
 * turn each rename into a whole table. What is noted stays within the
 * interfaces that exist, which are charged.
 */
static int ctipfix_iftable_note(struct xarray *named, u32 ifindex)
{
	return xa_err(xa_store(named, ifindex, xa_mk_value(0), GFP_KERNEL));
}

static int ctipfix_ifaces_alloc(struct ctipfix_ifaces *v, unsigned int n)
{
	v->at = kvmalloc_array(n, sizeof(*v->at), GFP_KERNEL);
	v->size = v->at ? n : 0;
	v->n = 0;
	return v->at ? 0 : -ENOMEM;
}

/*
 * Under RCU. A rename meanwhile may tear the copy; its NETDEV_CHANGENAME
 * comes after it, and names the interface again at the next pass. A name
 * is the tenant's bytes: what is not printable ASCII goes out as '?', so
 * that it is valid UTF-8 (RFC 7011 §6.1.6) and harmless on a terminal.
 */
static void ctipfix_iface_take(struct ctipfix_iface *i,
			       const struct net_device *dev)
{
	unsigned int k;

	i->ifindex = dev->ifindex;
	strscpy_pad(i->name, dev->name, IFNAMSIZ);
	for (k = 0; k < IFNAMSIZ && i->name[k]; k++)
		if (i->name[k] < 0x21 || i->name[k] > 0x7e)
			i->name[k] = '?';
}

/*
 * Note every interface of @net, to be named. One that comes meanwhile is
 * in the walk or after the room taken (devices join the list at its
 * tail), and then noted by its NETDEV_REGISTER, which comes after it
 * joined.
 */
static int ctipfix_iftable_note_all(struct net *net, struct xarray *named)
{
	struct ctipfix_ifaces v;
	struct net_device *dev;
	unsigned int n = 0, i;
	int err = 0;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev)
		n++;
	rcu_read_unlock();
	if (ctipfix_ifaces_alloc(&v, n))
		return -ENOMEM;
	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (v.n == v.size)
			break;
		v.at[v.n++].ifindex = dev->ifindex;
	}
	rcu_read_unlock();
	for (i = 0; i < v.n && !err; i++) {
		err = ctipfix_iftable_note(named, v.at[i].ifindex);
		if (!(i % 256))
			cond_resched();
	}
	kvfree(v.at);
	return err;
}

/*
 * Up to IFTABLE_PASS_MAX of the interfaces noted, taken off the notes,
 * with their names now. Those gone meanwhile have nothing to name.
 */
static int ctipfix_ifaces_take_noted(struct net *net, struct xarray *named,
				     struct ctipfix_ifaces *v)
{
	struct net_device *dev;
	unsigned int n = 0, i, kept = 0;
	unsigned long index;
	void *entry;

	xa_for_each(named, index, entry)
		if (++n == IFTABLE_PASS_MAX)
			break;
	if (!n)
		return 0;
	if (ctipfix_ifaces_alloc(v, n))
		return -ENOMEM;
	xa_for_each(named, index, entry) {
		if (v->n == v->size)
			break;
		xa_erase(named, index);
		v->at[v->n++].ifindex = index;
	}
	rcu_read_lock();
	for (i = 0; i < v->n; i++) {
		dev = dev_get_by_index_rcu(net, v->at[i].ifindex);
		if (dev)
			ctipfix_iface_take(&v->at[kept++], dev);
	}
	rcu_read_unlock();
	v->n = kept;
	return 0;
}

static u8 *ctipfix_iface_put(u8 *p, const struct ctipfix_iface *i, u32 domain)
{
	put_unaligned_be32(domain, p);
	memcpy(p + 4, i->name, IFNAMSIZ);
	put_unaligned_be32(i->ifindex, p + 4 + IFNAMSIZ);
	memcpy(p + 8 + IFNAMSIZ, i->name, IFNAMSIZ);
	return p + IFTABLE_REC_LEN;
}

/*
 * @v's names, in as many messages of max_msg_size as they take, while
 * the relay has room. Returns how many went.
 */
static unsigned int ctipfix_ifaces_write(const struct ctipfix_ifaces *v,
					 u32 domain)
{
	unsigned int size = READ_ONCE(ctipfix_max_msg_size), per, n, i, j, len;
	u8 *buf, *p;

	if (!v->n)
		return 0;
	/* max_msg_size's floor leaves room for one at least */
	per = max_t(unsigned int, 1, (size - IFTABLE_HEAD_LEN) / IFTABLE_REC_LEN);
	per = min(per, v->n);
	buf = kvmalloc(IFTABLE_HEAD_LEN + per * IFTABLE_REC_LEN, GFP_KERNEL);
	if (!buf)
		return 0;
	for (i = 0; i < v->n; i += n) {
		n = min(per, v->n - i);
		len = IFTABLE_HEAD_LEN + n * IFTABLE_REC_LEN;
		p = ctipfix_options_template_put(buf + CTIPFIX_IPFIX_HDR_LEN,
						 CTIPFIX_TEMPLATE_ID_INTERFACES,
						 ctipfix_iftable_fields,
						 IFTABLE_FIELDS, 2);
		put_unaligned_be16(CTIPFIX_TEMPLATE_ID_INTERFACES, p);
		put_unaligned_be16(CTIPFIX_IPFIX_SET_HDR_LEN +
				   n * IFTABLE_REC_LEN, p + 2);
		p += CTIPFIX_IPFIX_SET_HDR_LEN;
		for (j = 0; j < n; j++)
			p = ctipfix_iface_put(p, &v->at[i + j], domain);
		ctipfix_stats_msg_header(buf, len);
		if (!ctipfix_stats_domain_write(buf, len, n))
			break;
		ctipfix_stat_add(CTIPFIX_STAT_INTERFACE_RECORDS, n);
	}
	kvfree(buf);
	return i;
}

/*
 * Process context, in each pass before its records: name what the
 * domain's records may point at. The names wait behind what the domain
 * (and the orphans) have waiting for relay room (@drained: nothing
 * waits, as the pass found), and take no room of the backlog: those that
 * find none are noted again, for a later pass.
 */
void ctipfix_iftable_pass(struct ctipfix_net *cn, bool drained)
{
	struct ctipfix_iftable *it = &cn->ifaces;
	struct ctipfix_ifaces v = {};
	unsigned int went, i;

	/* most namespaces of a container host never have a flow to name */
	if (!cn->msg.stats.messages && !atomic_read(&cn->flows.count) &&
	    llist_empty(&cn->endings))
		return;
	if (!drained)
		return;
	if (test_and_clear_bit(CTIPFIX_IFTABLE_RESEND, &it->flags) ||
	    ctipfix_refresh_due(&it->whole)) {
		ctipfix_refresh_begin(&it->whole);
		if (ctipfix_iftable_note_all(cn->net, &it->named)) {
			ctipfix_iftable_resend(it);
			return;
		}
	}
	if (ctipfix_ifaces_take_noted(cn->net, &it->named, &v)) {
		ctipfix_iftable_resend(it);
		return;
	}
	went = ctipfix_ifaces_write(&v, cn->msg.domain);
	for (i = went; i < v.n; i++)
		if (ctipfix_iftable_note(&it->named, v.at[i].ifindex)) {
			ctipfix_iftable_resend(it);
			break;
		}
	kvfree(v.at);
}

/*
 * Under RTNL: note an interface that comes or is renamed, and forget one
 * that goes (so that what is noted stays within what exists).
 */
static int ctipfix_iftable_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct ctipfix_iftable *it = &ctipfix_netns_of(dev_net(dev))->ifaces;

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_CHANGENAME:
		/* no memory to note it: all of them at the next pass */
		if (ctipfix_iftable_note(&it->named, dev->ifindex))
			ctipfix_iftable_resend(it);
		break;
	case NETDEV_UNREGISTER:
		xa_erase(&it->named, dev->ifindex);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block ctipfix_iftable_notifier = {
	.notifier_call = ctipfix_iftable_event,
};

/*
 * After the pernet state of every namespace is there: registering replays
 * NETDEV_REGISTER for every interface, and unregistering NETDEV_UNREGISTER.
 */
int ctipfix_iftable_notifier_register(void)
{
	return register_netdevice_notifier(&ctipfix_iftable_notifier);
}

void ctipfix_iftable_notifier_unregister(void)
{
	unregister_netdevice_notifier(&ctipfix_iftable_notifier);
}
