/*
 * agent/metrics_int.h - what the files of the agent's metrics share.
 * Not for other modules: they use metrics_agent.h.
 */
#ifndef AGENT_METRICS_INT_H
#define AGENT_METRICS_INT_H

#include "metrics.h"
#include "metrics_agent.h"

struct agent;

/* What one scrape reads from the agent, computed once before the
 * families are written; collectors read it. */
struct agent_metrics_snapshot {
	double vs_owned;           /* IPVS services we own */
	double rs_owned;           /* their real servers */
	double vs_foreign;         /* services someone else owns */
	double draining;           /* real servers draining */
	double changes[2];         /* service, endpoint changes so far */
	double pending[2];         /* ... since the last batch began */
	double last_applied;       /* last batch without refusals */
	double last_queued;        /* latest change queued, or start */
	double nl_requests;        /* netlink requests sent */
	double verifies;           /* verifications run */
	struct agent_proc_stats proc;
};

/* The per-virtual-server traffic counters' freshness. */
struct agent_metrics_traffic {
	double read_at;          /* ev_time() of the last services-only dump */
	double read_seconds;     /* how long it took */
};

/* Register the ipvsagent_* families (metrics_ipvsagent.c), reading
 * @snap and @t at each scrape; 0 or -ENOMEM. */
int agent_metrics_add_own(struct agent_metrics *reg, struct agent *a,
			  const struct agent_metrics_snapshot *snap,
			  const struct agent_metrics_traffic *t,
			  struct agent_metrics_family **verify_seconds);

/* Read the counters again if they are old and the socket is idle. */
void agent_metrics_traffic_refresh(struct agent *a,
				   struct agent_metrics_traffic *t);

/* Collectors (arg: struct agent *). */
void agent_metrics_traffic_conns(struct agent_metrics_out *out, void *arg);
void agent_metrics_traffic_packets(struct agent_metrics_out *out, void *arg);
void agent_metrics_traffic_bytes(struct agent_metrics_out *out, void *arg);

#endif
