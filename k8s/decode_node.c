/*
 * k8s/decode_node.c - v1 Node, for this node's zone (topology hints),
 * its addresses, and whether the cluster autoscaler is removing it.
 */
#include "decode_field.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One status.addresses[] entry: 0, 1 (left out, reported) or -ENOMEM.
 * InternalIP and ExternalIP must be IPs; other types (Hostname,
 * InternalDNS, ...) are names and stay as they are. */
static int node_address(struct k8s_dec *d, const cJSON *j, size_t i,
			struct k8s_node_address *a)
{
	char at[K8S_DEC_AT_MAX], where[K8S_DEC_AT_MAX + 16];
	const char *type, *addr;
	int rc;

	snprintf(at, sizeof(at), "status.addresses[%zu]", i);
	if (!cJSON_IsObject(j)) {
		k8s_dec_warn(d, "%s: expected an object, got %s", at,
			     k8s_dec_type_name(j));
		return 1;
	}
	rc = k8s_dec_str(d, j, "type", at, &type);
	if (!rc)
		rc = k8s_dec_str(d, j, "address", at, &addr);
	if (rc > 0)
		k8s_dec_warn(d, "%s: needs a type and an address", at);
	if (rc)
		return 1;
	if (!strcmp(type, "InternalIP") || !strcmp(type, "ExternalIP")) {
		snprintf(where, sizeof(where), "%s.address", at);
		rc = k8s_dec_ip(d, addr, 0, where, &a->address);
		if (rc)
			return rc == -ENOMEM ? rc : 1;
	} else {
		a->address = strdup(addr);
		if (!a->address)
			return -ENOMEM;
	}
	a->type = strdup(type);
	return a->type ? 0 : -ENOMEM;
}

static int node_addresses(struct k8s_dec *d, const cJSON *obj,
			  struct k8s_node *n)
{
	const cJSON *status, *arr, *j;
	size_t len, i = 0;
	int rc;

	if (k8s_dec_obj(d, obj, "status", "", &status) ||
	    k8s_dec_arr(d, status, "addresses", "status", &arr, &len) || !len)
		return 0;
	n->addresses = calloc(len, sizeof(*n->addresses));
	if (!n->addresses)
		return -ENOMEM;
	for (j = arr->child; j; j = j->next, i++) {
		struct k8s_node_address *a = &n->addresses[n->naddresses];

		rc = node_address(d, j, i, a);
		if (rc) { /* the slot is reused */
			free(a->address);
			a->address = NULL;
		}
		if (rc < 0)
			return rc;
		if (!rc)
			n->naddresses++;
	}
	return 0;
}

/* spec.taints[].key == ToBeDeletedByClusterAutoscaler: the autoscaler is
 * draining this node (kube-proxy fails its health check then). */
static void node_taints(struct k8s_dec *d, const cJSON *obj,
			struct k8s_node *n)
{
	char at[K8S_DEC_AT_MAX];
	const cJSON *spec, *arr, *t;
	const char *key;
	size_t len, i = 0;

	if (k8s_dec_obj(d, obj, "spec", "", &spec) ||
	    k8s_dec_arr(d, spec, "taints", "spec", &arr, &len))
		return;
	for (t = arr->child; t; t = t->next, i++) {
		snprintf(at, sizeof(at), "spec.taints[%zu]", i);
		if (!cJSON_IsObject(t)) {
			k8s_dec_warn(d, "%s: expected an object, got %s", at,
				     k8s_dec_type_name(t));
			continue;
		}
		if (!k8s_dec_str(d, t, "key", at, &key) &&
		    !strcmp(key, "ToBeDeletedByClusterAutoscaler"))
			n->to_be_deleted = 1;
	}
}

static int node_zone(struct k8s_node *n)
{
	const char *z = k8s_kvs_get(&n->meta.labels,
				    "topology.kubernetes.io/zone");

	if (!z)
		return 0;
	n->zone = strdup(z);
	return n->zone ? 0 : -ENOMEM;
}

int k8s_decode_node(const cJSON *obj, struct k8s_node *out,
		    struct k8s_decode_log *log)
{
	struct k8s_dec d;
	int rc;

	memset(out, 0, sizeof(*out));
	k8s_dec_init(&d, "Node", log);
	if (!cJSON_IsObject(obj)) {
		k8s_dec_warn(&d, "expected an object, got %s",
			     k8s_dec_type_name(obj));
		return -EINVAL;
	}
	rc = k8s_dec_kind(&d, obj, "Node");
	if (!rc)
		rc = k8s_dec_meta(&d, obj, 0, &out->meta);
	if (!rc)
		rc = node_zone(out);
	if (!rc)
		rc = node_addresses(&d, obj, out);
	if (!rc)
		node_taints(&d, obj, out);
	if (rc)
		k8s_node_fini(out);
	return rc;
}
