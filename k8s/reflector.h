/*
 * k8s/reflector.h - keep one resource of the object store equal to the
 * API server's: LIST (paged), then WATCH from the list's resourceVersion,
 * for ever, the way client-go's reflector does.
 *
 * One reflector per resource: Services, EndpointSlices, or this node's
 * Node.  The requests carry kube-proxy's selectors:
 *   Services        labelSelector=!service.kubernetes.io/service-proxy-name
 *                   fieldSelector=spec.clusterIP!=None
 *   EndpointSlices  labelSelector=!service.kubernetes.io/headless
 *   Node            fieldSelector=metadata.name=NODE
 *
 * The cycle:
 *  - LIST ?limit=500 (&continue=...) page by page; each page's items are
 *    put into the store as they are decoded (an item equal to what the
 *    store holds is not put, so it marks nothing dirty).  When the last
 *    page is in, objects of this resource that the list did not name are
 *    deleted from the store (they went away while we were not watching),
 *    and synced() is called.  A list that fails part way deletes nothing.
 *  - WATCH ?watch=1&allowWatchBookmarks=true&resourceVersion=RV
 *    &timeoutSeconds=T (T random in 300..600 s, as client-go).  Events are
 *    lines, whatever the chunking; each ADDED/MODIFIED/DELETED updates the
 *    store, BOOKMARK moves RV.  A partial line when a stream ends is
 *    dropped, never decoded.
 *  - A stream that ends cleanly: watch again from RV at once - unless it
 *    lasted under a second without a single event, which counts as a
 *    failure (as in client-go: a server that closes every watch at once
 *    must not be hammered).  The watch request itself is bounded at 1.5 T,
 *    so a server that never answers or never ends it is a failure too.
 *  - 410 (an ERROR event with code 410, reason Expired or Gone, or a 410
 *    answer to a watch or a list page): relist from scratch.
 *  - Any other failure (connection, TLS, non-2xx, a stream cut): back off
 *    exponentially with jitter, 0.8 s doubling to 30 s (each wait drawn
 *    from [b, 1.25 b] for a base b), reset after a success (a complete
 *    list, a watch event); Retry-After of a 429 or 5xx is honoured when
 *    longer.  After a 401 the next attempt is at once (the HTTP layer
 *    re-read the token), backing off only if that fails too.  Then relist
 *    if the failure was in a list, else watch again from RV.  A 410
 *    relists at once, but a second 410 with no watch event since backs
 *    off first (a server that expires every watch must not be hammered).
 *
 * Bad input: a line that is not JSON, an event without a type or object,
 * an object the decoder rejects, a line longer than K8S_REFLECTOR_MAX_LINE
 * (its bytes are skipped, never buffered): logged once, counted, and the
 * stream goes on; the store keeps the last good version of that object.
 * An API outage changes nothing in the store.
 *
 * Not thread-safe: the loop's thread owns it.
 */
#ifndef K8S_REFLECTOR_H
#define K8S_REFLECTOR_H

#include <ev.h>

#include "decode.h"
#include "http.h"
#include "store.h"

/* Larger watch lines are dropped (the API server's own request limit is
 * 3 MiB; an etcd object is at most 1.5 MiB). */
#define K8S_REFLECTOR_MAX_LINE (8u << 20)

enum k8s_resource {
	K8S_RES_SERVICES,
	K8S_RES_SLICES,
	K8S_RES_NODE,
	K8S_RES_COUNT
};

/* "services", "endpointslices", "node": for logs and metric labels. */
const char *k8s_resource_name(enum k8s_resource res);

enum k8s_reflector_state {
	K8S_REFLECTOR_STOPPED,
	K8S_REFLECTOR_LISTING,
	K8S_REFLECTOR_WATCHING,
	K8S_REFLECTOR_BACKOFF,
};

/* "stopped", "listing", "watching", "backoff". */
const char *k8s_reflector_state_name(enum k8s_reflector_state st);

