/*
 * agent/vip.h - the service addresses on the dummy interface.
 *
 * IPVS only sees packets for local addresses, so every clusterIP,
 * externalIP and LoadBalancer IP is bound to the dummy interface (as
 * kube-proxy does with kube-ipvs0).  Wanted addresses are reference
 * counted as virtual services come and go.  agent_vip_sync() binds and
 * unbinds just the addresses whose wanted-ness changed, in one batch and
 * without a dump, so an endpoint change costs nothing here and a new
 * Service one bind, whatever the number of Services; a full pass (one
 * address dump, then one batch) runs at start and at each verification,
 * and repairs whatever changed behind our back.  Only addresses the agent
 * bound itself (in the ownership record) are ever unbound.
 */
#ifndef AGENT_VIP_H
#define AGENT_VIP_H

#include "ipvs/addr.h"
#include "netlink/nl_link.h"
#include "owner.h"
#include "strmap.h"

struct agent_vip {
	struct nl_route *nr;
	struct nl_link link;       /* the dummy interface */
	struct strmap want;        /* address text -> reference count */
	struct agent_owner *owner;
	int dirty;                 /* a full pass is due (start, verification) */
	struct strmap changed;     /* addresses whose wanted-ness flipped since
				      the last sync (a flip back cancels) */
	uint64_t binds, unbinds, errors;
};

/* Open the route socket and make sure the dummy exists (recording it in
 * the ownership record when we create it). */
int agent_vip_init(struct agent_vip *v, const char *dummy,
		   struct agent_owner *owner);
void agent_vip_fini(struct agent_vip *v);

void agent_vip_ref(struct agent_vip *v, int af, const union ipvs_addr *a);
void agent_vip_unref(struct agent_vip *v, int af, const union ipvs_addr *a);

/* Anything to do for agent_vip_sync(). */
int agent_vip_pending(const struct agent_vip *v);

/* Bind what is wanted and missing, unbind what we bound and is no longer
 * wanted.  0, or -errno for a socket failure (per-address failures are
 * logged and counted). */
int agent_vip_sync(struct agent_vip *v);

/* Look the dummy up again (re-creating it if someone deleted it) and
 * compare its addresses at the next agent_vip_sync(): verification. */
int agent_vip_recheck(struct agent_vip *v, const char *dummy);

/* --cleanup: unbind every address we bound, delete the dummy if ours. */
int agent_vip_cleanup(struct agent_vip *v);

#endif
