/*
 * agent/httpd.h - small HTTP servers (libmicrohttpd) on the agent's libev
 * loop, without a thread.
 *
 * How it is driven: libmicrohttpd runs in its "external epoll" mode: it
 * keeps the listening socket and every connection in an epoll set of its
 * own, whose descriptor we watch with an ev_io; an ev_timer is set from
 * MHD_get_timeout() after every round, and both call MHD_run(), which
 * does what is ready and returns without waiting.  So a request is served
 * between two loop callbacks, on the loop's thread: a handler sees the
 * agent's state whole (never half-way through a sync step), and nothing
 * needs a lock.  The price: a handler must be quick, since the loop waits
 * for it (see each route for what it costs).
 *
 * What keeps clients from hurting the loop: the listening socket and the
 * connections are non-blocking; a connection that sends nothing for
 * AGENT_HTTPD_TIMEOUT seconds is closed; at most AGENT_HTTPD_MAX_CONNS
 * (or a quarter of RLIMIT_NOFILE, if lower) are open per server.  At that
 * limit libmicrohttpd stops accepting: further clients wait in the
 * kernel's listen queue, holding no descriptor of ours, and are taken in
 * as the timeout frees places - so a port flooded with idle clients is
 * slow to answer for at most AGENT_HTTPD_TIMEOUT seconds, the other port
 * (a server of its own) not at all.  There is no limit per client
 * address: Prometheus and the probes often share 127.0.0.1 with whoever
 * floods it.  Each connection gets AGENT_HTTPD_MEM_LIMIT bytes for its
 * request, so a longer request line is answered 414 and longer headers
 * 431 by libmicrohttpd, a malformed request line or header 400, an HTTP
 * version it does not speak 505.  (A first line without a single space
 * is not taken for a request at all: libmicrohttpd 0.9.75 closes the
 * connection without an answer.)  Unknown paths get 404, methods other
 * than GET and HEAD 405 (with Allow).
 */
#ifndef AGENT_HTTPD_H
#define AGENT_HTTPD_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define AGENT_HTTPD_MAX_CONNS 512
#define AGENT_HTTPD_TIMEOUT 10          /* seconds of silence */
#define AGENT_HTTPD_MEM_LIMIT (16 * 1024)

struct agent_httpd;
struct MHD_Connection;

struct agent_httpd_req {
	const char *method;                 /* "GET" or "HEAD" */
	const char *path;                   /* without the query */
	struct MHD_Connection *conn;        /* for agent_httpd_query() */
};

/* What a handler fills in.  @body is malloc'd and taken by the server
 * (NULL with @len 0 is an empty body). */
struct agent_httpd_resp {
	int status;                         /* default 200 */
	const char *content_type;           /* default text/plain */
	char *body;
	size_t len;
};

struct agent_httpd_route {
	const char *path;                   /* exact match */
	void (*fn)(void *arg, const struct agent_httpd_req *req,
		   struct agent_httpd_resp *resp);
};

struct agent_httpd_conf {
	const char *name;                   /* "metrics": for the log */
	const struct agent_httpd_route *routes;
	size_t nroutes;
	void *arg;                          /* handed to every handler */
};

/*
 * Parse a bind address as kube-proxy's --metrics-bind-address takes it:
 * "IP:PORT", "[IPv6]:PORT", ":PORT" (every address, both families) or a
 * bare IP (then @default_port).  Returns 0, 1 when it turns the server
 * off ("" or port 0, as kube-proxy), or -EINVAL.
 */
int agent_httpd_parse_addr(const char *s, uint16_t default_port,
			   struct sockaddr_storage *out, socklen_t *len);

/* Start serving on @sa (port 0: any free port, for tests).  NULL with
 * @err set when the socket cannot be bound or libmicrohttpd fails. */
struct agent_httpd *agent_httpd_start(struct ev_loop *loop,
				      const struct sockaddr *sa, socklen_t len,
				      const struct agent_httpd_conf *conf,
				      char *err, size_t errlen);
/* Close the listening socket and every connection; NULL is fine. */
void agent_httpd_stop(struct agent_httpd *h);

/* The port it listens on. */
uint16_t agent_httpd_port(const struct agent_httpd *h);
/* Connections open now. */
unsigned int agent_httpd_connections(const struct agent_httpd *h);

/* A query argument ("service" in /status?service=a/b), or NULL. */
const char *agent_httpd_query(const struct agent_httpd_req *req,
			      const char *key);

#endif
