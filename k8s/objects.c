/*
 * k8s/objects.c - label lookup and the destructors of the typed objects.
 */
#include "objects.h"

#include <stdlib.h>
#include <string.h>

const char *k8s_kvs_get(const struct k8s_kvs *kvs, const char *key)
{
	size_t i;

	for (i = 0; i < kvs->n; i++) {
		if (!strcmp(kvs->v[i].key, key))
			return kvs->v[i].value;
	}
	return NULL;
}

static void kvs_fini(struct k8s_kvs *kvs)
{
	size_t i;

	for (i = 0; i < kvs->n; i++) {
		free(kvs->v[i].key);
		free(kvs->v[i].value);
	}
	free(kvs->v);
	kvs->v = NULL;
	kvs->n = 0;
}

static void meta_fini(struct k8s_meta *m)
{
	free(m->ns);
	free(m->name);
	free(m->uid);
	free(m->resource_version);
	kvs_fini(&m->labels);
	kvs_fini(&m->annotations);
}

static void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void k8s_service_fini(struct k8s_service *s)
{
	size_t i;

	if (s->meta.pack) {
		free(s->meta.pack);
		memset(s, 0, sizeof(*s));
		return;
	}

	meta_fini(&s->meta);
	strv_free(s->cluster_ips, s->ncluster_ips);
	strv_free(s->external_ips, s->nexternal_ips);
	strv_free(s->lb_ips, s->nlb_ips);
	for (i = 0; i < s->nports; i++)
		free(s->ports[i].name);
	free(s->ports);
	memset(s, 0, sizeof(*s));
}

void k8s_endpoint_fini(struct k8s_endpoint *ep)
{
	strv_free(ep->addresses, ep->naddresses);
	free(ep->node_name);
	free(ep->zone);
	strv_free(ep->hint_zones, ep->nhint_zones);
	memset(ep, 0, sizeof(*ep));
}

void k8s_endpointslice_fini(struct k8s_endpointslice *e)
{
	size_t i;

	if (e->meta.pack) {
		free(e->meta.pack);
		memset(e, 0, sizeof(*e));
		return;
	}

	meta_fini(&e->meta);
	free(e->service_name);
	for (i = 0; i < e->nendpoints; i++)
		k8s_endpoint_fini(&e->endpoints[i]);
	free(e->endpoints);
	for (i = 0; i < e->nports; i++)
		free(e->ports[i].name);
	free(e->ports);
	memset(e, 0, sizeof(*e));
}

void k8s_node_fini(struct k8s_node *n)
{
	size_t i;

	if (n->meta.pack) {
		free(n->meta.pack);
		memset(n, 0, sizeof(*n));
		return;
	}

	meta_fini(&n->meta);
	free(n->zone);
	for (i = 0; i < n->naddresses; i++) {
		free(n->addresses[i].type);
		free(n->addresses[i].address);
	}
	free(n->addresses);
	memset(n, 0, sizeof(*n));
}

void k8s_service_free(struct k8s_service *s)
{
	if (!s)
		return;
	k8s_service_fini(s);
	free(s);
}

void k8s_endpointslice_free(struct k8s_endpointslice *e)
{
	if (!e)
		return;
	k8s_endpointslice_fini(e);
	free(e);
}

void k8s_node_free(struct k8s_node *n)
{
	if (!n)
		return;
	k8s_node_fini(n);
	free(n);
}
