/*
 * agent/strmap.h - a string-keyed hash map of pointers, for the agent's
 * own indexes (a Service's contributions, the VIPs to bind).  Open
 * addressing with linear probing; keys are copied; values are not owned.
 */
#ifndef AGENT_STRMAP_H
#define AGENT_STRMAP_H

#include <stddef.h>

struct strmap_slot {
	char *key;     /* NULL: empty; STRMAP_TOMB: deleted */
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap;    /* power of two */
	size_t n;      /* live entries */
	size_t used;   /* live + tombstones: what probing pays for */
};

void strmap_init(struct strmap *m);
/* Free the keys; values are the caller's (use strmap_foreach first). */
void strmap_fini(struct strmap *m);

void *strmap_get(const struct strmap *m, const char *key);
/* Insert or replace; 0 or -ENOMEM. */
int strmap_put(struct strmap *m, const char *key, void *value);
/* Remove; returns the value, or NULL if absent. */
void *strmap_del(struct strmap *m, const char *key);

/* Visit every entry; the callback must not change the map. */
void strmap_foreach(const struct strmap *m,
		    void (*fn)(const char *key, void *value, void *arg),
		    void *arg);

#endif
