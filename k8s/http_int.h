/*
 * k8s/http_int.h - what k8s/http*.c share (private): the client and the
 * request as they really are.
 *
 * http.c drives curl from the loop (sockets, the timer, finished
 * transfers, cancellation); http_req.c makes one transfer (the options,
 * the headers, the body and header callbacks, the result); http_url.c
 * turns the configured server into the URL prefix every request uses.
 */
#ifndef K8S_HTTP_INT_H
#define K8S_HTTP_INT_H

#include <curl/curl.h>
#include <ev.h>

#include "http.h"

/* A non-2xx body is kept up to this many bytes for done(): enough for a
 * Status object or a proxy's error page, bounded whatever comes. */
#define K8S_HTTP_BODY_KEEP 4096
/* Connecting (TCP and TLS) gives up after this long; client-go's dialer
 * and TLS handshake timeouts are 30 s and 10 s. */
#define K8S_HTTP_CONNECT_TIMEOUT_MS 10000L
/* TCP keep-alive: first probe after this much idle time, then one every
 * so often (Go's default for client-go is 30 s).  A watch on a dead peer
 * is found after idle + 9 probes (the kernel default count): ~5 min. */
#define K8S_HTTP_KEEPALIVE_S 30L

/* One socket curl asked us to watch. */
struct k8s_http_sock {
	ev_io io;                       /* readable/writable, as curl wants */
	struct k8s_http *h;
	struct k8s_http_sock *prev, *next; /* h->socks: freed at the end even
					      if curl never says REMOVE */
};

enum k8s_http_req_state {
	K8S_HTTP_REQ_QUEUED,    /* started inside a curl callback: added
				   to the multi handle after it returns */
	K8S_HTTP_REQ_RUNNING,   /* in the multi handle */
	K8S_HTTP_REQ_CANCELLED, /* cancelled inside a curl callback: removed
				   after it returns, done() never called */
	K8S_HTTP_REQ_DONE,      /* done() running: cancel is a no-op */
};

struct k8s_http_req {
	struct k8s_http *h;
	struct k8s_http_req *prev, *next;  /* h->reqs: every live request */
	struct k8s_http_req *pending;      /* h->pending: queued or cancelled
					      inside curl, handled after */
	CURL *easy;
	struct curl_slist *headers;        /* Accept, Authorization, Host */
	struct k8s_http_cb cb;
	enum k8s_http_req_state state;
	int in_multi;           /* curl_multi_add_handle succeeded */
	int aborted;            /* data() asked to stop */
	int status;             /* response code seen at the first body byte;
				   0 before (reset by every status line) */
	double retry_after;     /* from Retry-After, -1 if none */
	size_t body_len;        /* bytes kept in body[] */
	char errbuf[CURL_ERROR_SIZE]; /* curl's detailed message */
	char body[K8S_HTTP_BODY_KEEP + 1]; /* non-2xx body head, NUL-ended;
					      4 KiB per request in flight,
					      and only a handful are */
};

struct k8s_http {
	struct ev_loop *loop;
	struct k8s_config *cfg;          /* tokens are re-read through it */
	CURLM *multi;
	CURL *tmpl;                      /* every request starts as its copy
					    (curl_easy_duphandle): the TLS and
					    proxy options are set once */
	ev_timer timer;                  /* curl's one timeout */
	char *base;                      /* URL prefix; the path is appended */
	struct curl_slist *connect_to;   /* tls_server_name: where to connect */
	char *host_header;               /* "Host: server's host" then, else
					    NULL */
	struct k8s_http_req *reqs;       /* every live request */
	struct k8s_http_req *pending;    /* to add or remove once curl returns */
	struct k8s_http_sock *socks;     /* every watched socket */
	int in_curl;     /* inside curl_multi_socket_action: curl forbids
			    adding and removing handles from its callbacks */
	int busy;        /* inside one of our loop callbacks: a free() asked
			    for there waits until it returns */
	int dying;       /* k8s_http_free() was called while busy */
	struct k8s_http_stats stats;
};

/* http_url.c: h->base, h->connect_to and h->host_header from h->cfg. */
int k8s_http_url_init(struct k8s_http *h, char *err, size_t errlen);
void k8s_http_url_fini(struct k8s_http *h);

/* http_req.c */
/* The template easy handle with every per-client option.  0, or -1 with
 * @err set. */
int k8s_http_tmpl_init(struct k8s_http *h, char *err, size_t errlen);
/* A request for GET @path, not yet added to the multi handle; NULL when
 * out of memory or curl refused an option. */
struct k8s_http_req *k8s_http_req_new(struct k8s_http *h, const char *path,
				      long timeout_ms,
				      const struct k8s_http_cb *cb);
/* How @r ended with @code; the strings point into @r. */
void k8s_http_req_result(struct k8s_http_req *r, CURLcode code,
			 struct k8s_http_result *res);
/* Frees @r's curl handle and headers and @r; it must be out of the multi
 * handle and of h's lists. */
void k8s_http_req_free(struct k8s_http_req *r);
/* Retry-After's value (delta-seconds or HTTP-date) in seconds, -1 when it
 * is neither.  Not NUL-terminated: @len bytes. */
double k8s_http_parse_retry_after(const char *v, size_t len);

#endif
