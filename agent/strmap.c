/*
 * agent/strmap.c - open addressing, FNV-1a, grown at 3/4 occupancy
 * (tombstones included, so lookups stay short under churn).
 */
#include "strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char tomb;
#define STRMAP_TOMB (&tomb)

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void strmap_fini(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != STRMAP_TOMB)
			free(m->slots[i].key);
	free(m->slots);
	strmap_init(m);
}

/* The slot holding @key, or NULL. */
static struct strmap_slot *find(const struct strmap *m, const char *key)
{
	size_t i, mask = m->cap - 1;

	if (!m->cap)
		return NULL;
	for (i = hash(key) & mask; m->slots[i].key; i = (i + 1) & mask)
		if (m->slots[i].key != STRMAP_TOMB &&
		    strcmp(m->slots[i].key, key) == 0)
			return &m->slots[i];
	return NULL;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_slot *s = find(m, key);

	return s ? s->value : NULL;
}

/* Place an owned key in the first free slot; no duplicate check. */
static void place(struct strmap *m, char *key, void *value)
{
	size_t i, mask = m->cap - 1;

	for (i = hash(key) & mask; m->slots[i].key && m->slots[i].key != STRMAP_TOMB;
	     i = (i + 1) & mask)
		;
	if (!m->slots[i].key)
		m->used++;
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->n++;
}

static int grow(struct strmap *m)
{
	struct strmap old = *m;
	size_t i, cap = m->cap ? m->cap : 16;

	while (cap * 3 / 4 <= (m->n + 1) * 2 && cap < ((size_t)1 << 40))
		cap *= 2;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->n = m->used = 0;
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key && old.slots[i].key != STRMAP_TOMB)
			place(m, old.slots[i].key, old.slots[i].value);
	free(old.slots);
	return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_slot *s = find(m, key);
	char *k;

	if (s) {
		s->value = value;
		return 0;
	}
	if ((m->used + 1) * 4 > m->cap * 3 && grow(m))
		return -ENOMEM;
	if (!(k = strdup(key)))
		return -ENOMEM;
	place(m, k, value);
	return 0;
}

void *strmap_del(struct strmap *m, const char *key)
{
	struct strmap_slot *s = find(m, key);
	void *v;

	if (!s)
		return NULL;
	v = s->value;
	free(s->key);
	s->key = STRMAP_TOMB;
	s->value = NULL;
	m->n--;
	return v;
}

void strmap_foreach(const struct strmap *m,
		    void (*fn)(const char *key, void *value, void *arg),
		    void *arg)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != STRMAP_TOMB)
			fn(m->slots[i].key, m->slots[i].value, arg);
}
