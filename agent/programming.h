/*
 * agent/programming.h - network programming latency: from the moment an
 * endpoint change happened in the cluster to the moment the kernel holds
 * it, as kube-proxy's kubeproxy_network_programming_duration_seconds.
 *
 * The EndpointSlice controller stamps each slice it writes with the time
 * of the change that caused it (annotation
 * endpoints.kubernetes.io/last-change-trigger-time, RFC 3339).  When a
 * Service is re-translated, the newest stamp among its slices is noted if
 * it is newer than the last one noted for that Service (so a Service
 * re-translated for another reason does not count an old change again).
 * Stamps noted before a batch starts belong to that batch; when its last
 * acknowledgement is in, each gives one observation: now - stamp.
 *
 * Costs: one map entry (the key and a double) per Service that ever had a
 * stamp; O(slices of the Service) per note; O(notes) per batch.
 */
#ifndef AGENT_PROGRAMMING_H
#define AGENT_PROGRAMMING_H

#include <stddef.h>

#include "k8s/store.h"
#include "strmap.h"

#define AGENT_TRIGGER_ANNOTATION "endpoints.kubernetes.io/last-change-trigger-time"

struct agent_programming {
	struct strmap last;          /* "ns/name" -> malloc'd double: newest
					stamp noted for that Service */
	double *pending;             /* stamps waiting for the next batch */
	size_t npending, cap_pending;
	double *inflight;            /* stamps of the batch in flight */
	size_t ninflight, cap_inflight;
	/* Each observation, in seconds (and the Service's stamp). */
	void (*observe)(void *arg, double seconds);
	void *arg;
};

void agent_programming_init(struct agent_programming *p);
void agent_programming_fini(struct agent_programming *p);

/* Service @ns/@name was re-translated from @st. */
void agent_programming_note(struct agent_programming *p,
			    const struct k8s_store *st, const char *ns,
			    const char *name);
/* A batch starts: what was noted so far goes with it. */
void agent_programming_batch_start(struct agent_programming *p);
/* The batch's operations are all acknowledged, at wall-clock @now. */
void agent_programming_batch_done(struct agent_programming *p, double now);

/* RFC 3339 ("2026-11-21T22:10:01.123456789Z", or with +hh:mm) to seconds
 * since the epoch; -1 when it does not parse. */
double agent_programming_parse_time(const char *s);

#endif