struct k8s_reflector_stats {
	unsigned long added, modified, deleted, bookmarks; /* watch events */
	unsigned long lists;        /* complete lists, the first included */
	unsigned long relists;      /* lists after the first (410, errors) */
	unsigned long expired;      /* 410s seen */
	unsigned long errors;       /* failed requests and broken streams */
	unsigned long bad_lines;    /* lines that are not an event */
	unsigned long rejected;     /* objects the decoder refused */
	unsigned long oversized;    /* lines over K8S_REFLECTOR_MAX_LINE */
	unsigned long watches;      /* watch requests started */
	unsigned long pages;        /* list pages received whole */
};

/* Hooks are called last in a loop callback, so one may stop the
 * reflector (or start it again), but none may free it. */
struct k8s_reflector_hooks {
	/* The store changed (after the watch events of one chunk of the
	 * stream, after a list page, after a relist's deletions).  The
	 * store's dirty keys say what; the Node reflector marks nothing, so
	 * its caller compares the Node itself.  May be NULL. */
	void (*changed)(void *arg, enum k8s_resource res);
	/* A list completed (the first, and every relist).  May be NULL. */
	void (*synced)(void *arg, enum k8s_resource res);
	/* Where rejected objects and bad lines are reported; may be NULL. */
	struct k8s_decode_log *log;
	void *arg;
	/* The state changed (to @st); for logs and tests.  May be NULL. */
	void (*state)(void *arg, enum k8s_resource res,
		      enum k8s_reflector_state st);
};

struct k8s_reflector;

/*
 * A reflector of @res into @store, using @http.  @node_name is this
 * node's name (needed for K8S_RES_NODE, ignored otherwise).  Everything
 * given must outlive the reflector.  NULL when out of memory.
 */
struct k8s_reflector *k8s_reflector_new(struct ev_loop *loop,
					struct k8s_http *http,
					enum k8s_resource res,
					const char *node_name,
					struct k8s_store *store,
					const struct k8s_reflector_hooks *hooks);
/* Stops (cancelling requests and timers) and frees; NULL is fine. */
void k8s_reflector_free(struct k8s_reflector *r);

/* Begin with a LIST.  Does nothing when already running. */
void k8s_reflector_start(struct k8s_reflector *r);
void k8s_reflector_stop(struct k8s_reflector *r);

/* 1 once a list has completed (stays 1 through later relists). */
int k8s_reflector_synced(const struct k8s_reflector *r);
enum k8s_reflector_state k8s_reflector_state(const struct k8s_reflector *r);
/* The last resourceVersion seen ("" before the first list). */
const char *k8s_reflector_rv(const struct k8s_reflector *r);
/* The last error, "" if none yet: "list: HTTP 500: etcdserver: ...". */
const char *k8s_reflector_last_error(const struct k8s_reflector *r);
/* ev_now() of the last event or list page, 0 if none. */
double k8s_reflector_last_event(const struct k8s_reflector *r);
const struct k8s_reflector_stats *k8s_reflector_stats(
	const struct k8s_reflector *r);

/* While in K8S_REFLECTOR_BACKOFF: the wait chosen, in seconds (backoff
 * with jitter, or a longer Retry-After); else 0. */
double k8s_reflector_retry_in(const struct k8s_reflector *r);

/* Test hooks: the backoff bounds in seconds (default 0.8 and 30), and the
 * list page size (default 500). */
void k8s_reflector_set_backoff(struct k8s_reflector *r, double min, double max);
void k8s_reflector_set_page_size(struct k8s_reflector *r, unsigned int limit);
/* More test hooks: the range of timeoutSeconds asked for a watch (default
 * 300..600), and the bound on one list page request in seconds (default
 * 60). */
void k8s_reflector_set_watch_timeout(struct k8s_reflector *r,
				     unsigned int min, unsigned int max);
void k8s_reflector_set_list_timeout(struct k8s_reflector *r, double seconds);

#endif
