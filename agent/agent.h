/*
 * agent/agent.h - the agent's parts, for the modules that report on them
 * (the HTTP endpoints, /status, /metrics).  Everything here is owned and
 * changed by the loop's thread only; readers run on that same thread, in
 * loop callbacks, so what they see is never half-changed.
 */
#ifndef AGENT_AGENT_H
#define AGENT_AGENT_H

#include <ev.h>

#include "desired.h"
#include "k8s/store.h"
#include "options.h"
#include "owner.h"
#include "programming.h"
#include "source_api.h"
#include "source_file.h"
#include "sync.h"
#include "vip.h"

struct agent_web;

struct agent {
	const struct agent_options *opt;
	struct ev_loop *loop;
	struct nl_ipvs *nl;
	struct agent_owner owner;
	struct agent_vip vip;
	int have_vip;
	struct k8s_store *store;
	struct agent_desired desired;
	struct agent_sync sync;
	struct agent_file_source file;  /* --services-file */
	struct agent_api_source api;    /* the API server, otherwise */
	int use_api;
	struct agent_node_addr *node_addrs;
	char *zone;                     /* this node's zone, as last seen */
	struct agent_programming prog;  /* endpoint change -> kernel latency */
	double started;                 /* ev_time() at start */
	struct agent_web *web;          /* the HTTP endpoints (web.c) */
	ev_signal sigterm, sigint;
};

#endif
