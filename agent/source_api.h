/*
 * agent/source_api.h - the API server as the source of Services,
 * EndpointSlices and this node's Node: one HTTP client, three reflectors
 * (k8s/reflector.h) writing into the agent's store.
 *
 * Nothing is applied to the kernel before Services and EndpointSlices
 * have both finished their first list (ready() is called then, once): an
 * empty view before that must never delete rules.  After that, an outage
 * changes nothing: the reflectors keep the store as it was and retry.
 */
#ifndef AGENT_SOURCE_API_H
#define AGENT_SOURCE_API_H

#include <ev.h>

#include "k8s/config.h"
#include "k8s/http.h"
#include "k8s/reflector.h"
#include "k8s/store.h"

struct agent_api_source {
	struct k8s_config config;
	struct k8s_http *http;
	struct k8s_reflector *refl[K8S_RES_COUNT];
	struct k8s_decode_log log;
	int ready;                        /* both first lists are in */
	/* Called after the store changed (dirty keys, or the Node). */
	void (*changed)(void *arg, enum k8s_resource res);
	/* Called once, when Services and EndpointSlices are both listed. */
	void (*ready_cb)(void *arg);
	void *arg;
	unsigned long rejected;           /* objects the decoder refused */
	int failing[K8S_RES_COUNT];       /* backing off since the last watch */
};

/*
 * Load the configuration (--kubeconfig / --master, else in-cluster) and
 * start the reflectors into @store; @node_name names this node's Node.
 * Returns 0, or -errno after logging why (a bad kubeconfig, not in a pod).
 */
int agent_api_source_start(struct agent_api_source *s, struct ev_loop *loop,
			   const char *kubeconfig, const char *master,
			   const char *node_name, struct k8s_store *store);
void agent_api_source_stop(struct agent_api_source *s);

#endif
