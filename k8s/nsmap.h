/*
 * k8s/nsmap.h - a hash table keyed by (namespace, name), the identity of
 * every Kubernetes object.  Chained, power-of-two buckets, doubled when
 * the load passes 1, so put/get/del are O(1) on average.  Each entry and
 * its key are one allocation.  An empty map allocates nothing, so maps
 * can be swapped or moved by plain struct assignment.
 *
 * Namespace and name are kept apart (never joined with '/'), so any bytes
 * in either are fine.
 */
#ifndef K8S_NSMAP_H
#define K8S_NSMAP_H

#include <stddef.h>
#include <stdint.h>

struct k8s_nsmap_entry {
	struct k8s_nsmap_entry *next; /* chain in the bucket */
	uint64_t hash;                /* of (ns, name), kept for rehashing */
	const char *name;             /* points into key[] after ns */
	void *val;                    /* the caller's value */
	char ns[];                    /* "ns\0name\0" */
};

struct k8s_nsmap {
	struct k8s_nsmap_entry **buckets; /* NULL while empty */
	size_t nbuckets;                  /* 0 or a power of two */
	size_t count;                     /* entries */
};

/* A zeroed struct is an empty map; this is the same thing. */
void k8s_nsmap_init(struct k8s_nsmap *m);
/* Free every entry, calling @free_val (may be NULL) on each value. */
void k8s_nsmap_fini(struct k8s_nsmap *m, void (*free_val)(void *val));

struct k8s_nsmap_entry *k8s_nsmap_find(const struct k8s_nsmap *m,
				       const char *ns, const char *name);
/* The value for (ns, name), or NULL. */
void *k8s_nsmap_get(const struct k8s_nsmap *m, const char *ns,
		    const char *name);

/*
 * Insert (ns, name) -> @val, or replace the value of an existing entry
 * (no allocation then).  The previous value, or NULL, goes to *@old if
 * @old is not NULL.  Returns 0, or -ENOMEM with the map unchanged.
 */
int k8s_nsmap_put(struct k8s_nsmap *m, const char *ns, const char *name,
		  void *val, void **old);

/* Remove (ns, name); returns its value, or NULL when absent. */
void *k8s_nsmap_del(struct k8s_nsmap *m, const char *ns, const char *name);

/*
 * Call @fn on every entry, in no particular order, until it returns
 * non-zero (which is returned).  @fn may delete the entry it was given,
 * and no other.
 */
int k8s_nsmap_foreach(const struct k8s_nsmap *m,
		      int (*fn)(void *arg, struct k8s_nsmap_entry *e),
		      void *arg);

#endif
