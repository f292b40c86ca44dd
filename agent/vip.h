/*
 * agent/vip.h - the service addresses on the dummy interface.
 *
 * IPVS only sees packets for local addresses, so every clusterIP,
 * externalIP and LoadBalancer IP is bound to the dummy interface (as
 * kube-proxy does with kube-ipvs0).  Wanted addresses are reference
 * counted as virtual services come and go; agent_vip_sync() makes the
 * interface match with one address dump and one batch of binds and
 * unbinds, whatever the number of services.  Only addresses the agent
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
	int dirty;                 /* want changed since the last sync */
	uint64_t binds, unbinds, errors;
};

/* Open the route socket and make sure the dummy exists (recording it in
 * the ownership record when we create it). */
int agent_vip_init(struct agent_vip *v, const char *dummy,
		   struct agent_owner *owner);
void agent_vip_fini(struct agent_vip *v);

void agent_vip_ref(struct agent_vip *v, int af, const union ipvs_addr *a);
void agent_vip_unref(struct agent_vip *v, int af, const union ipvs_addr *a);

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
