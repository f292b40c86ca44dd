/*
 * k8s/http_url.c - the configured server as the URL prefix of every
 * request, and what tls_server_name needs.
 *
 * client-go's tls-server-name changes only the name TLS sends (SNI) and
 * verifies the certificate against; the TCP connection and the Host
 * header still go to the server's host.  libcurl 7.88 has no option for
 * the TLS name alone: it takes it from the URL.  So the URL's host becomes
 * tls_server_name, CURLOPT_CONNECT_TO sends the connection to the real
 * host and port (it changes only where curl connects, never the TLS name),
 * and an explicit Host header restores what the server would have seen.
 * Caveat: with a proxy from the environment, NO_PROXY is matched against
 * tls_server_name, not the real host.
 */
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* @part of @u as a malloc'd string (curl's copy freed), or NULL. */
static char *k8s_http_url_part(CURLU *u, CURLUPart part, unsigned int flags)
{
	char *v = NULL, *copy;

	if (curl_url_get(u, part, &v, flags) != CURLUE_OK)
		return NULL;
	copy = strdup(v);
	curl_free(v);
	return copy;
}

/* The URL of @u without the trailing slash curl adds to an empty path. */
static char *k8s_http_url_prefix(CURLU *u)
{
	char *s = k8s_http_url_part(u, CURLUPART_URL, 0);
	size_t n = s ? strlen(s) : 0;

	while (n && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* An IPv6 literal goes into a URL host (and CONNECT_TO) in brackets. */
static char *k8s_http_url_host(const char *name)
{
	char *s;

	if (!strchr(name, ':') || name[0] == '[')
		return strdup(name);
	if (asprintf(&s, "[%s]", name) < 0)
		return NULL;
	return s;
}

/* Host header, connection redirection and the new prefix for @u, whose
 * host is @host (as in the URL), port @port, explicit port or NULL. */
static int k8s_http_url_sni(struct k8s_http *h, CURLU *u, const char *host,
			    const char *port, const char *explicit_port,
			    char *err, size_t errlen)
{
	char *name = k8s_http_url_host(h->cfg->tls_server_name);
	char *ct = NULL;

	if (!name)
		goto nomem;
	if (curl_url_set(u, CURLUPART_HOST, name, 0) != CURLUE_OK) {
		snprintf(err, errlen, "tls-server-name \"%s\": not a host name",
			 h->cfg->tls_server_name);
		free(name);
		return -1;
	}
	if (asprintf(&ct, "%s:%s:%s:%s", name, port, host, port) < 0)
		ct = NULL;
	h->connect_to = ct ? curl_slist_append(NULL, ct) : NULL;
	if (asprintf(&h->host_header, "Host: %s%s%s", host,
		     explicit_port ? ":" : "",
		     explicit_port ? explicit_port : "") < 0)
		h->host_header = NULL;
	h->base = k8s_http_url_prefix(u);
	free(name);
	free(ct);
	if (h->connect_to && h->host_header && h->base)
		return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* The case with tls_server_name: parse, then rewrite the host if https. */
static int k8s_http_url_parse(struct k8s_http *h, CURLU *u, char *err,
			      size_t errlen)
{
	char *scheme, *host, *port, *explicit_port;
	int r = -1;

	if (curl_url_set(u, CURLUPART_URL, h->cfg->server, 0) != CURLUE_OK) {
		snprintf(err, errlen, "server %s: not a URL", h->cfg->server);
		return -1;
	}
	scheme = k8s_http_url_part(u, CURLUPART_SCHEME, 0);
	if (scheme && strcmp(scheme, "https")) {
		/* A TLS name means nothing over plain HTTP. */
		free(scheme);
		h->base = strdup(h->cfg->server);
		if (!h->base)
			snprintf(err, errlen, "out of memory");
		return h->base ? 0 : -1;
	}
	host = k8s_http_url_part(u, CURLUPART_HOST, 0);
	port = k8s_http_url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
	/* NULL when the URL names no port: the Host header names none. */
	explicit_port = k8s_http_url_part(u, CURLUPART_PORT, 0);
	if (scheme && host && port)
		r = k8s_http_url_sni(h, u, host, port, explicit_port, err,
				     errlen);
	else
		snprintf(err, errlen, "out of memory");
	free(scheme);
	free(host);
	free(port);
	free(explicit_port);
	return r;
}

int k8s_http_url_init(struct k8s_http *h, char *err, size_t errlen)
{
	CURLU *u;
	int r;

	if (!h->cfg->server || !h->cfg->server[0]) {
		snprintf(err, errlen, "no API server configured");
		return -1;
	}
	if (!h->cfg->tls_server_name || !h->cfg->tls_server_name[0]) {
		h->base = strdup(h->cfg->server);
		if (!h->base)
			snprintf(err, errlen, "out of memory");
		return h->base ? 0 : -1;
	}
	u = curl_url();
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r = k8s_http_url_parse(h, u, err, errlen);
	curl_url_cleanup(u);
	return r;
}

void k8s_http_url_fini(struct k8s_http *h)
{
	free(h->base);
	curl_slist_free_all(h->connect_to);
	free(h->host_header);
	h->base = h->host_header = NULL;
	h->connect_to = NULL;
}
