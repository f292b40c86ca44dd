/*
 * ipvs/table.c - growable arrays of services and real servers.
 */
#include "table.h"

#include <stdlib.h>
#include <string.h>

void ipvs_table_init(struct ipvs_table *t)
{
	memset(t, 0, sizeof(*t));
}

void ipvs_table_fini(struct ipvs_table *t)
{
	size_t i;

	for (i = 0; i < t->nsvcs; i++)
		free(t->svcs[i].dests);
	free(t->svcs);
	ipvs_table_init(t);
}

/* Doubling keeps appends amortised O(1) for a 100,000-entry dump. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

struct ipvs_table_service *ipvs_table_add_service(struct ipvs_table *t,
						  const struct ipvs_service *s)
{
	struct ipvs_table_service *ts;

	if (grow((void **)&t->svcs, &t->cap, t->nsvcs, sizeof(*t->svcs)))
		return NULL;
	ts = &t->svcs[t->nsvcs++];
	memset(ts, 0, sizeof(*ts));
	ts->conf = *s;
	return ts;
}

struct ipvs_table_dest *ipvs_table_add_dest(struct ipvs_table_service *ts,
					    const struct ipvs_dest *d)
{
	struct ipvs_table_dest *td;

	if (grow((void **)&ts->dests, &ts->cap, ts->ndests, sizeof(*ts->dests)))
		return NULL;
	td = &ts->dests[ts->ndests++];
	memset(td, 0, sizeof(*td));
	td->conf = *d;
	return td;
}

int ipvs_table_reserve_dests(struct ipvs_table_service *ts, size_t extra)
{
	size_t want = ts->ndests + extra;
	void *p;

	if (want <= ts->cap)
		return 0;
	p = realloc(ts->dests, want * sizeof(*ts->dests));
	if (!p)
		return -1;
	ts->dests = p;
	ts->cap = want;
	return 0;
}

static int svc_cmp(const void *a, const void *b)
{
	const struct ipvs_table_service *x = a, *y = b;

	return ipvs_service_key_cmp(&x->conf.key, &y->conf.key);
}

static int dest_cmp(const void *a, const void *b)
{
	const struct ipvs_table_dest *x = a, *y = b;

	return ipvs_dest_key_cmp(&x->conf, &y->conf);
}

void ipvs_table_sort(struct ipvs_table *t)
{
	size_t i;

	if (t->nsvcs)
		qsort(t->svcs, t->nsvcs, sizeof(*t->svcs), svc_cmp);
	for (i = 0; i < t->nsvcs; i++)
		if (t->svcs[i].ndests)
			qsort(t->svcs[i].dests, t->svcs[i].ndests,
			      sizeof(*t->svcs[i].dests), dest_cmp);
}

struct ipvs_table_service *ipvs_table_find(const struct ipvs_table *t,
					   const struct ipvs_service_key *k)
{
	struct ipvs_table_service probe;

	if (!t->nsvcs)
		return NULL;
	probe.conf.key = *k;
	return bsearch(&probe, t->svcs, t->nsvcs, sizeof(*t->svcs), svc_cmp);
}

size_t ipvs_table_ndests(const struct ipvs_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nsvcs; i++)
		n += t->svcs[i].ndests;
	return n;
}
