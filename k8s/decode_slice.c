/*
 * k8s/decode_slice.c - discovery.k8s.io/v1 EndpointSlice: address type,
 * ports, and endpoints with their conditions, node, zone and hints.
 * An endpoint with anything malformed is left out whole: guessing a
 * condition could send traffic to a pod that is not ready.
 */
#include "decode_field.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* One ports[] entry: 0, 1 (left out, reported) or -ENOMEM. */
static int slice_port(struct k8s_dec *d, const cJSON *j, size_t i,
		      struct k8s_endpoint_port *p)
{
	char at[K8S_DEC_AT_MAX];
	const char *name;
	long port = 0;

	snprintf(at, sizeof(at), "ports[%zu]", i);
	if (!cJSON_IsObject(j)) {
		k8s_dec_warn(d, "%s: expected an object, got %s", at,
			     k8s_dec_type_name(j));
		return 1;
	}
	if (k8s_dec_port_id(d, j, at, &name, &p->protocol) ||
	    k8s_dec_int(d, j, "port", at, 1, 65535, &port) < 0)
		return 1;
	p->port = (uint16_t)port;
	p->name = strdup(name);
	return p->name ? 0 : -ENOMEM;
}

static int slice_ports(struct k8s_dec *d, const cJSON *obj,
		       struct k8s_endpointslice *e)
{
	const cJSON *arr, *j;
	size_t n, i = 0;
	int rc;

	if (k8s_dec_arr(d, obj, "ports", "", &arr, &n) || !n)
		return 0;
	e->ports = calloc(n, sizeof(*e->ports));
	if (!e->ports)
		return -ENOMEM;
	for (j = arr->child; j; j = j->next, i++) {
		rc = slice_port(d, j, i, &e->ports[e->nports]);
		if (rc < 0)
			return rc;
		if (!rc)
			e->nports++;
	}
	return 0;
}

/* addresses[]: at least one, each an IP of the slice's family. */
static int ep_addresses(struct k8s_dec *d, const cJSON *j, const char *at,
			int af, struct k8s_endpoint *ep)
{
	char where[K8S_DEC_AT_MAX + 32];
	const cJSON *arr, *a;
	size_t n, i = 0;
	int rc;

	rc = k8s_dec_arr(d, j, "addresses", at, &arr, &n);
	if (rc < 0)
		return 1;
	if (!n) {
		k8s_dec_warn(d, "%s.addresses: missing or empty", at);
		return 1;
	}
	ep->addresses = calloc(n, sizeof(*ep->addresses));
	if (!ep->addresses)
		return -ENOMEM;
	for (a = arr->child; a; a = a->next, i++) {
		snprintf(where, sizeof(where), "%s.addresses[%zu]", at, i);
		if (!cJSON_IsString(a)) {
			k8s_dec_warn(d, "%s: expected a string, got %s", where,
				     k8s_dec_type_name(a));
			return 1;
		}
		rc = k8s_dec_ip(d, a->valuestring, af, where,
				&ep->addresses[ep->naddresses]);
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			return 1;
		ep->naddresses++;
	}
	return 0;
}

/* conditions: ready (absent: true), serving (absent: ready), terminating
 * (absent: false).  0 or 1 (reported). */
static int ep_conditions(struct k8s_dec *d, const cJSON *j, const char *at,
			 struct k8s_endpoint *ep)
{
	char where[K8S_DEC_AT_MAX + 16];
	const cJSON *c;

	ep->ready = 1;
	ep->terminating = 0;
	if (k8s_dec_obj(d, j, "conditions", at, &c) < 0)
		return 1;
	snprintf(where, sizeof(where), "%s.conditions", at);
	if (c && (k8s_dec_bool(d, c, "ready", where, &ep->ready) < 0 ||
		  k8s_dec_bool(d, c, "terminating", where, &ep->terminating) < 0))
		return 1;
	ep->serving = ep->ready;
	if (c && k8s_dec_bool(d, c, "serving", where, &ep->serving) < 0)
		return 1;
	return 0;
}

/* hints.forZones[].name.  0, 1 (reported) or -ENOMEM. */
static int ep_hints(struct k8s_dec *d, const cJSON *j, const char *at,
		    struct k8s_endpoint *ep)
{
	char where[K8S_DEC_AT_MAX + 32];
	const cJSON *h, *arr, *z;
	const char *name;
	size_t n, i = 0;
	int rc;

