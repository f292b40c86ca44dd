/*
 * k8s/watch_apply.c - decoded objects into the store, per resource.
 * Each call costs one decode, one comparison with the stored object
 * (linear in its size) and O(1) hash-table work.
 */
#include "watch_apply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char *const apply_kinds[K8S_RES_COUNT] = {
	[K8S_RES_SERVICES] = "Service",
	[K8S_RES_SLICES] = "EndpointSlice",
	[K8S_RES_NODE] = "Node",
};

/* A non-empty string member of @obj, or NULL. */
static const char *apply_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* The namespace/name @obj's metadata gives, defaulted as the decoder
 * does ("default" for namespaced kinds, "" for Nodes).  0, or -1 when it
 * has no usable name. */
static int apply_key(const struct k8s_apply *a, const cJSON *obj,
		     const char **ns, const char **name)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	*name = apply_str(md, "name");
	*ns = "";
	if (a->res != K8S_RES_NODE)
		*ns = apply_str(md, "namespace") ? apply_str(md, "namespace") :
						   "default";
	return *name ? 0 : -1;
}

static int apply_service(const struct k8s_apply *a, const cJSON *obj)
{
	struct k8s_service *s = malloc(sizeof(*s));
	const struct k8s_service *old;
	int rc, same;

	if (!s)
		return -ENOMEM;
	rc = k8s_decode_service(obj, s, a->log);
	if (rc) {
		free(s);
		return rc == -EINVAL ? K8S_APPLY_REJECTED : rc;
	}
	old = k8s_store_service(a->store, s->meta.ns, s->meta.name);
	same = old && k8s_service_equal(old, s);
	rc = k8s_store_put_service_mark(a->store, s, !same);
	return rc ? rc : same ? K8S_APPLY_SAME : K8S_APPLY_CHANGED;
}

static int apply_slice(const struct k8s_apply *a, const cJSON *obj)
{
	struct k8s_endpointslice *e = malloc(sizeof(*e));
	const struct k8s_endpointslice *old;
	int rc, same;

	if (!e)
		return -ENOMEM;
	rc = k8s_decode_endpointslice(obj, e, a->log);
	if (rc) {
		free(e);
		return rc == -EINVAL ? K8S_APPLY_REJECTED : rc;
	}
	old = k8s_store_slice(a->store, e->meta.ns, e->meta.name);
	same = old && k8s_endpointslice_equal(old, e);
	rc = k8s_store_put_slice_mark(a->store, e, !same);
	return rc ? rc : same ? K8S_APPLY_SAME : K8S_APPLY_CHANGED;
}

static int apply_node(const struct k8s_apply *a, const cJSON *obj)
{
	struct k8s_node *n = malloc(sizeof(*n));
	const struct k8s_node *old;
	int rc, same;

	if (!n)
		return -ENOMEM;
	rc = k8s_decode_node(obj, n, a->log);
	if (rc) {
		free(n);
		return rc == -EINVAL ? K8S_APPLY_REJECTED : rc;
	}
	if (!a->node_name || strcmp(n->meta.name, a->node_name)) {
		k8s_node_free(n); /* not this node: the selector says it can't be */
		return K8S_APPLY_SAME;
	}
	old = k8s_store_node(a->store);
	same = old && k8s_node_equal(old, n);
	k8s_store_set_node(a->store, n);
	return same ? K8S_APPLY_SAME : K8S_APPLY_CHANGED;
}

int k8s_apply_put(const struct k8s_apply *a, const cJSON *obj)
{
	const char *ns, *name;

	if (a->seen && !apply_key(a, obj, &ns, &name) &&
	    k8s_nsmap_put(a->seen, ns, name, NULL, NULL))
		return -ENOMEM;
	switch (a->res) {
	case K8S_RES_SERVICES:
		return apply_service(a, obj);
	case K8S_RES_SLICES:
		return apply_slice(a, obj);
	default:
		return apply_node(a, obj);
	}
}

int k8s_apply_del(const struct k8s_apply *a, const cJSON *obj)
{
	const char *ns, *name;
	int rc;

	if (apply_key(a, obj, &ns, &name)) {
		if (a->log && a->log->warn)
			a->log->warn(a->log->arg, apply_kinds[a->res], "", "",
				     "DELETED event: metadata.name: missing");
		return K8S_APPLY_REJECTED;
	}
	if (a->res == K8S_RES_NODE) {
		if (!k8s_store_node(a->store) || !a->node_name ||
		    strcmp(name, a->node_name))
			return K8S_APPLY_SAME;
		k8s_store_set_node(a->store, NULL);
		return K8S_APPLY_CHANGED;
	}
	rc = a->res == K8S_RES_SERVICES ?
		     k8s_store_del_service(a->store, ns, name) :
		     k8s_store_del_slice(a->store, ns, name);
	if (rc == -ENOENT)
		return K8S_APPLY_SAME;
	return rc ? rc : K8S_APPLY_CHANGED;
}

int k8s_apply_retain(const struct k8s_apply *a)
{
	const struct k8s_node *n;

	switch (a->res) {
	case K8S_RES_SERVICES:
		return k8s_store_retain_services(a->store, a->seen);
	case K8S_RES_SLICES:
		return k8s_store_retain_slices(a->store, a->seen);
	default:
		n = k8s_store_node(a->store);
		if (!n || k8s_nsmap_find(a->seen, "", n->meta.name))
			return 0;
		k8s_store_set_node(a->store, NULL);
		return 1;
	}
}
