/*
 * agent/sync.h - keeping the kernel equal to the desired state.
 *
 * Changes are queued by key (agent_sync_touch) and applied in the same
 * loop turn they arrive in: an ev_prepare watcher runs just before libev
 * sleeps, diffs only the touched keys, and starts one non-blocking batch.
 * Acknowledged operations update the cache of the kernel, so no dump is
 * needed to know what the kernel has.  Every --ipvs-sync-period a
 * verification dumps the kernel, diffs everything, and repairs drift.
 *
 * Only services the agent owns are ever changed or deleted; a key that is
 * in the kernel and not ours is foreign and is left alone.  Removed TCP
 * real servers drain (weight 0) before they are deleted.
 */
#ifndef AGENT_SYNC_H
#define AGENT_SYNC_H

#include <ev.h>
#include <stdint.h>

#include "ipvs/diff.h"
#include "ipvs/state.h"
#include "netlink/nl_ipvs.h"
#include "netlink/nl_link.h"
#include "options.h"
#include "owner.h"

/* Counters for metrics and `status`. */
struct agent_sync_stats {
	uint64_t syncs;              /* batches applied */
	uint64_t ops[6];             /* ops applied, by enum ipvs_op_kind */
	uint64_t op_errors;          /* ops the kernel refused */
	uint64_t verifies;           /* verification runs */
	uint64_t repairs[6];         /* ops a verification needed, by kind */
	uint64_t foreign_conflicts;  /* wanted keys held by someone else */
	double last_sync;            /* ev_now() of the last applied batch */
	double last_sync_duration;   /* seconds from diff to last ACK */
	double last_verify;
	double last_verify_duration;
	double last_queued;          /* when the oldest unapplied change came */
	double last_hook_duration;   /* seconds in before_batch (VIP binding) */
	uint64_t op_failures[6];     /* ops the kernel refused, by kind */
	double last_touch;           /* ev_now() of the latest change queued */
	double last_applied;         /* ev_now() when a batch last ended with
					nothing refused (or nothing to do) */
	double oldest_unapplied;     /* ev_now() of the oldest change not in
					the kernel yet; 0: none (/healthz) */
};

/* A TCP real server leaving gracefully. */
struct agent_drain {
	struct ipvs_service_key key;
	struct ipvs_dest dest;
	double deadline;
	int idle;                  /* fresh counts showed no connections */
};

/*
 * A large batch (the cold start, a reload that changed everything) goes
 * to the kernel in chunks of about this many operations: a cold start of
 * 10,000 services x 10 real servers is 110,000 of them, 14 MB of struct
 * ipvs_op at once.  Chunked, the array stays at about 1 MB and its pages
 * are reused; the kernel sees the same operations in the same order.
 */
#define AGENT_SYNC_CHUNK_OPS 8192

struct agent_sync {
	struct ev_loop *loop;
	struct nl_ipvs *nl;
	const struct agent_options *opt;
	struct ipvs_state *want;        /* what we want (not ours to free) */
	struct ipvs_state *have;        /* the kernel, as far as we know */
	struct ipvs_state *pending;     /* keys touched since the last batch */
	struct ipvs_state *retry;       /* keys whose ops failed, for later */
	struct agent_owner *owner;
	struct nl_addr_cidr excludes[AGENT_MAX_LIST]; /* --ipvs-exclude-cidrs */
	size_t nexcludes;
	int all_pending;                /* diff every key, not just pending */
	int verify_pending;             /* verification after this batch */
	int in_verify;                  /* the batch in flight is a repair */
	struct ipvs_ops ops;            /* the batch in flight, if any (a
					   chunk of it, for a large one) */
	struct ipvs_ops scratch;        /* a look at one service's ops */
	struct ipvs_service_key *todo;  /* a large batch's services for the
					   chunks after this one */
	size_t ntodo, cap_todo, todo_next;
	size_t run_ops, run_failed;     /* the whole batch's, all chunks */
	size_t chunk_ops;               /* ops per chunk (tests make it small) */
	int busy;
	int ready;                      /* the desired state is complete */
	double batch_start;
	double started;                 /* ev_time() at init, for the log */
	struct agent_drain *drains;
	size_t ndrains, cap_drains;
	/* Called before each batch, e.g. to bind VIPs; may be NULL. */
	void (*before_batch)(void *arg);
	/* Called when a batch's last ACK is in (or it had nothing to do). */
	void (*after_batch)(void *arg);
	/* Called at each verification, before the diff: re-check what else
	 * may have drifted (the dummy, its addresses, the node's addresses). */
	void (*on_verify)(void *arg);
	void *hook_arg;
	ev_prepare prepare;
	ev_io io;
	ev_timer verify_timer;
	ev_timer rate_timer;            /* --ipvs-min-sync-period */
	ev_timer drain_timer;
	ev_timer retry_timer;           /* failed ops, with backoff */
	double retry_backoff;
	double next_oldest;             /* first change queued since the
					   current batch began; 0: none */
	struct agent_sync_stats stats;
};

int agent_sync_init(struct agent_sync *s, struct ev_loop *loop,
		    struct nl_ipvs *nl, struct ipvs_state *want,
		    struct agent_owner *owner, const struct agent_options *opt);
void agent_sync_fini(struct agent_sync *s);

/* Start the watchers; the first verification runs at once. */
void agent_sync_start(struct agent_sync *s);
void agent_sync_stop(struct agent_sync *s);

/* The desired state is complete (a source finished its first reading):
 * until then nothing is applied, so an empty view never deletes rules. */
void agent_sync_set_ready(struct agent_sync *s);

/* The desired state changed at @k. */
void agent_sync_touch(struct agent_sync *s, const struct ipvs_service_key *k);

/* Dump the kernel into the cache (foreign services included). */
int agent_sync_load_kernel(struct agent_sync *s);

/* The operations a full diff would apply now (for --dry-run). */
int agent_sync_plan(struct agent_sync *s, struct ipvs_ops *out);

#endif
