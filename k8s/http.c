/*
 * k8s/http.c - libcurl's multi interface driven by the libev loop.
 *
 * curl says which sockets to watch (k8s_http_sock_cb) and when to wake
 * (k8s_http_timer_cb); our ev_io and ev_timer callbacks hand the event to
 * curl_multi_socket_action(), which moves only the transfers of that
 * socket (or those whose time came), so a turn of the loop costs what its
 * events cost, not the number of requests.  Finished transfers are then
 * collected with curl_multi_info_read() and their done() called.
 *
 * curl forbids adding or removing a handle from inside its callbacks, and
 * the caller's data() runs inside one.  So a request started or cancelled
 * there is put on h->pending and handled as soon as
 * curl_multi_socket_action() returns; everywhere else it happens at once.
 * A k8s_http_free() from inside any callback likewise waits for our loop
 * callback to return (h->busy).
 */
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void k8s_http_destroy(struct k8s_http *h);

/* ---- bookkeeping ------------------------------------------------------- */

static void k8s_http_link(struct k8s_http *h, struct k8s_http_req *r)
{
	r->next = h->reqs;
	if (h->reqs)
		h->reqs->prev = r;
	h->reqs = r;
}

static void k8s_http_unlink(struct k8s_http *h, struct k8s_http_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		h->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

/* Out of curl, off the list, freed: the end of every request. */
static void k8s_http_drop(struct k8s_http_req *r)
{
	struct k8s_http *h = r->h;

	if (r->in_multi)
		curl_multi_remove_handle(h->multi, r->easy);
	r->in_multi = 0;
	k8s_http_unlink(h, r);
	k8s_http_req_free(r);
}

static void k8s_http_defer(struct k8s_http *h, struct k8s_http_req *r)
{
	r->pending = h->pending;
	h->pending = r;
}

/* ---- sockets and the timer: what curl asks of the loop ------------------ */

static void k8s_http_drive(struct k8s_http *h, curl_socket_t fd, int flags);

static void k8s_http_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct k8s_http_sock *s = w->data;
	int flags = (revents & EV_READ ? CURL_CSELECT_IN : 0) |
		    (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);

	(void)loop;
	/* @s may be freed inside: curl can drop the socket. */
	k8s_http_drive(s->h, w->fd, flags);
}

static void k8s_http_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	k8s_http_drive(w->data, CURL_SOCKET_TIMEOUT, 0);
}

static void k8s_http_sock_free(struct k8s_http *h, struct k8s_http_sock *s)
{
	ev_io_stop(h->loop, &s->io);
	if (s->prev)
		s->prev->next = s->next;
	else
		h->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

static struct k8s_http_sock *k8s_http_sock_new(struct k8s_http *h,
					       curl_socket_t fd)
{
	struct k8s_http_sock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->h = h;
	ev_init(&s->io, k8s_http_io_cb);
	s->io.data = s;
	s->next = h->socks;
	if (h->socks)
		h->socks->prev = s;
	h->socks = s;
	curl_multi_assign(h->multi, fd, s);
	return s;
}

/* CURLMOPT_SOCKETFUNCTION: watch @fd for @what, or stop (REMOVE). */
static int k8s_http_sock_cb(CURL *e, curl_socket_t fd, int what, void *userp,
			    void *sockp)
{
	struct k8s_http *h = userp;
	struct k8s_http_sock *s = sockp;
	int ev = (what & CURL_POLL_IN ? EV_READ : 0) |
		 (what & CURL_POLL_OUT ? EV_WRITE : 0);

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (s)
			k8s_http_sock_free(h, s);
		return 0;
	}
	if (!s && !(s = k8s_http_sock_new(h, fd)))
		return -1;      /* curl fails the transfers of this socket */
	ev_io_stop(h->loop, &s->io);
	ev_io_set(&s->io, fd, ev);
	ev_io_start(h->loop, &s->io);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: wake in @ms (0: next loop turn; curl forbids
 * calling it back from here), or never (-1). */
static int k8s_http_timer_cb(CURLM *m, long ms, void *userp)
{
	struct k8s_http *h = userp;

	(void)m;
	ev_timer_stop(h->loop, &h->timer);
	if (ms >= 0) {
		ev_timer_set(&h->timer, ms / 1000.0, 0.);
		ev_timer_start(h->loop, &h->timer);
	}
	return 0;
}

/* ---- after curl returns ------------------------------------------------ */

/* Requests queued or cancelled inside curl's callbacks. */
static void k8s_http_run_pending(struct k8s_http *h)
{
	struct k8s_http_req *r;
	struct k8s_http_result res = {
		.curl_code = CURLE_OUT_OF_MEMORY,
		.error = "could not start the transfer",
		.retry_after = -1,
		.body = "",
	};

	while ((r = h->pending)) {
		h->pending = r->pending;
		r->pending = NULL;
		if (r->state == K8S_HTTP_REQ_CANCELLED) {
			k8s_http_drop(r);
		} else if (curl_multi_add_handle(h->multi, r->easy) ==
			   CURLM_OK) {
			r->in_multi = 1;
			r->state = K8S_HTTP_REQ_RUNNING;
		} else {
			/* Too late to return NULL: report it instead. */
			r->state = K8S_HTTP_REQ_DONE;
			h->stats.failures++;
			if (r->cb.done)
				r->cb.done(r->cb.arg, &res);
			k8s_http_drop(r);
		}
	}
}

/* done() for a finished transfer; a 401 re-reads the token first, so
 * whatever the caller starts from done() carries the new one. */
static void k8s_http_finish(struct k8s_http_req *r, CURLcode code)
{
	struct k8s_http *h = r->h;
	struct k8s_http_result res;
	const char *tok;

	curl_multi_remove_handle(h->multi, r->easy);
	r->in_multi = 0;
	k8s_http_req_result(r, code, &res);
	if (code != CURLE_OK || res.status / 100 != 2)
		h->stats.failures++;
	if (res.status == 401) {
		h->stats.status_401++;
		if (k8s_config_token(h->cfg, 1, &tok))
			h->stats.token_errors++;
	}
	r->state = K8S_HTTP_REQ_DONE;
	if (r->cb.done)
		r->cb.done(r->cb.arg, &res);
	k8s_http_drop(r);
}

static void k8s_http_collect(struct k8s_http *h)
{
	struct k8s_http_req *r;
	CURLMsg *m;
	int left;

	/* A done() that cancels another request also takes its message
	 * out of curl's queue (curl_multi_remove_handle does). */
	while (!h->dying && (m = curl_multi_info_read(h->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		r = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &r);
		if (r)
			k8s_http_finish(r, m->data.result);
	}
}

/*
 * Hand an event to curl, then do what could not be done inside it.
 * CURLM_BAD_SOCKET is possible (a socket curl already dropped) and
 * harmless; the transfers' own errors come through curl_multi_info_read.
 */
static void k8s_http_drive(struct k8s_http *h, curl_socket_t fd, int flags)
{
	int running;

	h->busy++;
	h->in_curl = 1;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	h->in_curl = 0;
	k8s_http_run_pending(h);
	k8s_http_collect(h);
	if (--h->busy == 0 && h->dying)
		k8s_http_destroy(h);
}

/* ---- the API ----------------------------------------------------------- */

static int k8s_http_multi_init(struct k8s_http *h)
{
	h->multi = curl_multi_init();
	if (!h->multi)
		return -1;
	return curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION,
				 k8s_http_sock_cb) ||
	       curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h) ||
	       curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION,
				 k8s_http_timer_cb) ||
	       curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
}

