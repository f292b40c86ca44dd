/*
 * k8s/objects_equal.c - deep comparison of typed objects.  The store uses
 * it when a file is reloaded, to mark dirty only what really changed:
 * comparing the decoded fields costs about as much as decoding them did.
 */
#include "objects.h"

#include <string.h>

/* NULL equals only NULL. */
static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		if (!str_eq(a[i], b[i]))
			return 0;
	}
	return 1;
}

static int kvs_eq(const struct k8s_kvs *a, const struct k8s_kvs *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (!str_eq(a->v[i].key, b->v[i].key) ||
		    !str_eq(a->v[i].value, b->v[i].value))
			return 0;
	}
	return 1;
}

/* Everything but uid and resourceVersion. */
static int meta_eq(const struct k8s_meta *a, const struct k8s_meta *b)
{
	return str_eq(a->ns, b->ns) && str_eq(a->name, b->name) &&
	       a->deleting == b->deleting && kvs_eq(&a->labels, &b->labels) &&
	       kvs_eq(&a->annotations, &b->annotations);
}

static int svc_ports_eq(const struct k8s_service *a,
			const struct k8s_service *b)
{
	size_t i;

	if (a->nports != b->nports)
		return 0;
	for (i = 0; i < a->nports; i++) {
		const struct k8s_service_port *p = &a->ports[i], *q = &b->ports[i];

		if (!str_eq(p->name, q->name) || p->protocol != q->protocol ||
		    p->port != q->port || p->node_port != q->node_port)
			return 0;
	}
	return 1;
}

int k8s_service_equal(const struct k8s_service *a,
		      const struct k8s_service *b)
{
	return meta_eq(&a->meta, &b->meta) && a->type == b->type &&
	       a->headless == b->headless &&
	       strv_eq(a->cluster_ips, a->ncluster_ips, b->cluster_ips,
		       b->ncluster_ips) &&
	       strv_eq(a->external_ips, a->nexternal_ips, b->external_ips,
		       b->nexternal_ips) &&
	       strv_eq(a->lb_ips, a->nlb_ips, b->lb_ips, b->nlb_ips) &&
	       svc_ports_eq(a, b) &&
	       a->affinity_client_ip == b->affinity_client_ip &&
	       a->affinity_timeout == b->affinity_timeout &&
	       a->external_local == b->external_local &&
	       a->internal_local == b->internal_local &&
	       a->health_check_node_port == b->health_check_node_port;
}

static int endpoint_eq(const struct k8s_endpoint *a,
		       const struct k8s_endpoint *b)
{
	return strv_eq(a->addresses, a->naddresses, b->addresses,
		       b->naddresses) &&
	       a->ready == b->ready && a->serving == b->serving &&
	       a->terminating == b->terminating &&
	       str_eq(a->node_name, b->node_name) && str_eq(a->zone, b->zone) &&
	       a->has_hints == b->has_hints &&
	       strv_eq(a->hint_zones, a->nhint_zones, b->hint_zones,
		       b->nhint_zones);
}

static int slice_ports_eq(const struct k8s_endpointslice *a,
			  const struct k8s_endpointslice *b)
{
	size_t i;

	if (a->nports != b->nports)
		return 0;
	for (i = 0; i < a->nports; i++) {
		const struct k8s_endpoint_port *p = &a->ports[i], *q = &b->ports[i];

		if (!str_eq(p->name, q->name) || p->protocol != q->protocol ||
		    p->port != q->port)
			return 0;
	}
	return 1;
}

int k8s_endpointslice_equal(const struct k8s_endpointslice *a,
			    const struct k8s_endpointslice *b)
{
	size_t i;

	if (!meta_eq(&a->meta, &b->meta) ||
	    !str_eq(a->service_name, b->service_name) || a->af != b->af ||
	    a->nendpoints != b->nendpoints || !slice_ports_eq(a, b))
		return 0;
	for (i = 0; i < a->nendpoints; i++) {
		if (!endpoint_eq(&a->endpoints[i], &b->endpoints[i]))
			return 0;
	}
	return 1;
}

int k8s_node_equal(const struct k8s_node *a, const struct k8s_node *b)
{
	size_t i;

	if (!meta_eq(&a->meta, &b->meta) || !str_eq(a->zone, b->zone) ||
	    a->to_be_deleted != b->to_be_deleted ||
	    a->naddresses != b->naddresses)
		return 0;
	for (i = 0; i < a->naddresses; i++) {
		if (!str_eq(a->addresses[i].type, b->addresses[i].type) ||
		    !str_eq(a->addresses[i].address, b->addresses[i].address))
			return 0;
	}
	return 1;
}
