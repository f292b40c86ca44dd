/*
 * agent/httpd.c - libmicrohttpd in external-epoll mode on a libev loop.
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "log.h"

struct agent_httpd {
	struct MHD_Daemon *d;          /* libmicrohttpd, external epoll mode */
	struct ev_loop *loop;          /* the agent's loop */
	ev_io io;                      /* libmicrohttpd's epoll descriptor */
	ev_timer timer;                /* its next timeout */
	struct agent_httpd_conf conf;  /* routes and their argument (a copy) */
};

/* --- addresses ------------------------------------------------------------ */

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* @host (no brackets), "" for every address. */
static int fill_addr(const char *host, uint16_t port,
		     struct sockaddr_storage *out, socklen_t *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;

	memset(out, 0, sizeof(*out));
	if (!*host) {
		v6->sin6_family = AF_INET6;    /* "[::]": both families */
		v6->sin6_addr = in6addr_any;
		v6->sin6_port = htons(port);
		*len = sizeof(*v6);
	} else if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		*len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		*len = sizeof(*v6);
	} else {
		return -EINVAL;
	}
	return port ? 0 : 1;
}

int agent_httpd_parse_addr(const char *s, uint16_t default_port,
			   struct sockaddr_storage *out, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 8];
	const char *colon, *end;
	uint16_t port;

	if (!s || !*s)
		return 1;
	if (*s == '[') {                               /* [v6]:port */
		if (!(end = strchr(s, ']')) || end[1] != ':' ||
		    (size_t)(end - s - 1) >= sizeof(host) ||
		    parse_port(end + 2, &port))
			return -EINVAL;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		return *host ? fill_addr(host, port, out, len) : -EINVAL;
	}
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':'))            /* a bare v6 address */
		return fill_addr(s, default_port, out, len);
	if (!colon)                                     /* a bare v4 address */
		return fill_addr(s, default_port, out, len);
	if ((size_t)(colon - s) >= sizeof(host) || parse_port(colon + 1, &port))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	return fill_addr(host, port, out, len);
}

/* --- requests ------------------------------------------------------------- */

static enum MHD_Result queue(struct MHD_Connection *c,
			     struct agent_httpd_resp *r, const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;

	resp = MHD_create_response_from_buffer(r->len, r->body,
					       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(r->body);
		return MHD_NO;   /* libmicrohttpd closes the connection */
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->content_type ? r->content_type
						: "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	ok = MHD_queue_response(c, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	return ok;
}

static void plain(struct agent_httpd_resp *r, int status, const char *text)
{
	r->status = status;
	r->content_type = "text/plain; charset=utf-8";
	r->body = strdup(text);
	r->len = r->body ? strlen(text) : 0;
}

static const struct agent_httpd_route *route(const struct agent_httpd *h,
					     const char *path)
{
	size_t i;

	for (i = 0; i < h->conf.nroutes; i++)
		if (!strcmp(h->conf.routes[i].path, path))
			return &h->conf.routes[i];
	return NULL;
}

/*
 * libmicrohttpd calls this once when the headers are in, then once per
 * piece of body, then once more with no data.  We answer on the last
 * call, so a body (which no route wants) is read and dropped, and the
 * connection can be kept alive.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **state)
{
	static int seen;
	struct agent_httpd *h = cls;
	const struct agent_httpd_route *rt;
	struct agent_httpd_req req = { method, url, c };
	struct agent_httpd_resp resp = { 200, NULL, NULL, 0 };
	const char *allow = NULL;

	(void)version;
	(void)upload;
	if (!*state) {
		*state = &seen;
		return MHD_YES;
	}
	if (*upload_len) {
		*upload_len = 0;
		return MHD_YES;
	}
	if (!(rt = route(h, url))) {
		plain(&resp, 404, "404 page not found\n");
	} else if (strcmp(method, MHD_HTTP_METHOD_GET) &&
		   strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		plain(&resp, 405, "405 method not allowed\n");
		allow = "GET, HEAD";
	} else {
		rt->fn(h->conf.arg, &req, &resp);
	}
	agent_logv(4, "http %s: %s %s -> %d", h->conf.name, method, url,
		   resp.status);
	return queue(c, &resp, allow);
}

const char *agent_httpd_query(const struct agent_httpd_req *req,
			      const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* --- the loop ------------------------------------------------------------- */

/* Run what is ready, then wake again when libmicrohttpd asks to (a
 * connection's timeout, or at once for work it left for the next round). */
static void run(struct agent_httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(h->d);
	ev_timer_stop(h->loop, &h->timer);
	if (MHD_get_timeout(h->d, &ms) == MHD_YES) {
		ev_timer_set(&h->timer, (double)ms / 1e3, 0);
		ev_timer_start(h->loop, &h->timer);
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	run(w->data);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	run(w->data);
}

/* libmicrohttpd's complaints ("connection limit reached", ...): at -v 4,
 * since a client can make them as often as it likes. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct agent_httpd *h = cls;
	char line[512];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	agent_logv(4, "http %s: %s", h->conf.name, line);
}

/* A quarter of the descriptors at most, whatever AGENT_HTTPD_MAX_CONNS
 * says: the agent has two servers, the netlink and API sockets. */
static unsigned int max_conns(void)
{
	struct rlimit rl;
	unsigned int n = AGENT_HTTPD_MAX_CONNS;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < n)
		n = (unsigned int)(rl.rlim_cur / 4);
	return n ? n : 1;
}

static struct MHD_Daemon *daemon_start(struct agent_httpd *h,
				       const struct sockaddr *sa)
{
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (sa->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr))
		flags |= MHD_USE_DUAL_STACK;
	return MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, h,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,   /* first, or ignored */
		MHD_OPTION_SOCK_ADDR, sa,
		MHD_OPTION_CONNECTION_LIMIT, max_conns(),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)AGENT_HTTPD_TIMEOUT,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)AGENT_HTTPD_MEM_LIMIT,
		MHD_OPTION_END);
}

struct agent_httpd *agent_httpd_start(struct ev_loop *loop,
				      const struct sockaddr *sa, socklen_t len,
				      const struct agent_httpd_conf *conf,
				      char *err, size_t errlen)
{
	struct agent_httpd *h = calloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;

	(void)len;
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->loop = loop;
	h->conf = *conf;
	errno = 0;
	if (!(h->d = daemon_start(h, sa))) {
		snprintf(err, errlen, "cannot listen: %s",
			 errno ? strerror(errno) : "libmicrohttpd refused");
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	ev_io_init(&h->io, io_cb, info->epoll_fd, EV_READ);
	ev_timer_init(&h->timer, timer_cb, 0, 0);
	h->io.data = h->timer.data = h;
	ev_io_start(loop, &h->io);
	run(h);
	return h;
}

void agent_httpd_stop(struct agent_httpd *h)
{
	if (!h)
		return;
	ev_io_stop(h->loop, &h->io);
	ev_timer_stop(h->loop, &h->timer);
	MHD_stop_daemon(h->d);
	free(h);
}

uint16_t agent_httpd_port(const struct agent_httpd *h)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);

	return info ? info->port : 0;
}

unsigned int agent_httpd_connections(const struct agent_httpd *h)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return info ? info->num_connections : 0;
}