struct k8s_http *k8s_http_new(struct ev_loop *loop, struct k8s_config *cfg,
			      char *err, size_t errlen)
{
	struct k8s_http *h;

	/* Reference-counted by curl; undone in k8s_http_destroy(). */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init failed");
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		curl_global_cleanup();
		return NULL;
	}
	h->loop = loop;
	h->cfg = cfg;
	ev_init(&h->timer, k8s_http_timeout_cb);
	h->timer.data = h;
	if (k8s_http_multi_init(h)) {
		snprintf(err, errlen, "curl_multi_init failed");
		goto bad;
	}
	if (k8s_http_url_init(h, err, errlen) ||
	    k8s_http_tmpl_init(h, err, errlen))
		goto bad;
	return h;
bad:
	k8s_http_destroy(h);
	return NULL;
}

/* Every request is gone by now. */
static void k8s_http_destroy(struct k8s_http *h)
{
	ev_timer_stop(h->loop, &h->timer);
	/* May still call k8s_http_sock_cb() to drop cached connections. */
	if (h->multi)
		curl_multi_cleanup(h->multi);
	while (h->socks)
		k8s_http_sock_free(h, h->socks);
	if (h->tmpl)
		curl_easy_cleanup(h->tmpl);
	k8s_http_url_fini(h);
	free(h);
	curl_global_cleanup();
}

void k8s_http_free(struct k8s_http *h)
{
	struct k8s_http_req *r, *next;

	if (!h || h->dying)
		return;
	/* A request whose done() is running is freed when it returns;
	 * cancelling one never frees another, so @next stays valid. */
	for (r = h->reqs; r; r = next) {
		next = r->next;
		k8s_http_cancel(r);
	}
	if (h->busy) {
		h->dying = 1;
		return;
	}
	k8s_http_destroy(h);
}

struct k8s_http_req *k8s_http_get(struct k8s_http *h, const char *path,
				  long timeout_ms,
				  const struct k8s_http_cb *cb)
{
	struct k8s_http_req *r;

	if (h->dying)
		return NULL;
	r = k8s_http_req_new(h, path, timeout_ms, cb);
	if (!r)
		return NULL;
	if (h->in_curl) {
		r->state = K8S_HTTP_REQ_QUEUED;
		k8s_http_defer(h, r);
	} else if (curl_multi_add_handle(h->multi, r->easy) == CURLM_OK) {
		/* curl only arms its timer here: the transfer starts from
		 * the loop, so done() can not run before we return. */
		r->in_multi = 1;
		r->state = K8S_HTTP_REQ_RUNNING;
	} else {
		k8s_http_req_free(r);
		return NULL;
	}
	k8s_http_link(h, r);
	h->stats.requests++;
	return r;
}

void k8s_http_cancel(struct k8s_http_req *r)
{
	if (!r || r->state == K8S_HTTP_REQ_DONE ||
	    r->state == K8S_HTTP_REQ_CANCELLED)
		return;
	if (r->state == K8S_HTTP_REQ_RUNNING && !r->h->in_curl) {
		k8s_http_drop(r);
		return;
	}
	/* Inside curl: its callbacks refuse to go on (they see the state),
	 * and k8s_http_run_pending() removes it when curl returns.  A
	 * queued request is on h->pending already, and stays there until
	 * k8s_http_run_pending() pops it, wherever the cancel came from. */
	if (r->state == K8S_HTTP_REQ_RUNNING)
		k8s_http_defer(r->h, r);
	r->state = K8S_HTTP_REQ_CANCELLED;
}

const struct k8s_http_stats *k8s_http_stats(const struct k8s_http *h)
{
	return &h->stats;
}
