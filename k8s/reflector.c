/*
 * k8s/reflector.c - LIST then WATCH, for ever, for one resource: the
 * requests, their callbacks (one per step: list page, list done, watch
 * bytes, watch line, watch done), and what a failure leads to.
 *
 * Everything runs from the loop's callbacks.  The store changes as data
 * arrives; hooks are called last in a callback, after the reflector has
 * already moved to its next step, so a hook may stop the reflector.
 */
#include "reflector.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsmap.h"
#include "watch_apply.h"
#include "watch_event.h"
#include "watch_lines.h"

/* A list page larger than this is refused (the request fails): a guard
 * against a runaway answer, far above 500 real objects. */
#define REFL_MAX_PAGE (256u << 20)
/* A page buffer larger than this is freed after its page, not reused. */
#define REFL_PAGE_KEEP (1u << 20)
/* A watch shorter than this without an event is a failure. */
#define REFL_SHORT_WATCH 1.0
/* Retry-After is honoured up to this many seconds. */
#define REFL_MAX_RETRY_AFTER 600.0

/* What to do when a backoff ends. */
enum refl_next {
	REFL_NEXT_LIST,  /* relist from the first page */
	REFL_NEXT_WATCH, /* watch again from rv */
};

/* Why a watch's data callback stopped the stream. */
enum refl_abort {
	REFL_ABORT_NONE,
	REFL_ABORT_EXPIRED, /* ERROR 410: relist */
	REFL_ABORT_ERROR,   /* another ERROR event: back off, watch again */
	REFL_ABORT_NOMEM,   /* an event could not be applied: watch again
			       from the last applied resourceVersion */
	REFL_ABORT_TOO_BIG, /* a list page over REFL_MAX_PAGE */
};

struct k8s_reflector {
	struct ev_loop *loop;
	struct k8s_http *http;
	enum k8s_resource res;
	char *node_name;                 /* our copy; NULL unless K8S_RES_NODE */
	struct k8s_store *store;         /* where objects go (shared) */
	struct k8s_reflector_hooks hooks;

	enum k8s_reflector_state state;
	struct k8s_http_req *req;        /* the request in flight, or NULL */
	ev_timer timer;                  /* the backoff wait */
	enum refl_next next;             /* what the timer starts */
	int synced;                      /* a list has completed */
	char *rv;                        /* last resourceVersion; "" at first */
	char last_error[256];            /* "list: HTTP 500: ..." */
	double last_event;               /* ev_now() of the last event or page */
	struct k8s_reflector_stats stats;
	int changed;                     /* the store changed in this callback */

	/* The list in progress. */
	char *cont;                      /* continue token of the next page */
	struct k8s_nsmap seen;           /* keys the list has named so far */
	char *page;                      /* the page's body so far */
	size_t page_len, page_cap;

	/* The watch in progress. */
	struct k8s_watch_lines lines;    /* the stream cut into lines */
	double watch_start;              /* ev_now() when it was asked for */
	unsigned long watch_events;      /* events and bookmarks it brought */
	enum refl_abort abort;           /* why data() stopped the transfer */

	/* Retrying. */
	double backoff_min, backoff_max; /* seconds */
	double backoff;                  /* base of the next wait */
	double retry_in;                 /* the wait chosen, while backing off */
	int retried_401;                 /* the immediate retry after a 401
					    is spent (until a success) */
	int quick_410;                   /* relisted at once after a 410, and
					    no watch event came since */
	uint64_t rand;                   /* xorshift state for the jitter */

	/* Settings. */
	unsigned int page_size;          /* limit= of list pages */
	unsigned int watch_min, watch_max; /* timeoutSeconds range */
	double list_timeout;             /* seconds per list page */
};

static void refl_list_start(struct k8s_reflector *r);
static void refl_watch_start(struct k8s_reflector *r);

static const char *const refl_resources[K8S_RES_COUNT] = {
	[K8S_RES_SERVICES] = "services",
	[K8S_RES_SLICES] = "endpointslices",
	[K8S_RES_NODE] = "node",
};

