/*
 * agent/web.c - the routes of the two servers, and their start.
 *
 * Handlers run on the loop's thread between two callbacks (httpd.h), so
 * what they read - the sync's state, the desired state, the store - is
 * never in the middle of a change.  What each costs the loop, measured
 * at 10,000 Services x 10 endpoints under User-Mode Linux: /metrics
 * O(virtual servers), ~0.25 s (plus a services-only dump at most every
 * 5 s, metrics_traffic.c), ~8 ms with --metrics-service-traffic=false;
 * /status O(virtual servers + real servers), ~0.3 s; /healthz and /livez
 * ~5 ms (the ip_family scan is O(services) at worst, metrics_agent.h).
 */
#include "web.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "health.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "metrics_agent.h"
#include "status.h"

#define WEB_RETRY 5.0

struct agent_web {
	struct agent *a;
	struct agent_httpd *metrics;   /* --metrics-bind-address, or NULL */
	struct agent_httpd *healthz;   /* --healthz-bind-address, or NULL */
	ev_timer retry;                /* for a server that could not bind */
};

/* The buffer's text as the answer; 500 when it ran out of memory. */
static void answer(struct agent_httpd_resp *r, struct agent_buf *b,
		   int status, const char *type)
{
	r->body = agent_buf_take(b, &r->len);
	r->status = status;
	r->content_type = type;
	if (!r->body) {
		r->status = 500;
		r->content_type = "text/plain; charset=utf-8";
		r->len = 0;
	}
}

static void text(struct agent_httpd_resp *r, const char *s)
{
	struct agent_buf b;

	agent_buf_init(&b);
	agent_buf_puts(&b, s);
	answer(r, &b, 200, "text/plain; charset=utf-8");
}

static void h_metrics(void *arg, const struct agent_httpd_req *req,
		      struct agent_httpd_resp *r)
{
	struct agent_buf b;

	(void)arg;
	(void)req;
	agent_buf_init(&b);
	agent_metrics_render(&b);
	answer(r, &b, 200, AGENT_METRICS_CONTENT_TYPE);
}

static void h_status(void *arg, const struct agent_httpd_req *req,
		     struct agent_httpd_resp *r)
{
	const char *only = agent_httpd_query(req, "service");
	struct agent_buf b;
	int missing;

	agent_buf_init(&b);
	missing = agent_status_json(arg, ev_time(), only, &b);
	answer(r, &b, missing ? 404 : 200, "application/json");
}

static void h_ok(void *arg, const struct agent_httpd_req *req,
		 struct agent_httpd_resp *r)
{
	(void)arg;
	(void)req;
	text(r, "ok");
}

static void h_proxy_mode(void *arg, const struct agent_httpd_req *req,
			 struct agent_httpd_resp *r)
{
	(void)arg;
	(void)req;
	text(r, "ipvs");
}

/* kube-proxy's /healthz (@with_node) and /livez. */
static void health(struct agent *a, struct agent_httpd_resp *r, int with_node)
{
	struct agent_health h;
	struct agent_buf b;
	const char *fams[2];
	size_t n = agent_ip_families(a, fams);
	int code;

	agent_health_get(a, ev_time(), &h);
	agent_buf_init(&b);
	code = agent_health_json(&h, fams, n, with_node, &b);
	if (with_node)
		agent_metrics_healthz(code);
	else
		agent_metrics_livez(code);
	answer(r, &b, code, "application/json");
}

static void h_healthz(void *arg, const struct agent_httpd_req *req,
		      struct agent_httpd_resp *r)
{
	(void)req;
	health(arg, r, 1);
}

static void h_livez(void *arg, const struct agent_httpd_req *req,
		    struct agent_httpd_resp *r)
{
	(void)req;
	health(arg, r, 0);
}

static const struct agent_httpd_route metrics_routes[] = {
	{ "/metrics", h_metrics },
	{ "/status", h_status },
	{ "/healthz", h_ok },
	{ "/proxyMode", h_proxy_mode },
};

static const struct agent_httpd_route healthz_routes[] = {
	{ "/healthz", h_healthz },
	{ "/livez", h_livez },
};

/* --- servers ----------------------------------------------------------------- */

/* Start one server unless it runs or is off; 1 when it should be retried. */
static int try_start(struct agent_web *w, struct agent_httpd **h,
		     const char *flag, const char *addr, uint16_t port,
		     const struct agent_httpd_conf *conf)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];

	if (*h || agent_httpd_parse_addr(addr, port, &ss, &len))
		return 0;   /* running, off, or refused at option parsing */
	*h = agent_httpd_start(w->a->loop, (struct sockaddr *)&ss, len, conf,
			       err, sizeof(err));
	if (!*h) {
		agent_log(AGENT_LOG_ERROR, "--%s %s: %s; trying again in %.0fs",
			  flag, addr, err, WEB_RETRY);
		return 1;
	}
	agent_log(AGENT_LOG_INFO, "serving %s on %s", conf->name, addr);
	return 0;
}

static int start_all(struct agent_web *w)
{
	const struct agent_options *o = w->a->opt;
	const struct agent_httpd_conf mc = {
		"metrics", metrics_routes,
		sizeof(metrics_routes) / sizeof(*metrics_routes), w->a,
	};
	const struct agent_httpd_conf hc = {
		"healthz", healthz_routes,
		sizeof(healthz_routes) / sizeof(*healthz_routes), w->a,
	};
	int again;

	again = try_start(w, &w->metrics, "metrics-bind-address",
			  o->metrics_bind, 10249, &mc);
	again |= try_start(w, &w->healthz, "healthz-bind-address",
			   o->healthz_bind, 10256, &hc);
	return again;
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct agent_web *web = w->data;

	(void)revents;
	if (!start_all(web))
		ev_timer_stop(loop, w);
}

int agent_web_start(struct agent *a)
{
	struct agent_web *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->a = a;
	a->web = w;
	ev_timer_init(&w->retry, retry_cb, WEB_RETRY, WEB_RETRY);
	w->retry.data = w;
	if (start_all(w))
		ev_timer_start(a->loop, &w->retry);
	return 0;
}

void agent_web_stop(struct agent *a)
{
	struct agent_web *w = a->web;

	if (!w)
		return;
	ev_timer_stop(a->loop, &w->retry);
	agent_httpd_stop(w->metrics);
	agent_httpd_stop(w->healthz);
	free(w);
	a->web = NULL;
}