	if (k8s_dec_obj(d, j, "hints", at, &h) < 0)
		return 1;
	if (!h)
		return 0;
	ep->has_hints = 1;
	snprintf(where, sizeof(where), "%s.hints", at);
	if (k8s_dec_arr(d, h, "forZones", where, &arr, &n) < 0)
		return 1;
	if (!n)
		return 0;
	ep->hint_zones = calloc(n, sizeof(*ep->hint_zones));
	if (!ep->hint_zones)
		return -ENOMEM;
	for (z = arr->child; z; z = z->next, i++) {
		snprintf(where, sizeof(where), "%s.hints.forZones[%zu]", at, i);
		if (!cJSON_IsObject(z)) {
			k8s_dec_warn(d, "%s: expected an object, got %s", where,
				     k8s_dec_type_name(z));
			return 1;
		}
		rc = k8s_dec_str(d, z, "name", where, &name);
		if (rc > 0)
			k8s_dec_warn(d, "%s.name: missing", where);
		if (rc)
			return 1;
		ep->hint_zones[ep->nhint_zones] = strdup(name);
		if (!ep->hint_zones[ep->nhint_zones])
			return -ENOMEM;
		ep->nhint_zones++;
	}
	return 0;
}

/* An optional string member copied: 0 (*@out NULL when absent), 1 (wrong
 * type, reported) or -ENOMEM. */
static int ep_str(struct k8s_dec *d, const cJSON *j, const char *key,
		  const char *at, char **out)
{
	const char *s;
	int rc = k8s_dec_str(d, j, key, at, &s);

	if (rc)
		return rc < 0 ? 1 : 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/* One endpoints[] entry: 0, 1 (left out, reported once) or -ENOMEM. */
static int slice_endpoint(struct k8s_dec *d, const cJSON *j, size_t i, int af,
			  struct k8s_endpoint *ep)
{
	char at[K8S_DEC_AT_MAX];
	int rc;

	snprintf(at, sizeof(at), "endpoints[%zu]", i);
	if (!cJSON_IsObject(j)) {
		k8s_dec_warn(d, "%s: expected an object, got %s", at,
			     k8s_dec_type_name(j));
		return 1;
	}
	rc = ep_addresses(d, j, at, af, ep);
	if (!rc)
		rc = ep_conditions(d, j, at, ep);
	if (!rc)
		rc = ep_str(d, j, "nodeName", at, &ep->node_name);
	if (!rc)
		rc = ep_str(d, j, "zone", at, &ep->zone);
	if (!rc)
		rc = ep_hints(d, j, at, ep);
	return rc;
}

static int slice_endpoints(struct k8s_dec *d, const cJSON *obj,
			   struct k8s_endpointslice *e)
{
	const cJSON *arr, *j;
	size_t n, i = 0;
	int rc;

	if (k8s_dec_arr(d, obj, "endpoints", "", &arr, &n) || !n)
		return 0;
	e->endpoints = calloc(n, sizeof(*e->endpoints));
	if (!e->endpoints)
		return -ENOMEM;
	for (j = arr->child; j; j = j->next, i++) {
		rc = slice_endpoint(d, j, i, e->af, &e->endpoints[e->nendpoints]);
		if (rc) /* the slot is reused: drop what was half-decoded */
			k8s_endpoint_fini(&e->endpoints[e->nendpoints]);
		if (rc < 0)
			return rc;
		if (!rc)
			e->nendpoints++;
	}
	return 0;
}

/* addressType: the family every address of the slice must have. */
static int slice_af(struct k8s_dec *d, const cJSON *obj, int *af)
{
	const char *t;
	int rc = k8s_dec_str(d, obj, "addressType", "", &t);

	if (rc > 0)
		k8s_dec_warn(d, "addressType: missing");
	if (rc)
		return -EINVAL;
	if (!strcmp(t, "IPv4"))
		*af = AF_INET;
	else if (!strcmp(t, "IPv6"))
		*af = AF_INET6;
	else if (!strcmp(t, "FQDN"))
		*af = 0;
	else {
		k8s_dec_warn(d, "addressType: unknown type \"%.32s\"", t);
		return -EINVAL;
	}
	return 0;
}

static int slice_service_name(struct k8s_endpointslice *e)
{
	const char *svc = k8s_kvs_get(&e->meta.labels,
				      "kubernetes.io/service-name");

	if (!svc)
		return 0;
	e->service_name = strdup(svc);
	return e->service_name ? 0 : -ENOMEM;
}

int k8s_decode_endpointslice(const cJSON *obj, struct k8s_endpointslice *out,
			     struct k8s_decode_log *log)
{
	struct k8s_dec d;
	int rc;

	memset(out, 0, sizeof(*out));
	k8s_dec_init(&d, "EndpointSlice", log);
	if (!cJSON_IsObject(obj)) {
		k8s_dec_warn(&d, "expected an object, got %s",
			     k8s_dec_type_name(obj));
		return -EINVAL;
	}
	rc = k8s_dec_kind(&d, obj, "EndpointSlice");
	if (!rc)
		rc = k8s_dec_meta(&d, obj, 1, &out->meta);
	if (!rc)
		rc = slice_af(&d, obj, &out->af);
	if (!rc)
		rc = slice_service_name(out);
	if (!rc)
		rc = slice_ports(&d, obj, out);
	if (!rc && out->af)
		rc = slice_endpoints(&d, obj, out);
	if (rc)
		k8s_endpointslice_fini(out);
	return rc;
}
