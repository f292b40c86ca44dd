/*
 * k8s/nsmap.c - the (namespace, name) hash table.
 */
#include "nsmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NSMAP_MIN_BUCKETS 64

/*
 * FNV-1a over ns, a NUL, then name.  Keys come from the API server or the
 * operator's own file, not from an adversary, so an unseeded hash is
 * enough; chains stay short at load <= 1.
 */
static uint64_t nsmap_hash(const char *ns, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)ns; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	h *= 0x100000001b3ULL;
	for (p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

void k8s_nsmap_init(struct k8s_nsmap *m)
{
	memset(m, 0, sizeof(*m));
}

void k8s_nsmap_fini(struct k8s_nsmap *m, void (*free_val)(void *val))
{
	struct k8s_nsmap_entry *e, *next;
	size_t i;

	for (i = 0; i < m->nbuckets; i++) {
		for (e = m->buckets[i]; e; e = next) {
			next = e->next;
			if (free_val)
				free_val(e->val);
			free(e);
		}
	}
	free(m->buckets);
	k8s_nsmap_init(m);
}

static struct k8s_nsmap_entry **nsmap_slot(const struct k8s_nsmap *m,
					   const char *ns, const char *name,
					   uint64_t h)
{
	struct k8s_nsmap_entry **pp;

	pp = &m->buckets[h & (m->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->hash == h && !strcmp((*pp)->ns, ns) &&
		    !strcmp((*pp)->name, name))
			break;
	}
	return pp;
}

struct k8s_nsmap_entry *k8s_nsmap_find(const struct k8s_nsmap *m,
				       const char *ns, const char *name)
{
	if (!m->count)
		return NULL;
	return *nsmap_slot(m, ns, name, nsmap_hash(ns, name));
}

void *k8s_nsmap_get(const struct k8s_nsmap *m, const char *ns,
		    const char *name)
{
	struct k8s_nsmap_entry *e = k8s_nsmap_find(m, ns, name);

	return e ? e->val : NULL;
}

/* Double the buckets.  Failing is harmless: chains just get longer. */
static void nsmap_grow(struct k8s_nsmap *m)
{
	size_t n = m->nbuckets ? m->nbuckets * 2 : NSMAP_MIN_BUCKETS;
	struct k8s_nsmap_entry **b, *e, *next;
	size_t i;

	b = calloc(n, sizeof(*b));
	if (!b)
		return;
	for (i = 0; i < m->nbuckets; i++) {
		for (e = m->buckets[i]; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = n;
}

static struct k8s_nsmap_entry *nsmap_entry_new(const char *ns,
					       const char *name, uint64_t h)
{
	size_t nslen = strlen(ns) + 1, namelen = strlen(name) + 1;
	struct k8s_nsmap_entry *e;

	e = malloc(sizeof(*e) + nslen + namelen);
	if (!e)
		return NULL;
	memcpy(e->ns, ns, nslen);
	memcpy(e->ns + nslen, name, namelen);
	e->name = e->ns + nslen;
	e->hash = h;
	e->next = NULL;
	return e;
}

int k8s_nsmap_put(struct k8s_nsmap *m, const char *ns, const char *name,
		  void *val, void **old)
{
	uint64_t h = nsmap_hash(ns, name);
	struct k8s_nsmap_entry **pp, *e;

	if (m->count >= m->nbuckets)
		nsmap_grow(m);
	if (!m->nbuckets)
		return -ENOMEM;
	pp = nsmap_slot(m, ns, name, h);
	if (*pp) {
		if (old)
			*old = (*pp)->val;
		(*pp)->val = val;
		return 0;
	}
	e = nsmap_entry_new(ns, name, h);
	if (!e)
		return -ENOMEM;
	e->val = val;
	*pp = e;
	m->count++;
	if (old)
		*old = NULL;
	return 0;
}

void *k8s_nsmap_del(struct k8s_nsmap *m, const char *ns, const char *name)
{
	struct k8s_nsmap_entry **pp, *e;
	void *val;

	if (!m->count)
		return NULL;
	pp = nsmap_slot(m, ns, name, nsmap_hash(ns, name));
	e = *pp;
	if (!e)
		return NULL;
	*pp = e->next;
	val = e->val;
	free(e);
	m->count--;
	return val;
}

int k8s_nsmap_foreach(const struct k8s_nsmap *m,
		      int (*fn)(void *arg, struct k8s_nsmap_entry *e),
		      void *arg)
{
	struct k8s_nsmap_entry *e, *next;
	size_t i;
	int rc;

	for (i = 0; i < m->nbuckets; i++) {
		for (e = m->buckets[i]; e; e = next) {
			next = e->next;
			rc = fn(arg, e);
			if (rc)
				return rc;
		}
	}
	return 0;
}
