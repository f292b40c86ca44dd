/*
 * agent/translate.h - one Service and its EndpointSlices become the IPVS
 * virtual services this node needs, with kube-proxy's ipvs-mode meaning.
 *
 * Per service port: a virtual service on every clusterIP (its own family's
 * endpoints: dual-stack), every externalIP, every LoadBalancer ingress IP
 * (not ipMode Proxy), and, for NodePort and LoadBalancer types, the node
 * port on every node address.  ClientIP affinity makes them persistent.
 * The real servers are the endpoints kube-proxy's CategorizeEndpoints
 * picks: ready ones (topology-filtered when every ready endpoint has
 * hints), else serving-and-terminating ones; Local traffic policies keep
 * only this node's.  Headless, ExternalName and service-proxy-name
 * Services produce nothing.
 *
 * Pure: no I/O.  Bad input leaves out the smallest unit and says why.
 */
#ifndef AGENT_TRANSLATE_H
#define AGENT_TRANSLATE_H

#include <stddef.h>

#include "ipvs/service.h"
#include "k8s/objects.h"

#define AGENT_ANNOTATION_SCHEDULER "ipvsagent.io/scheduler"
#define AGENT_ANNOTATION_KUBE_ROUTER "kube-router.io/service.scheduler"

/* An address of this node that node ports listen on. */
struct agent_node_addr {
	int af;
	union ipvs_addr addr;
};

struct agent_translate_conf {
	const char *node_name;      /* --hostname-override */
	const char *node_zone;      /* from the Node's labels, or NULL */
	const char *scheduler;      /* --ipvs-scheduler */
	const struct agent_node_addr *node_addrs;  /* for NodePorts */
	size_t nnode_addrs;
};

/* Why a virtual service exists: what `status` and metrics report. */
enum agent_vs_kind {
	AGENT_VS_CLUSTER_IP,
	AGENT_VS_EXTERNAL_IP,
	AGENT_VS_LOAD_BALANCER,
	AGENT_VS_NODE_PORT,
};

struct agent_vs {
	struct ipvs_service conf;
	struct ipvs_dest *dests;
	size_t ndests;
	enum agent_vs_kind kind;
	int bind;                  /* VIP must be bound on the dummy interface */
	int local_only;            /* a Local policy with no local endpoints */
	const char *port_name;     /* points into the Service; "" if unnamed */
};

/* The virtual services of one Service; reused across calls. */
struct agent_translation {
	struct agent_vs *v;
	size_t n;
	size_t cap;
};

/* Called once per rejected unit with the Service's namespace/name. */
struct agent_translate_log {
	void (*warn)(void *arg, const char *ns, const char *name,
		     const char *reason);
	void *arg;
};

void agent_translation_init(struct agent_translation *t);
void agent_translation_clear(struct agent_translation *t);
void agent_translation_fini(struct agent_translation *t);

/* True for the schedulers the kernel ships. */
int agent_scheduler_known(const char *name);

/* True when kube-proxy would not proxy this Service at all. */
int agent_service_skipped(const struct k8s_service *svc);

/*
 * Append the virtual services of @svc, given all its slices, to @out.
 * Returns 0, -EINVAL when the whole Service is rejected (the reason went
 * to @log), or -ENOMEM.
 */
int agent_translate(const struct agent_translate_conf *conf,
		    const struct k8s_service *svc,
		    const struct k8s_endpointslice *const *slices, size_t nslices,
		    struct agent_translation *out,
		    const struct agent_translate_log *log);

#endif
