/*
 * ipvs/state.h - IPVS state as a keyed table: virtual services by key, each
 * with its real servers by key.  The agent keeps two: what it wants (from
 * Services and EndpointSlices) and what the kernel has (from dumps and the
 * acknowledgements of applied operations).  ipvs_diff() compares them.
 *
 * Lookups, inserts and removals are O(1) on average for services and for
 * the real servers of a service, so a change costs in proportion to
 * itself, not to the cluster.  Pure C, no I/O.
 *
 * Memory: one allocation per service (216 bytes, about 250 with malloc's
 * overhead and its share of the hash slots); the real servers of a service
 * live in one array of struct ipvs_state_dest (144 bytes each), sized
 * exactly by a load and grown by a quarter at a time by puts, and a service
 * with more than 16 of them adds a hash index of 4-byte slots (at most half
 * full).  No allocation per real server.  10,000 services x 10 real
 * servers take about 16.8 MB.
 *
 * Which pointers stay valid:
 *
 *  - A struct ipvs_state_service * (and the conf and stats pointers taken
 *    from it) stays valid until that service is removed: by
 *    ipvs_state_remove() of its key, an acknowledged DEL_SERVICE in
 *    ipvs_state_apply_op(), ipvs_state_load() of a dump without its key,
 *    ipvs_state_clear() or ipvs_state_free().  Nothing else moves it: not
 *    the insertion or removal of other services, not the table's growth,
 *    not ipvs_state_put() or ipvs_state_load() of its own key, not any
 *    change to real servers.
 *
 *  - A struct ipvs_state_dest * stays valid until the set of real servers
 *    of its own service changes: an insert of a new key (ipvs_state_dest_put,
 *    or ADD_DEST/EDIT_DEST in ipvs_state_apply_op, may move the array), any
 *    removal (ipvs_state_dest_remove moves the last entry into the hole and
 *    may shrink the array), an acknowledged ADD_SERVICE of its service,
 *    ipvs_state_load(), or the removal of its service.  Replacing the
 *    configuration of an existing real server moves nothing.  Real servers
 *    of other services are never affected.
 */
#ifndef IPVS_STATE_H
#define IPVS_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "op.h"
#include "table.h"

struct ipvs_state;
struct ipvs_state_service;

/*
 * What the kernel last said of a real server's connections.  Its 64-bit
 * traffic counters are not kept here: at 100,000 real servers they would
 * double the table, and dumps (struct ipvs_table) carry them for whoever
 * reports traffic.
 */
struct ipvs_state_conns {
	uint32_t active;        /* established connections */
	uint32_t inactive;      /* other connections (TIME_WAIT, ...) */
	uint32_t persistent;    /* persistence templates */
};

/* A real server: configuration plus its connection counts. */
struct ipvs_state_dest {
	struct ipvs_dest conf;
	struct ipvs_state_conns conns;
};

struct ipvs_state *ipvs_state_new(void);
void ipvs_state_free(struct ipvs_state *s);
void ipvs_state_clear(struct ipvs_state *s);

size_t ipvs_state_nservices(const struct ipvs_state *s);
size_t ipvs_state_ndests(const struct ipvs_state *s);   /* all services, O(1) */

struct ipvs_state_service *ipvs_state_find(const struct ipvs_state *s,
					   const struct ipvs_service_key *k);
/* Insert, or replace the configuration of, a service (its real servers and
 * counters are kept; the pointer is the same).  A new service has no real
 * servers and zero counters.  NULL when out of memory. */
struct ipvs_state_service *ipvs_state_put(struct ipvs_state *s,
					  const struct ipvs_service *conf);
/* Remove a service and its real servers; 0, or -ENOENT. */
int ipvs_state_remove(struct ipvs_state *s, const struct ipvs_service_key *k);

const struct ipvs_service *ipvs_state_service_conf(const struct ipvs_state_service *ss);
struct ipvs_stats *ipvs_state_service_stats(struct ipvs_state_service *ss);
size_t ipvs_state_service_ndests(const struct ipvs_state_service *ss);

struct ipvs_state_dest *ipvs_state_dest_find(const struct ipvs_state_service *ss,
					     const struct ipvs_dest *key);
/* Insert or replace a real server by its key (af, addr, port).  Replacing
 * keeps its counters; a new one starts at zero.  NULL when out of memory. */
struct ipvs_state_dest *ipvs_state_dest_put(struct ipvs_state_service *ss,
					    const struct ipvs_dest *conf);
/* 0, or -ENOENT. */
int ipvs_state_dest_remove(struct ipvs_state_service *ss,
			   const struct ipvs_dest *key);

/*
 * Iteration.  Services come in insertion order (a service replaced by
 * ipvs_state_put keeps its place); real servers in insertion order until
 * the first removal, which moves the last one into the hole.  The callback
 * must not add or remove entries of the collection being walked, with one
 * exception: ipvs_state_foreach's callback may remove the service it is
 * given.  A non-zero return stops the walk and is returned.
 */
int ipvs_state_foreach(const struct ipvs_state *s,
		       int (*fn)(struct ipvs_state_service *ss, void *arg),
		       void *arg);
int ipvs_state_dest_foreach(const struct ipvs_state_service *ss,
			    int (*fn)(struct ipvs_state_dest *sd, void *arg),
			    void *arg);

/*
 * Replace the whole content with a dump's, counters included.  Services
 * whose key is in the dump keep their struct (pointers stay valid, see
 * above); the others are removed.  A key twice in the dump: the later
 * wins.  Each service's real-server array is sized exactly.  0, or
 * -ENOMEM, after which the state is consistent but only partly loaded:
 * load again or clear it.
 */
int ipvs_state_load(struct ipvs_state *s, const struct ipvs_table *t);

/*
 * The same a service at a time, for a dump that hands services over as
 * their real servers come in (nl_ipvs_dump_each), so the whole table is
 * never in memory: begin, load each dumped service, then end, which drops
 * the services not loaded since begin.  A failed dump ends without end():
 * the state is consistent, the services loaded are fresh, the others as
 * they were.  load_service returns 0 or -ENOMEM, like ipvs_state_load.
 */
void ipvs_state_load_begin(struct ipvs_state *s);
int ipvs_state_load_service(struct ipvs_state *s,
			    const struct ipvs_table_service *ts);
void ipvs_state_load_end(struct ipvs_state *s);

/*
 * Record an operation the kernel acknowledged (op->err == 0), so the cache
 * follows the kernel without a dump.  Ops with err != 0 change nothing.
 *   ADD_SERVICE   the service now exists, with op->svc and no real servers
 *                 (a cached one of the same key was wrong: it is reset);
 *   EDIT_SERVICE  sets the configuration (inserts if missing: the kernel
 *                 had it), real servers and counters kept;
 *   DEL_SERVICE   removes the service and its real servers;
 *   ADD_DEST, EDIT_DEST  put op->dest, if the service is cached; if not,
 *                 nothing (the kernel would have refused);
 *   DEL_DEST      removes op->dest if present.
 * 0, or -ENOMEM.
 */
int ipvs_state_apply_op(struct ipvs_state *s, const struct ipvs_op *op);

#endif
