/*
 * ipvs/table.h - a snapshot of IPVS state: services, each with its real
 * servers and counters.  The netlink dump fills one; tests and the agent
 * read it.  Sorted on demand so two snapshots can be compared line by line.
 */
#ifndef IPVS_TABLE_H
#define IPVS_TABLE_H

#include <stddef.h>

#include "service.h"

struct ipvs_table_dest {
	struct ipvs_dest conf;        /* as configured */
	struct ipvs_dest_state state; /* connections and counters */
};

struct ipvs_table_service {
	struct ipvs_service conf;     /* as configured */
	struct ipvs_stats stats;      /* the service's counters */
	struct ipvs_table_dest *dests;
	size_t ndests;
	size_t cap;                   /* allocated entries in dests */
};

struct ipvs_table {
	struct ipvs_table_service *svcs;
	size_t nsvcs;
	size_t cap;                   /* allocated entries in svcs */
};

void ipvs_table_init(struct ipvs_table *t);
void ipvs_table_fini(struct ipvs_table *t);

/* Append; returns the new entry or NULL when out of memory.  The pointer
 * is valid until the next append to the same table. */
struct ipvs_table_service *ipvs_table_add_service(struct ipvs_table *t,
						  const struct ipvs_service *s);
struct ipvs_table_dest *ipvs_table_add_dest(struct ipvs_table_service *ts,
					    const struct ipvs_dest *d);

/* Make room for @extra more real servers, exactly: a dump that knows how
 * many are coming spares the slack of doubling (memory touched is time). */
int ipvs_table_reserve_dests(struct ipvs_table_service *ts, size_t extra);

/* Sort services by key and each service's real servers by key. */
void ipvs_table_sort(struct ipvs_table *t);

/* Binary search in a sorted table; NULL when absent. */
struct ipvs_table_service *ipvs_table_find(const struct ipvs_table *t,
					   const struct ipvs_service_key *k);

/* Total real servers in the table. */
size_t ipvs_table_ndests(const struct ipvs_table *t);

#endif
