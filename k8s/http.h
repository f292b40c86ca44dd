/*
 * k8s/http.h - GET requests to the API server over libcurl's multi
 * interface, driven by a libev loop: no blocking call, no thread.
 *
 * How it is driven: curl tells us which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION) and when to wake (CURLMOPT_TIMERFUNCTION);
 * an ev_io per socket and one ev_timer call curl_multi_socket_action(),
 * then finished transfers are collected with curl_multi_info_read().
 * Body bytes reach the caller as curl hands them over, so a watch stream
 * is consumed while it lasts and a list page is never copied twice.
 *
 * One struct k8s_http per API server.  All requests share curl's
 * connection cache, so HTTP/1.1 keep-alive (and HTTP/2 where the server
 * offers it over TLS) spare a TLS handshake per request.
 *
 * What the layer does for every request:
 *  - TLS as the k8s_config says (CA file or PEM blob, client certificate
 *    and key as files or blobs, tls_server_name, insecure), proxy_url;
 *  - "Authorization: Bearer TOKEN" from k8s_config_token() (re-read when
 *    older than a minute); after a 401 the token is re-read at once
 *    (force), so the caller's retry carries the new one;
 *  - Accept: application/json, Accept-Encoding gzip (list pages shrink
 *    about 10x), User-Agent "ipvsagent/VERSION";
 *  - a connect timeout, TCP keep-alive, and for non-watch requests a
 *    total timeout, so a server that never answers ends in an error.
 *
 * Not thread-safe: the loop's thread owns it.
 */
#ifndef K8S_HTTP_H
#define K8S_HTTP_H

#include <ev.h>
#include <stddef.h>

#include "config.h"

struct k8s_http;
struct k8s_http_req;

/* How a request ended. */
struct k8s_http_result {
	int status;           /* HTTP status, 0 when no response came */
	int curl_code;        /* CURLcode; 0 (CURLE_OK) when the body completed */
	const char *error;    /* readable reason when curl_code != 0 or a data
				 callback aborted; else "" */
	double retry_after;   /* Retry-After in seconds (delta form), -1 if
				 none; an HTTP-date gives the seconds until
				 then */
	const char *body;     /* first bytes of a non-2xx body (for the log),
				 NUL-terminated, up to 4 KiB; "" otherwise */
	size_t body_len;
	unsigned long long wire_len; /* body bytes as received, before gzip
					decoding (CURLINFO_SIZE_DOWNLOAD_T) */
};

struct k8s_http_cb {
	/*
	 * Body bytes of a 2xx response, in order, as they arrive (@len > 0).
	 * Return 0 to go on, non-zero to abort the transfer (done() then
	 * reports curl_code CURLE_WRITE_ERROR).  Non-2xx bodies are not passed
	 * here: they are kept (first 4 KiB) for done().  May be NULL.
	 */
	int (*data)(void *arg, const char *buf, size_t len);
	/*
	 * Called exactly once per request unless it was cancelled, from the
	 * loop (never from inside k8s_http_get).  The request is freed right
	 * after; the callback may start new requests and cancel others.
	 */
	void (*done)(void *arg, const struct k8s_http_result *r);
	void *arg;
};

/*
 * A client for @cfg's server (@cfg must outlive it: tokens are re-read
 * through it).  NULL on failure with @err set (curl could not be set up,
 * out of memory).
 */
struct k8s_http *k8s_http_new(struct ev_loop *loop, struct k8s_config *cfg,
			      char *err, size_t errlen);
/* Cancels every request (no done() calls) and frees; NULL is fine.
 * Safe from inside a callback too: the memory goes when it returns. */
void k8s_http_free(struct k8s_http *h);

/*
 * Start GET @path (beginning with '/', query included, already escaped)
 * on the configured server.  @timeout_ms bounds the whole transfer (0: no
 * bound, for watches, which the server ends itself after timeoutSeconds).
 * Returns the request, or NULL when it could not even be started (out of
 * memory, or curl refused it), in which case done() is not called.
 */
struct k8s_http_req *k8s_http_get(struct k8s_http *h, const char *path,
				  long timeout_ms,
				  const struct k8s_http_cb *cb);

/* Abort @r; its done() is not called.  NULL is fine.  Safe from inside
 * any callback, including @r's own data(). */
void k8s_http_cancel(struct k8s_http_req *r);

/* Requests started and failed (curl error or non-2xx), for metrics. */
struct k8s_http_stats {
	unsigned long requests;
	unsigned long failures;
	unsigned long status_401;
	unsigned long token_errors; /* token file re-reads that failed (the
				       last good token was sent instead) */
};
const struct k8s_http_stats *k8s_http_stats(const struct k8s_http *h);

#endif
