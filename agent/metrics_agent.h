/*
 * agent/metrics_agent.h - what the agent reports to Prometheus.
 *
 * kube-proxy's own metrics, under its names, types, help texts (with the
 * "[ALPHA] " its component-base adds), labels and buckets, so dashboards
 * and alerts made for kube-proxy's ipvs mode keep working; then
 * ipvsagent_* (IPVS state, netlink, verification, the API watches,
 * rejected objects, per-virtual-server traffic, build info) and the
 * standard process_* metrics.
 *
 * One registry per process, like client_golang's default one: the
 * observation calls below are plain functions, and do nothing before
 * agent_metrics_init() or after agent_metrics_fini().
 *
 * Most values are not counted here at all: they are read at scrape time
 * from the counters the sync, the sources and the reflectors keep anyway
 * (struct agent_sync_stats, k8s_reflector_stats, ...), so the hot paths
 * pay nothing for them.  What is observed as it happens: sync durations,
 * network programming latencies, health probe answers.
 *
 * ip_family: one batch of ours programs both families, where kube-proxy
 * runs a proxier per family.  Every family that has virtual services in
 * the desired state (IPv4 when there are none) gets the sync's series;
 * the set is recomputed at each scrape (O(desired services)).
 *
 * Not thread-safe: everything runs on the loop's thread.
 */
#ifndef AGENT_METRICS_AGENT_H
#define AGENT_METRICS_AGENT_H

#include "buf.h"
#include "k8s/store.h"

struct agent;

/* How long the per-virtual-server traffic counters may be reused before
 * the kernel is asked again (see metrics_traffic.c for the cost). */
#define AGENT_METRICS_TRAFFIC_MAX_AGE 5.0

/* Register everything; @a is read at each scrape.  0 or -ENOMEM. */
int agent_metrics_init(struct agent *a);
void agent_metrics_fini(void);

/* The whole exposition into @b. */
void agent_metrics_render(struct agent_buf *b);

/* A batch started (the changes seen so far are in it: pending is 0). */
void agent_metrics_batch_started(void);
/* A batch ended (its last ACK, or it had nothing to do): observes
 * kubeproxy_sync_proxy_rules_duration_seconds, and the verification's
 * duration when the batch followed one. */
void agent_metrics_batch_done(void);
/* One network programming latency (the lead's programming.c): observed
 * under the primary family (IPv4 when the desired state has any). */
void agent_metrics_observe_programming(double seconds);
/* A health probe answered @code (200 or 503). */
void agent_metrics_healthz(int code);
void agent_metrics_livez(int code);
/* A file reload is about to replace @old with @next: count the Services
 * and EndpointSlices that differ (kube-proxy's service and endpoint
 * changes).  O(objects), as the reload's own comparison. */
void agent_metrics_count_file_changes(const struct k8s_store *old,
				      const struct k8s_store *next);

/* The process_* values, from /proc; exposed for tests. */
struct agent_proc_stats {
	double cpu_seconds;        /* user + system */
	double resident_bytes;
	double virtual_bytes;
	double virtual_max_bytes;  /* RLIMIT_AS (2^64-1: unlimited) */
	double open_fds;
	double max_fds;            /* RLIMIT_NOFILE soft limit */
	double start_time;         /* seconds since the epoch */
};
int agent_proc_stats_read(struct agent_proc_stats *ps);

#endif