static const char *const refl_kinds[K8S_RES_COUNT] = {
	[K8S_RES_SERVICES] = "Service",
	[K8S_RES_SLICES] = "EndpointSlice",
	[K8S_RES_NODE] = "Node",
};

const char *k8s_resource_name(enum k8s_resource res)
{
	return (unsigned)res < K8S_RES_COUNT ? refl_resources[res] : "?";
}

const char *k8s_reflector_state_name(enum k8s_reflector_state st)
{
	switch (st) {
	case K8S_REFLECTOR_STOPPED:
		return "stopped";
	case K8S_REFLECTOR_LISTING:
		return "listing";
	case K8S_REFLECTOR_WATCHING:
		return "watching";
	case K8S_REFLECTOR_BACKOFF:
		return "backoff";
	}
	return "?";
}

/* ---- small helpers ------------------------------------------------------ */

static void refl_warn(struct k8s_reflector *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Report through the decode log, under this resource's kind. */
static void refl_warn(struct k8s_reflector *r, const char *fmt, ...)
{
	struct k8s_decode_log *log = r->hooks.log;
	char msg[256];
	va_list ap;
	char *p;

	if (!log || !log->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (p = msg; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	log->warn(log->arg, refl_kinds[r->res], "", "", msg);
}

static void refl_set_state(struct k8s_reflector *r,
			   enum k8s_reflector_state st)
{
	if (r->state == st)
		return;
	r->state = st;
	if (r->hooks.state)
		r->hooks.state(r->hooks.arg, r->res, st);
}

/* Replace *@slot by a copy of @s; keeps the old value when out of
 * memory (a stale resourceVersion only costs a relist later). */
static void refl_strset(char **slot, const char *s)
{
	char *t = strdup(s ? s : "");

	if (!t)
		return;
	free(*slot);
	*slot = t;
}

/* Uniform in [0, 1). */
static double refl_random(struct k8s_reflector *r)
{
	r->rand ^= r->rand << 13;
	r->rand ^= r->rand >> 7;
	r->rand ^= r->rand << 17;
	return (double)(r->rand >> 11) / (double)(1ull << 53);
}

/* Call changed() if this callback changed the store. */
static void refl_notify(struct k8s_reflector *r)
{
	if (!r->changed)
		return;
	r->changed = 0;
	if (r->hooks.changed)
		r->hooks.changed(r->hooks.arg, r->res);
}

static struct k8s_apply refl_apply(struct k8s_reflector *r, int listing)
{
	struct k8s_apply a = {
		.store = r->store,
		.res = r->res,
		.node_name = r->node_name,
		.log = r->hooks.log,
		.seen = listing ? &r->seen : NULL,
	};

	return a;
}

/* ---- request paths ------------------------------------------------------ */

/* Percent-encode everything but RFC 3986's unreserved characters. */
static void refl_escape(FILE *f, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			fputc(c, f);
		else
			fprintf(f, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

static void refl_param(FILE *f, const char *key, const char *val)
{
	fprintf(f, "&%s=", key);
	refl_escape(f, val);
}

/* The resource's path and kube-proxy's selectors; the query goes on
 * with "&". */
static void refl_path_base(struct k8s_reflector *r, FILE *f)
{
	switch (r->res) {
	case K8S_RES_SERVICES:
		fputs("/api/v1/services?labelSelector=", f);
		refl_escape(f, "!service.kubernetes.io/service-proxy-name");
		refl_param(f, "fieldSelector", "spec.clusterIP!=None");
		break;
	case K8S_RES_SLICES:
		fputs("/apis/discovery.k8s.io/v1/endpointslices?labelSelector=",
		      f);
		refl_escape(f, "!service.kubernetes.io/headless");
		break;
	default:
		fputs("/api/v1/nodes?fieldSelector=", f);
		refl_escape(f, "metadata.name=");
		refl_escape(f, r->node_name ? r->node_name : "");
		break;
	}
}

/* The path of the next list page, or of a watch for @timeout seconds.
 * NULL when out of memory. */
static char *refl_path(struct k8s_reflector *r, int watch,
		       unsigned int timeout)
{
	char *s = NULL;
	size_t n;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		return NULL;
	refl_path_base(r, f);
	if (watch) {
		fputs("&watch=1&allowWatchBookmarks=true", f);
		refl_param(f, "resourceVersion", r->rv);
		fprintf(f, "&timeoutSeconds=%u", timeout);
	} else {
		fprintf(f, "&limit=%u", r->page_size);
		if (r->cont)
			refl_param(f, "continue", r->cont);
	}
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}

/* ---- failures and retries ------------------------------------------------ */

static void refl_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct k8s_reflector *r = w->data;

	(void)loop;
	(void)revents;
	r->retry_in = 0;
	if (r->next == REFL_NEXT_LIST)
		refl_list_start(r);
	else
		refl_watch_start(r);
}

/* Wait, then @next: the base backoff with jitter, or @retry_after when
 * that is longer.  The base doubles for the next time. */
static void refl_backoff(struct k8s_reflector *r, enum refl_next next,
			 double retry_after)
{
	double base = r->backoff > 0 ? r->backoff : r->backoff_min;
	double wait = base * (1 + 0.25 * refl_random(r));

	r->backoff = fmin(base * 2, r->backoff_max);
	if (retry_after > wait)
		wait = fmin(retry_after, REFL_MAX_RETRY_AFTER);
	r->next = next;
	r->retry_in = wait;
	ev_timer_set(&r->timer, wait, 0);
	ev_timer_start(r->loop, &r->timer);
	refl_set_state(r, K8S_REFLECTOR_BACKOFF); /* last: the hook may stop */
}

/* Go on with @next now. */
static void refl_go(struct k8s_reflector *r, enum refl_next next)
{
	if (next == REFL_NEXT_LIST)
		refl_list_start(r);
	else
		refl_watch_start(r);
}

/* Progress: the next failure starts from the smallest wait again. */
static void refl_success(struct k8s_reflector *r)
{
	r->backoff = 0;
	r->retried_401 = 0;
}

/* The resourceVersion is gone (410): relist, at once the first time. */
static void refl_expired(struct k8s_reflector *r, const char *what)
{
	r->stats.expired++;
	if (what != r->last_error)
		snprintf(r->last_error, sizeof(r->last_error), "%s", what);
	free(r->cont);
	r->cont = NULL;
	if (r->quick_410) {
		refl_backoff(r, REFL_NEXT_LIST, 0);
		return;
	}
	r->quick_410 = 1;
	refl_list_start(r);
}

/* The message of a non-2xx body: a Status's "message", else its first
 * line of text. */
static void refl_body_message(const char *body, char *out, size_t outlen)
{
	cJSON *j = body && *body == '{' ? cJSON_Parse(body) : NULL;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
	size_t n;

	if (cJSON_IsString(m)) {
		snprintf(out, outlen, "%s", m->valuestring);
	} else {
		n = body ? strcspn(body, "\r\n") : 0;
		snprintf(out, outlen, "%.*s", (int)n, body ? body : "");
	}
	cJSON_Delete(j);
}

/* A request failed: count it, say why (@why, else from @res; both NULL:
 * r->last_error is already said), and retry @next - at once after a
 * first 401, else after a backoff. */
static void refl_failed(struct k8s_reflector *r, enum refl_next next,
			const struct k8s_http_result *res, const char *why)
{
	const char *step = next == REFL_NEXT_WATCH ? "watch" : "list";
	double retry_after = -1;
	char msg[200];

	r->stats.errors++;
	if (why || !res) {
		if (why)
			snprintf(r->last_error, sizeof(r->last_error), "%s: %s",
				 step, why);
	} else if (res->status && (res->status < 200 || res->status > 299)) {
		refl_body_message(res->body, msg, sizeof(msg));
		snprintf(r->last_error, sizeof(r->last_error), "%s: HTTP %d: %s",
			 step, res->status, msg);
		if (res->status == 429 || res->status >= 500)
			retry_after = res->retry_after;
		if (res->status == 401 && !r->retried_401) {
			r->retried_401 = 1;
			refl_go(r, next);
			return;
		}
	} else {
		snprintf(r->last_error, sizeof(r->last_error), "%s: %s", step,
			 res->error && *res->error ? res->error :
						     "the stream was cut");
	}
	refl_backoff(r, next, retry_after);
}

/* ---- LIST ---------------------------------------------------------------- */

static int refl_list_data(void *arg, const char *buf, size_t len)
{
	struct k8s_reflector *r = arg;
	size_t cap = r->page_cap ? r->page_cap : 64 << 10;
	char *p;

	if (r->page_len + len > REFL_MAX_PAGE) {
		r->abort = REFL_ABORT_TOO_BIG;
		return 1;
	}
	while (cap < r->page_len + len)
		cap *= 2;
	if (cap != r->page_cap) {
		p = realloc(r->page, cap);
		if (!p) {
			r->abort = REFL_ABORT_NOMEM;
			return 1;
		}
		r->page = p;
		r->page_cap = cap;
	}
	memcpy(r->page + r->page_len, buf, len);
	r->page_len += len;
	return 0;
}

/* Forget the page's bytes; a big buffer goes back to the heap. */
static void refl_page_clear(struct k8s_reflector *r)
{
	r->page_len = 0;
	if (r->page_cap > REFL_PAGE_KEEP) {
		free(r->page);
		r->page = NULL;
		r->page_cap = 0;
	}
}

static int refl_list_item(void *arg, const cJSON *item)
{
	struct k8s_reflector *r = arg;
	struct k8s_apply a = refl_apply(r, 1);
	int rc = k8s_apply_put(&a, item);

	if (rc == K8S_APPLY_CHANGED)
		r->changed = 1;
	else if (rc == K8S_APPLY_REJECTED)
		r->stats.rejected++;
	return rc < 0 ? rc : 0;
}

/* The last page is in: drop what the list did not name, then watch. */
static void refl_list_complete(struct k8s_reflector *r)
{
	struct k8s_apply a = refl_apply(r, 1);
	int rc = k8s_apply_retain(&a);

	if (rc > 0)
		r->changed = 1;
	k8s_nsmap_fini(&r->seen, NULL);
	r->stats.lists++;
	if (r->stats.lists > 1)
		r->stats.relists++;
	r->synced = 1;
	refl_success(r);
	if (rc < 0) /* some deletions are left for the next relist */
		refl_warn(r, "relist: out of memory deleting what went away");
	refl_watch_start(r);
	refl_notify(r);
	if (r->hooks.synced)
		r->hooks.synced(r->hooks.arg, r->res);
}

/* A whole page arrived: apply its items, then the next page or the end. */
static void refl_list_page(struct k8s_reflector *r)
{
	struct k8s_list_page page;
	char err[160];
	int rc;

	rc = k8s_decode_page(r->page, r->page_len, &page, refl_list_item, r,
			     err, sizeof(err));
	refl_page_clear(r);
	r->last_event = ev_now(r->loop);
	if (rc < 0) {
		r->stats.errors++;
		snprintf(r->last_error, sizeof(r->last_error),
			 "list: bad page: %s", err);
		refl_warn(r, "list: bad page: %s", err);
		free(r->cont);
		r->cont = NULL;
		refl_backoff(r, REFL_NEXT_LIST, 0);
		refl_notify(r);
		return;
	}
	r->stats.pages++;
	if (page.resource_version)
		refl_strset(&r->rv, page.resource_version);
	free(r->cont);
	r->cont = page.cont;
	page.cont = NULL;
	k8s_list_page_fini(&page);
	if (r->cont) {
		refl_list_start(r);
		refl_notify(r);
	} else {
		refl_list_complete(r);
	}
}

static void refl_list_done(void *arg, const struct k8s_http_result *res)
{
	struct k8s_reflector *r = arg;
	enum refl_abort why = r->abort;
	char msg[200], what[240];

	r->req = NULL;
	r->abort = REFL_ABORT_NONE;
	if (res->status >= 200 && res->status <= 299 && !res->curl_code) {
		r->retried_401 = 0;
		refl_list_page(r);
		return;
	}
	refl_page_clear(r);
	free(r->cont);
	r->cont = NULL;
	if (res->status == 410) { /* a continue token too old */
		refl_body_message(res->body, msg, sizeof(msg));
		snprintf(what, sizeof(what), "list: HTTP 410: %s", msg);
		refl_expired(r, what);
		return;
	}
	if (why == REFL_ABORT_TOO_BIG)
		refl_failed(r, REFL_NEXT_LIST, NULL, "page too large");
	else if (why == REFL_ABORT_NOMEM)
		refl_failed(r, REFL_NEXT_LIST, NULL, "out of memory for a page");
	else
		refl_failed(r, REFL_NEXT_LIST, res, NULL);
}

/* Ask for the next page (the first when r->cont is NULL). */
static void refl_list_start(struct k8s_reflector *r)
{
	struct k8s_http_cb cb = {
		.data = refl_list_data, .done = refl_list_done, .arg = r,
	};
	char *path;

	if (!r->cont)
		k8s_nsmap_fini(&r->seen, NULL);
	r->page_len = 0;
	r->abort = REFL_ABORT_NONE;
	path = refl_path(r, 0, 0);
	r->req = path ? k8s_http_get(r->http, path,
				     (long)(r->list_timeout * 1000), &cb) :
			NULL;
	free(path);
	if (!r->req) {
		free(r->cont);
		r->cont = NULL;
		refl_failed(r, REFL_NEXT_LIST, NULL,
			    "the request could not be started");
		return;
	}
	refl_set_state(r, K8S_REFLECTOR_LISTING); /* last: the hook may stop */
}

/* ---- WATCH --------------------------------------------------------------- */

/* An ADDED, MODIFIED or DELETED event into the store. */
static int refl_watch_apply(struct k8s_reflector *r,
			    const struct k8s_watch_event *ev)
{
	struct k8s_apply a = refl_apply(r, 0);
	int rc;

	if (ev->type == K8S_WATCH_DELETED) {
		r->stats.deleted++;
		rc = k8s_apply_del(&a, ev->object);
	} else {
		if (ev->type == K8S_WATCH_ADDED)
			r->stats.added++;
		else
			r->stats.modified++;
		rc = k8s_apply_put(&a, ev->object);
	}
	if (rc == K8S_APPLY_CHANGED)
		r->changed = 1;
	else if (rc == K8S_APPLY_REJECTED)
		r->stats.rejected++;
	return rc < 0 ? rc : 0;
}

/* An ERROR event: stop the stream, and say why for watch_done. */
static int refl_watch_error(struct k8s_reflector *r,
			    const struct k8s_watch_event *ev)
{
	snprintf(r->last_error, sizeof(r->last_error),
		 "watch: ERROR event: %d %s: %s", ev->code, ev->reason,
		 ev->message);
	r->abort = k8s_watch_event_expired(ev) ? REFL_ABORT_EXPIRED :
						 REFL_ABORT_ERROR;
	return 1;
}

/* One line of the stream.  Non-zero stops the transfer (r->abort says
 * why). */
static int refl_watch_line(void *arg, const char *line, size_t len)
{
	struct k8s_reflector *r = arg;
	struct k8s_watch_event ev;
	char err[160];
	int rc;

	rc = k8s_watch_event_parse(line, len, &ev, err, sizeof(err));
	if (rc == -EINVAL) {
		r->stats.bad_lines++;
		refl_warn(r, "watch: bad line of %zu bytes: %s", len, err);
		return 0;
	}
	if (rc || ev.type == K8S_WATCH_ERROR) {
		rc = rc ? (r->abort = REFL_ABORT_NOMEM, 1) :
			  refl_watch_error(r, &ev);
		k8s_watch_event_fini(&ev);
		return rc;
	}
	if (ev.type == K8S_WATCH_BOOKMARK)
		r->stats.bookmarks++;
	else if (refl_watch_apply(r, &ev)) {
		r->abort = REFL_ABORT_NOMEM; /* rv not moved: it comes again */
		k8s_watch_event_fini(&ev);
		return 1;
	}
	if (ev.rv)
		refl_strset(&r->rv, ev.rv);
	r->watch_events++;
	r->quick_410 = 0;
	r->last_event = ev_now(r->loop);
	refl_success(r);
	k8s_watch_event_fini(&ev);
	return 0;
}

static void refl_oversized(void *arg)
{
	struct k8s_reflector *r = arg;

	r->stats.oversized++;
	refl_warn(r, "watch: a line over %u bytes skipped",
		  K8S_REFLECTOR_MAX_LINE);
}

static int refl_watch_data(void *arg, const char *buf, size_t len)
{
	struct k8s_reflector *r = arg;
	struct k8s_watch_lines_cb cb = {
		.line = refl_watch_line, .oversized = refl_oversized, .arg = r,
	};
	int rc;

	r->retried_401 = 0; /* answered: the token is good again */
	rc = k8s_watch_lines_feed(&r->lines, buf, len, &cb);
	if (rc == -ENOMEM)
		r->abort = REFL_ABORT_NOMEM;
	/* The hook last: it may stop us, which cancels this very request
	 * (safe from here; the value returned is then ignored). */
	refl_notify(r);
	return rc ? 1 : 0;
}

/* The stream ended with a 2xx and no curl error. */
static void refl_watch_clean_end(struct k8s_reflector *r)
{
	if (ev_now(r->loop) - r->watch_start < REFL_SHORT_WATCH &&
	    !r->watch_events) {
		refl_failed(r, REFL_NEXT_WATCH, NULL,
			    "very short watch: closed within a second, no event");
		return;
	}
	refl_watch_start(r);
}

static void refl_watch_done(void *arg, const struct k8s_http_result *res)
{
	struct k8s_reflector *r = arg;
	enum refl_abort why = r->abort;
	size_t partial = k8s_watch_lines_reset(&r->lines);
	int ok = res->status >= 200 && res->status <= 299 && !res->curl_code;

	r->req = NULL;
	r->abort = REFL_ABORT_NONE;
	if (ok)
		r->retried_401 = 0;
	if (partial && ok) {
		r->stats.bad_lines++;
		refl_warn(r, "watch: the stream ended inside a line (%zu bytes "
			  "dropped)", partial);
	}
	if (why == REFL_ABORT_EXPIRED)
		refl_expired(r, r->last_error);
	else if (why == REFL_ABORT_ERROR)
		refl_failed(r, REFL_NEXT_WATCH, NULL, NULL);
	else if (why == REFL_ABORT_NOMEM)
		refl_failed(r, REFL_NEXT_WATCH, NULL, "out of memory");
	else if (res->status == 410)
		refl_expired(r, "watch: HTTP 410: resourceVersion too old");
	else if (ok)
		refl_watch_clean_end(r);
	else
		refl_failed(r, REFL_NEXT_WATCH, res, NULL);
}

/* Watch from r->rv for a random 300..600 s (as client-go: watches of
 * many clients do not end together). */
static void refl_watch_start(struct k8s_reflector *r)
{
	struct k8s_http_cb cb = {
		.data = refl_watch_data, .done = refl_watch_done, .arg = r,
	};
	unsigned int t = r->watch_min +
			 (unsigned int)(refl_random(r) *
					(r->watch_max - r->watch_min + 1));
	char *path = refl_path(r, 1, t);

	k8s_watch_lines_reset(&r->lines);
	r->abort = REFL_ABORT_NONE;
	r->watch_start = ev_now(r->loop);
	r->watch_events = 0;
	r->stats.watches++;
	r->req = path ? k8s_http_get(r->http, path, (long)t * 1500, &cb) : NULL;
	free(path);
	if (!r->req) {
		refl_failed(r, REFL_NEXT_WATCH, NULL,
			    "the request could not be started");
		return;
	}
	refl_set_state(r, K8S_REFLECTOR_WATCHING); /* last: the hook may stop */
}

/* ---- the object ----------------------------------------------------------- */

struct k8s_reflector *k8s_reflector_new(struct ev_loop *loop,
					struct k8s_http *http,
					enum k8s_resource res,
					const char *node_name,
					struct k8s_store *store,
					const struct k8s_reflector_hooks *hooks)
{
	struct k8s_reflector *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->rv = strdup("");
	if (res == K8S_RES_NODE)
		r->node_name = strdup(node_name ? node_name : "");
	if (!r->rv || (res == K8S_RES_NODE && !r->node_name)) {
		k8s_reflector_free(r);
		return NULL;
	}
	r->loop = loop;
	r->http = http;
	r->res = res;
	r->store = store;
	if (hooks)
		r->hooks = *hooks;
	ev_init(&r->timer, refl_timer_cb);
	r->timer.data = r;
	k8s_watch_lines_init(&r->lines, K8S_REFLECTOR_MAX_LINE);
	r->backoff_min = 0.8;
	r->backoff_max = 30;
	r->page_size = 500;
	r->watch_min = 300;
	r->watch_max = 600;
	r->list_timeout = 60;
	r->rand = ((uint64_t)(ev_time() * 1e6) ^ (uintptr_t)r) | 1;
	return r;
}

void k8s_reflector_stop(struct k8s_reflector *r)
{
	if (!r || r->state == K8S_REFLECTOR_STOPPED)
		return;
	k8s_http_cancel(r->req);
	r->req = NULL;
	ev_timer_stop(r->loop, &r->timer);
	k8s_watch_lines_reset(&r->lines);
	k8s_nsmap_fini(&r->seen, NULL);
	free(r->cont);
	r->cont = NULL;
	r->page_len = 0;
	r->abort = REFL_ABORT_NONE;
	r->retry_in = 0;
	r->changed = 0;
	refl_set_state(r, K8S_REFLECTOR_STOPPED);
}

void k8s_reflector_free(struct k8s_reflector *r)
{
	if (!r)
		return;
	r->hooks.state = NULL; /* no calls from a dying reflector */
	k8s_reflector_stop(r);
	k8s_watch_lines_fini(&r->lines);
	free(r->page);
	free(r->rv);
	free(r->node_name);
	free(r);
}

void k8s_reflector_start(struct k8s_reflector *r)
{
	if (r->state != K8S_REFLECTOR_STOPPED)
		return;
	r->quick_410 = 0;
	refl_success(r);
	refl_list_start(r);
}

int k8s_reflector_synced(const struct k8s_reflector *r)
{
	return r->synced;
}

enum k8s_reflector_state k8s_reflector_state(const struct k8s_reflector *r)
{
	return r->state;
}

const char *k8s_reflector_rv(const struct k8s_reflector *r)
{
	return r->rv;
}

const char *k8s_reflector_last_error(const struct k8s_reflector *r)
{
	return r->last_error;
}

double k8s_reflector_last_event(const struct k8s_reflector *r)
{
	return r->last_event;
}

const struct k8s_reflector_stats *k8s_reflector_stats(
	const struct k8s_reflector *r)
{
	return &r->stats;
}

double k8s_reflector_retry_in(const struct k8s_reflector *r)
{
	return r->state == K8S_REFLECTOR_BACKOFF ? r->retry_in : 0;
}

void k8s_reflector_set_backoff(struct k8s_reflector *r, double min, double max)
{
	r->backoff_min = min > 0 ? min : 0.001;
	r->backoff_max = max > r->backoff_min ? max : r->backoff_min;
}

void k8s_reflector_set_page_size(struct k8s_reflector *r, unsigned int limit)
{
	r->page_size = limit ? limit : 500;
}

void k8s_reflector_set_watch_timeout(struct k8s_reflector *r,
				     unsigned int min, unsigned int max)
{
	r->watch_min = min ? min : 1;
	r->watch_max = max > r->watch_min ? max : r->watch_min;
}

void k8s_reflector_set_list_timeout(struct k8s_reflector *r, double seconds)
{
	r->list_timeout = seconds > 0 ? seconds : 60;
}
