/*
 * test/unit/agent_fixture.h - a struct agent without a kernel, for the
 * tests of what reports on it (/status, /metrics, /healthz): a store
 * filled from a JSON List, the desired state translated from it, and a
 * hand-made cache of the kernel (`have`) and ownership record.
 */
#ifndef TEST_UNIT_AGENT_FIXTURE_H
#define TEST_UNIT_AGENT_FIXTURE_H

#include "agent/agent.h"

struct fx_agent {
	struct agent a;               /* what the code under test reads */
	struct agent_options opt;     /* its options: node1, sync 30s */
};

/* @list: a v1 List of Services and EndpointSlices, with ' for ". */
void fx_agent_init(struct fx_agent *f, const char *list);
void fx_agent_fini(struct fx_agent *f);

/* Copy the wanted virtual server @key ("-t 10.96.0.10:80") with its real
 * servers into the kernel's cache; @owned records it as ours. */
void fx_agent_apply(struct fx_agent *f, const char *key, int owned);
/* Every wanted virtual server, owned. */
void fx_agent_apply_all(struct fx_agent *f);

/* The ipvs_state_service of @key in @st (the test aborts if absent). */
struct ipvs_state_service *fx_agent_find(struct ipvs_state *st,
					 const char *key);

#endif
