/*
 * k8s/objects_pack.c - an object's strings and arrays in one block.
 *
 * Why: the store holds every Service and EndpointSlice for as long as
 * they exist, and a decoded slice is made of dozens of small allocations
 * (each address, its array, each node name...), each with malloc's
 * header and rounding.  Packed, 10,000 slices of 10 endpoints take about
 * half the memory, and freeing one is one free().
 *
 * How: the same walk runs twice over the object, first measuring, then
 * copying into the block: arrays first (every element type is a multiple
 * of 8 bytes, so they stay aligned), then the strings.
 */
#include "objects.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct pack {
	char *arr;      /* where the next array goes; NULL while measuring */
	char *str;      /* where the next string goes */
	size_t narr;    /* bytes of arrays */
	size_t nstr;    /* bytes of strings */
};

/* A copy of @n elements of @size at @src; NULL for none, or measuring. */
static void *pack_arr(struct pack *p, const void *src, size_t n, size_t size)
{
	void *dst = NULL;

	if (!n)
		return NULL;
	if (p->arr) {
		dst = memcpy(p->arr, src, n * size);
		p->arr += n * size;
	}
	p->narr += n * size;
	return dst;
}

/* A copy of @s (NULL stays NULL); NULL while measuring. */
static char *pack_str(struct pack *p, const char *s)
{
	size_t len;
	char *dst = NULL;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	if (p->str) {
		dst = memcpy(p->str, s, len);
		p->str += len;
	}
	p->nstr += len;
	return dst;
}

/* @s again if it equals @prev_src (whose copy is @prev_dst): the node
 * name of every endpoint of a slice is usually the same. */
static char *pack_str_same(struct pack *p, const char *s, const char *prev_src,
			   char *prev_dst)
{
	if (s && prev_src && (!p->arr || prev_dst) && !strcmp(s, prev_src))
		return prev_dst;
	return pack_str(p, s);
}

static char **pack_strv(struct pack *p, char *const *v, size_t n)
{
	char **out = pack_arr(p, v, n, sizeof(*v));
	char *s;
	size_t i;

	for (i = 0; i < n; i++) {
		s = pack_str(p, v[i]);
		if (out)
			out[i] = s;
	}
	return out;
}

static void pack_kvs(struct pack *p, const struct k8s_kvs *in,
		     struct k8s_kvs *out)
{
	struct k8s_kv *v = pack_arr(p, in->v, in->n, sizeof(*in->v));
	char *key, *value;
	size_t i;

	for (i = 0; i < in->n; i++) {
		key = pack_str(p, in->v[i].key);
		value = pack_str(p, in->v[i].value);
		if (v) {
			v[i].key = key;
			v[i].value = value;
		}
	}
	out->v = v;
	out->n = in->n;
}

static void pack_meta(struct pack *p, const struct k8s_meta *in,
		      struct k8s_meta *out)
{
	out->ns = pack_str(p, in->ns);
	out->name = pack_str(p, in->name);
	out->uid = pack_str(p, in->uid);
	out->resource_version = pack_str(p, in->resource_version);
	pack_kvs(p, &in->labels, &out->labels);
	pack_kvs(p, &in->annotations, &out->annotations);
}

/* Run @walk(p, in, out) measuring, then into a new block: *@block. */
static int pack_run(void (*walk)(struct pack *p, const void *in, void *out),
		    const void *in, void *out, void **block)
{
	struct pack p = { 0 };
	char *b;

	walk(&p, in, out);
	if (!(b = malloc(p.narr + p.nstr ? p.narr + p.nstr : 1)))
		return -ENOMEM;
	p.arr = b;
	p.str = b + p.narr;
	p.narr = p.nstr = 0;
	walk(&p, in, out);
	*block = b;
	return 0;
}

/* ---- Services ------------------------------------------------------------ */

static void walk_service(struct pack *p, const void *vin, void *vout)
{
	const struct k8s_service *in = vin;
	struct k8s_service *out = vout;
	struct k8s_service_port *ports;
	char *name;
	size_t i;

	pack_meta(p, &in->meta, &out->meta);
	out->cluster_ips = pack_strv(p, in->cluster_ips, in->ncluster_ips);
	out->external_ips = pack_strv(p, in->external_ips, in->nexternal_ips);
	out->lb_ips = pack_strv(p, in->lb_ips, in->nlb_ips);
	ports = pack_arr(p, in->ports, in->nports, sizeof(*in->ports));
	for (i = 0; i < in->nports; i++) {
		name = pack_str(p, in->ports[i].name);
		if (ports)
			ports[i].name = name;
	}
	out->ports = ports;
}

int k8s_service_pack(struct k8s_service *s)
{
	struct k8s_service out;
	void *block;

	if (s->meta.pack)
		return 0;
	out = *s;
	if (pack_run(walk_service, s, &out, &block))
		return -ENOMEM;
	k8s_service_fini(s);
	*s = out;
	s->meta.pack = block;
	return 0;
}

/* ---- EndpointSlices ------------------------------------------------------ */

static void walk_endpoint(struct pack *p, const struct k8s_endpoint *in,
			  struct k8s_endpoint *out,
			  const struct k8s_endpoint *prev_in,
			  const struct k8s_endpoint *prev_out)
{
	char **addrs = pack_strv(p, in->addresses, in->naddresses);
	char **hints = pack_strv(p, in->hint_zones, in->nhint_zones);
	char *node = pack_str_same(p, in->node_name,
				   prev_in ? prev_in->node_name : NULL,
				   prev_out ? prev_out->node_name : NULL);
	char *zone = pack_str_same(p, in->zone, prev_in ? prev_in->zone : NULL,
				   prev_out ? prev_out->zone : NULL);

	if (!out)
		return;
	out->addresses = addrs;
	out->hint_zones = hints;
	out->node_name = node;
	out->zone = zone;
}

static void walk_slice(struct pack *p, const void *vin, void *vout)
{
	const struct k8s_endpointslice *in = vin;
	struct k8s_endpointslice *out = vout;
	struct k8s_endpoint *eps;
	struct k8s_endpoint_port *ports;
	char *name;
	size_t i;

	pack_meta(p, &in->meta, &out->meta);
	eps = pack_arr(p, in->endpoints, in->nendpoints, sizeof(*in->endpoints));
	for (i = 0; i < in->nendpoints; i++)
		walk_endpoint(p, &in->endpoints[i], eps ? &eps[i] : NULL,
			      i ? &in->endpoints[i - 1] : NULL,
			      eps && i ? &eps[i - 1] : NULL);
	out->endpoints = eps;
	ports = pack_arr(p, in->ports, in->nports, sizeof(*in->ports));
	for (i = 0; i < in->nports; i++) {
		name = pack_str(p, in->ports[i].name);
		if (ports)
			ports[i].name = name;
	}
	out->ports = ports;
	out->service_name = pack_str(p, in->service_name);
}

int k8s_endpointslice_pack(struct k8s_endpointslice *e)
{
	struct k8s_endpointslice out;
	void *block;

	if (e->meta.pack)
		return 0;
	out = *e;
	if (pack_run(walk_slice, e, &out, &block))
		return -ENOMEM;
	k8s_endpointslice_fini(e);
	*e = out;
	e->meta.pack = block;
	return 0;
}
