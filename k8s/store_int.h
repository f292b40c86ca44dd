/*
 * k8s/store_int.h - the store's insides, shared by store.c (one object at
 * a time) and store_replace.c (a whole new set at once).  Nothing else
 * includes it.
 */
#ifndef K8S_STORE_INT_H
#define K8S_STORE_INT_H

#include "nsmap.h"
#include "store.h"

/* The slices of one Service, sorted by slice name (a binary search finds
 * one; all share the namespace).  Borrowed: the slices map owns them. */
struct k8s_store_group {
	struct k8s_endpointslice **v;
	size_t n;
	size_t cap;
};

struct k8s_store {
	struct k8s_nsmap services; /* (ns, name) -> struct k8s_service * */
	struct k8s_nsmap slices;   /* (ns, name) -> struct k8s_endpointslice * */
	struct k8s_nsmap groups;   /* (ns, service) -> struct k8s_store_group * */
	struct k8s_nsmap dirty;    /* (ns, service) -> NULL */
	struct k8s_node *node;     /* this node, or NULL */
};

/* put_service / put_slice, marking dirty only when @mark is set. */
int k8s_store_put_service_mark(struct k8s_store *st, struct k8s_service *s,
			       int mark);
int k8s_store_put_slice_mark(struct k8s_store *st,
			     struct k8s_endpointslice *e, int mark);

#endif
