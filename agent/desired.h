/*
 * agent/desired.h - the desired IPVS state, kept up to date one Service at
 * a time.
 *
 * Each Service's virtual services (its contribution) are remembered, so a
 * change to a Service or one of its EndpointSlices re-translates that
 * Service alone, swaps its contribution in the desired table, and touches
 * exactly the keys that changed hands: the work of a sync is proportional
 * to the change, not to the cluster.
 *
 * Two Services that want the same virtual service (same VIP, protocol and
 * port): the first keeps it, the second's is left out and logged.
 */
#ifndef AGENT_DESIRED_H
#define AGENT_DESIRED_H

#include <stdint.h>

#include "ipvs/state.h"
#include "k8s/store.h"
#include "strmap.h"
#include "translate.h"

struct agent_vip;

struct agent_desired {
	struct ipvs_state *want;          /* the union of all contributions */
	struct strmap contribs;           /* "ns/name" -> struct agent_contrib */
	struct strmap holders;            /* key text -> struct agent_contrib */
	struct agent_translate_conf conf;
	struct agent_translation tr;      /* scratch, reused */
	struct agent_vip *vip;            /* NULL: bind nothing (dry run) */
	/* Called for every key whose desired state changed. */
	void (*touch)(void *arg, const struct ipvs_service_key *k);
	void *touch_arg;
	uint64_t rejected;                /* Services left out entirely */
	uint64_t conflicts;               /* keys another Service holds */
	uint64_t no_local_endpoints;      /* Local-policy VS with no local pod */
};

/* One virtual service of a Service, as remembered. */
struct agent_contrib_vs {
	struct ipvs_service_key key;
	enum agent_vs_kind kind;
	int bind;
	int local_only;
	char *port_name;
};

struct agent_contrib {
	char *ns;
	char *name;
	size_t n;
	struct agent_contrib_vs vs[];
};

int agent_desired_init(struct agent_desired *d);
void agent_desired_fini(struct agent_desired *d);

/* Re-translate Service @ns/@name from @st (absent: remove it). */
int agent_desired_update(struct agent_desired *d, const struct k8s_store *st,
			 const char *ns, const char *name);

/* Every Service again (the node's zone or addresses changed). */
int agent_desired_update_all(struct agent_desired *d, const struct k8s_store *st);

#endif
