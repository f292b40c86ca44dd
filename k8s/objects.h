/*
 * k8s/objects.h - the Kubernetes objects ipvsagent reads, typed: v1
 * Service, discovery.k8s.io/v1 EndpointSlice and v1 Node, reduced to the
 * fields kube-proxy's ipvs mode uses.  Strings are owned (malloc'd) by the
 * object; k8s_*_fini() frees them.  Addresses stay text, already checked
 * with inet_pton() by the decoder and rewritten by inet_ntop(), so one
 * address has one spelling and texts compare as addresses do.
 */
#ifndef K8S_OBJECTS_H
#define K8S_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

/* Protocols as IP protocol numbers, which is what IPVS takes. */
#define K8S_PROTO_TCP 6
#define K8S_PROTO_UDP 17
#define K8S_PROTO_SCTP 132

#define K8S_AFFINITY_TIMEOUT_DEFAULT 10800

struct k8s_kv {
	char *key;
	char *value;
};

/* Labels or annotations.  The decoder sorts them by key and drops
 * duplicate keys, which is what lets k8s_*_equal() compare them in order. */
struct k8s_kvs {
	struct k8s_kv *v;
	size_t n;
};

/* The value for @key, or NULL.  A linear scan (objects carry a handful of
 * labels), so hand-built, unsorted sets work too. */
const char *k8s_kvs_get(const struct k8s_kvs *kvs, const char *key);

struct k8s_meta {
	char *ns;                 /* metadata.namespace ("" for cluster-scoped) */
	char *name;               /* metadata.name */
	char *uid;                /* metadata.uid */
	char *resource_version;   /* metadata.resourceVersion */
	int deleting;             /* metadata.deletionTimestamp is set */
	struct k8s_kvs labels;
	struct k8s_kvs annotations;
	/* NULL, or the one block that holds every string and array of the
	 * object (k8s_*_pack()); fini then frees that block alone. */
	void *pack;
};

struct k8s_service_port {
	char *name;          /* "" when unnamed */
	int protocol;        /* K8S_PROTO_*; default TCP */
	uint16_t port;       /* spec.ports[].port, 1..65535 */
	uint16_t node_port;  /* 0 when none */
};

enum k8s_service_type {
	K8S_SVC_CLUSTER_IP,
	K8S_SVC_NODE_PORT,
	K8S_SVC_LOAD_BALANCER,
	K8S_SVC_EXTERNAL_NAME,
};

struct k8s_service {
	struct k8s_meta meta;
	enum k8s_service_type type;
	int headless;              /* clusterIP "None" */
	char **cluster_ips;        /* spec.clusterIPs, else [spec.clusterIP] */
	size_t ncluster_ips;
	char **external_ips;       /* spec.externalIPs */
	size_t nexternal_ips;
	char **lb_ips;             /* status.loadBalancer.ingress[].ip whose
				      ipMode is not "Proxy" */
	size_t nlb_ips;
	struct k8s_service_port *ports;
	size_t nports;
	int affinity_client_ip;    /* sessionAffinity: ClientIP */
	uint32_t affinity_timeout; /* seconds; default 10800 */
	int external_local;        /* externalTrafficPolicy: Local */
	int internal_local;        /* internalTrafficPolicy: Local */
	uint16_t health_check_node_port;
};

struct k8s_endpoint_port {
	char *name;          /* "" when unnamed */
	int protocol;        /* K8S_PROTO_*; default TCP */
	uint16_t port;       /* 0 when absent (the port is then unusable) */
};

struct k8s_endpoint {
	char **addresses;    /* usually one */
	size_t naddresses;
	int ready;           /* conditions.ready; absent means true */
	int serving;         /* conditions.serving; absent means ready */
	int terminating;     /* conditions.terminating; absent means false */
	int has_hints;       /* hints present (even with no zones); here, not
				last, so the struct has no padding (64 bytes,
				x 100,000 in a large cluster) */
	char *node_name;     /* nodeName, or NULL */
	char *zone;          /* zone, or NULL */
	char **hint_zones;   /* hints.forZones[].name */
	size_t nhint_zones;
};

struct k8s_endpointslice {
	struct k8s_meta meta;
	char *service_name;  /* label kubernetes.io/service-name, or NULL */
	int af;              /* AF_INET, AF_INET6, or 0 for FQDN (ignored) */
	struct k8s_endpoint *endpoints;   /* may be empty (null in JSON) */
	size_t nendpoints;
	struct k8s_endpoint_port *ports;  /* may be empty (null in JSON) */
	size_t nports;
};

struct k8s_node_address {
	char *type;          /* InternalIP, ExternalIP, Hostname, ... */
	char *address;
};

struct k8s_node {
	struct k8s_meta meta;
	char *zone;          /* label topology.kubernetes.io/zone, or NULL */
	struct k8s_node_address *addresses;
	size_t naddresses;
	int to_be_deleted;   /* taint ToBeDeletedByClusterAutoscaler */
};

/* Free what the object owns and zero it; safe on a zeroed object and twice. */
void k8s_service_fini(struct k8s_service *s);
void k8s_endpointslice_fini(struct k8s_endpointslice *e);
void k8s_node_fini(struct k8s_node *n);

/* One endpoint (the decoder drops half-decoded ones with it); not for
 * the endpoints of a packed slice. */
void k8s_endpoint_fini(struct k8s_endpoint *ep);

/*
 * Move every string and array the object owns into one block of its own:
 * one allocation instead of dozens (an EndpointSlice of 10 endpoints
 * holds about 40 small ones, twice its packed size with malloc's
 * overhead), freed at once by fini().  Pointers into the object change;
 * its content does not.  A packed object must not have its strings or
 * arrays replaced one by one.  0, or -ENOMEM with the object as it was.
 */
int k8s_service_pack(struct k8s_service *s);
int k8s_endpointslice_pack(struct k8s_endpointslice *e);

/* fini() then free() a heap object (the store's and the list decoder's
 * objects are heap objects); NULL is fine. */
void k8s_service_free(struct k8s_service *s);
void k8s_endpointslice_free(struct k8s_endpointslice *e);
void k8s_node_free(struct k8s_node *n);

/*
 * 1 when two objects are the same in everything but metadata.uid and
 * metadata.resourceVersion, i.e. when translating either gives the same
 * result.  Labels and annotations compare as sets: the decoder keeps them
 * sorted by key.  O(size of the objects).
 */
int k8s_service_equal(const struct k8s_service *a,
		      const struct k8s_service *b);
int k8s_endpointslice_equal(const struct k8s_endpointslice *a,
			    const struct k8s_endpointslice *b);
int k8s_node_equal(const struct k8s_node *a, const struct k8s_node *b);

#endif
