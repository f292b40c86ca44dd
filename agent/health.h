/*
 * agent/health.h - kube-proxy's health model, for /healthz, /livez and
 * `ipvsagent status`.
 *
 * As kube-proxy's ProxyHealthServer: the agent is healthy unless a change
 * was queued and has not reached the kernel within twice the sync period
 * (--ipvs-sync-period): a queued change starts the clock, a batch that
 * ends with nothing refused stops it.  /livez says exactly that; /healthz
 * also fails while this node is not eligible for traffic: its Node is
 * being deleted (deletionTimestamp) or carries the cluster autoscaler's
 * ToBeDeletedByClusterAutoscaler taint, so load balancers drain it first.
 *
 * kube-proxy only serves once it has its Node, so it never answers
 * without one; here, with the API source, no Node yet means not eligible
 * (as kube-proxy's NodeEligible()), and with the file source, which
 * normally has no Node, eligible.
 */
#ifndef AGENT_HEALTH_H
#define AGENT_HEALTH_H

#include <stddef.h>

#include "buf.h"

struct agent;

struct agent_health {
	int healthy;              /* no change late (livez) */
	int node_eligible;        /* Node neither deleted nor drained */
	double now;               /* when this was judged */
	double last_updated;      /* last batch without refusals, or start */
	double oldest_unapplied;  /* oldest change not in the kernel, 0: none */
	double timeout;           /* 2 x --ipvs-sync-period */
};

void agent_health_get(const struct agent *a, double now,
		      struct agent_health *h);

/* "IPv4" and/or "IPv6": the families with virtual services in the
 * desired state, IPv4 when there are none.  O(desired services) at worst
 * (stops once both are seen).  Returns how many (1 or 2). */
size_t agent_ip_families(const struct agent *a, const char *out[2]);

/*
 * kube-proxy's JSON body: {"lastUpdated","currentTime","nodeEligible"
 * (with @with_node: /healthz only),"healthy","status":{FAMILY:
 * {"lastUpdated","healthy"}}}, times as Go marshals them.  Healthy
 * answers report lastUpdated = now, as kube-proxy does for compatibility
 * with its older releases.  Returns the HTTP status: 200 or 503.
 */
int agent_health_json(const struct agent_health *h, const char *const *fams,
		      size_t nfams, int with_node, struct agent_buf *b);

#endif
