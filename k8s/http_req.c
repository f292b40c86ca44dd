/*
 * k8s/http_req.c - one GET: its curl handle, its headers, the body and
 * header callbacks, and the result done() sees.
 *
 * Every per-client option (TLS, proxy, timeouts, keep-alive, user agent)
 * is set once on a template handle; a request is curl_easy_duphandle() of
 * it (a few KiB copied: the options' strings and PEM blobs) plus its URL,
 * its headers and its callbacks.
 */
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Older headers call it 0, which means the same to curl when len > 0. */
#ifndef CURL_WRITEFUNC_ERROR
#define CURL_WRITEFUNC_ERROR 0
#endif

/* Setting options stops at the first failure and remembers which. */
struct k8s_http_opts {
	CURL *e;
	CURLcode rc;
	const char *what;     /* the option that failed */
};

#define K8S_HTTP_SETOPT(o, opt, val)                                   \
	do {                                                           \
		if ((o)->rc == CURLE_OK) {                             \
			(o)->rc = curl_easy_setopt((o)->e, opt, val);  \
			if ((o)->rc != CURLE_OK)                       \
				(o)->what = #opt;                      \
		}                                                      \
	} while (0)

/* ---- the template ------------------------------------------------------ */

/* Verification: only the configured CA when there is one.  Debian's curl
 * also trusts a default CA file and directory; both are switched off then,
 * or any public CA could vouch for the API server (client-go trusts only
 * the given CA too).  Without a CA: the system store, as client-go. */
static void k8s_http_tmpl_ca(struct k8s_http_opts *o, struct k8s_config *c)
{
	struct curl_blob ca = { c->ca_data, c->ca_data_len, CURL_BLOB_COPY };

	if (c->insecure) {
		K8S_HTTP_SETOPT(o, CURLOPT_SSL_VERIFYPEER, 0L);
		K8S_HTTP_SETOPT(o, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (c->ca_file) {
		K8S_HTTP_SETOPT(o, CURLOPT_CAINFO, c->ca_file);
		K8S_HTTP_SETOPT(o, CURLOPT_CAPATH, NULL);
	} else if (c->ca_data) {
		K8S_HTTP_SETOPT(o, CURLOPT_CAINFO_BLOB, &ca);
		K8S_HTTP_SETOPT(o, CURLOPT_CAINFO, NULL);
		K8S_HTTP_SETOPT(o, CURLOPT_CAPATH, NULL);
	}
}

/* The client certificate and key, from files or PEM blobs. */
static void k8s_http_tmpl_cert(struct k8s_http_opts *o, struct k8s_config *c)
{
	struct curl_blob cert = { c->cert_data, c->cert_data_len,
				  CURL_BLOB_COPY };
	struct curl_blob key = { c->key_data, c->key_data_len,
				 CURL_BLOB_COPY };

	if (c->cert_file)
		K8S_HTTP_SETOPT(o, CURLOPT_SSLCERT, c->cert_file);
	else if (c->cert_data)
		K8S_HTTP_SETOPT(o, CURLOPT_SSLCERT_BLOB, &cert);
	if (c->cert_file || c->cert_data)
		K8S_HTTP_SETOPT(o, CURLOPT_SSLCERTTYPE, "PEM");
	if (c->key_file)
		K8S_HTTP_SETOPT(o, CURLOPT_SSLKEY, c->key_file);
	else if (c->key_data)
		K8S_HTTP_SETOPT(o, CURLOPT_SSLKEY_BLOB, &key);
	if (c->key_file || c->key_data)
		K8S_HTTP_SETOPT(o, CURLOPT_SSLKEYTYPE, "PEM");
}

/*
 * proxy-url when configured.  Otherwise curl's default stays: it honours
 * https_proxy/HTTPS_PROXY, http_proxy and NO_PROXY from the environment,
 * which is what kube-proxy does (client-go falls back to Go's
 * ProxyFromEnvironment), so a node that needs a proxy keeps working.
 * client-go's socks5:// lets the proxy resolve names; curl calls that
 * socks5h://.
 */
static void k8s_http_tmpl_proxy(struct k8s_http_opts *o, struct k8s_config *c)
{
	char *url = NULL;

	if (!c->proxy_url)
		return;
	if (!strncasecmp(c->proxy_url, "socks5://", 9) &&
	    asprintf(&url, "socks5h://%s", c->proxy_url + 9) < 0) {
		o->rc = CURLE_OUT_OF_MEMORY;
		o->what = "CURLOPT_PROXY";
		return;
	}
	K8S_HTTP_SETOPT(o, CURLOPT_PROXY, url ? url : c->proxy_url);
	free(url);
}

static size_t k8s_http_write_cb(char *buf, size_t size, size_t n, void *arg);
static size_t k8s_http_header_cb(char *buf, size_t size, size_t n, void *arg);

/* What every request shares, TLS aside. */
static void k8s_http_tmpl_common(struct k8s_http_opts *o, struct k8s_http *h)
{
	K8S_HTTP_SETOPT(o, CURLOPT_NOSIGNAL, 1L);
	/* The server URL comes from a file: no file://, no ldap://. */
	K8S_HTTP_SETOPT(o, CURLOPT_PROTOCOLS_STR, "http,https");
	K8S_HTTP_SETOPT(o, CURLOPT_USERAGENT, h->cfg->user_agent ?
			h->cfg->user_agent : "ipvsagent");
	/* "": every encoding curl can decode (gzip among them); list pages
	 * shrink about 10x.  data() sees decoded bytes. */
	K8S_HTTP_SETOPT(o, CURLOPT_ACCEPT_ENCODING, "");
	K8S_HTTP_SETOPT(o, CURLOPT_CONNECTTIMEOUT_MS,
			K8S_HTTP_CONNECT_TIMEOUT_MS);
	K8S_HTTP_SETOPT(o, CURLOPT_TCP_KEEPALIVE, 1L);
	K8S_HTTP_SETOPT(o, CURLOPT_TCP_KEEPIDLE, K8S_HTTP_KEEPALIVE_S);
	K8S_HTTP_SETOPT(o, CURLOPT_TCP_KEEPINTVL, K8S_HTTP_KEEPALIVE_S);
	/* No CURLOPT_PIPEWAIT: over HTTP/1.1, curl 7.88 parks the waiting
	 * transfers until some transfer ends, and watches do not end for
	 * minutes.  Requests started together may each open a connection;
	 * once an HTTP/2 connection is up, later ones share it. */
	K8S_HTTP_SETOPT(o, CURLOPT_WRITEFUNCTION, k8s_http_write_cb);
	K8S_HTTP_SETOPT(o, CURLOPT_HEADERFUNCTION, k8s_http_header_cb);
	if (h->connect_to)
		K8S_HTTP_SETOPT(o, CURLOPT_CONNECT_TO, h->connect_to);
}

int k8s_http_tmpl_init(struct k8s_http *h, char *err, size_t errlen)
{
	struct k8s_http_opts o = { curl_easy_init(), CURLE_OK, NULL };

	h->tmpl = o.e;
	if (!o.e) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
	k8s_http_tmpl_common(&o, h);
	k8s_http_tmpl_ca(&o, h->cfg);
	k8s_http_tmpl_cert(&o, h->cfg);
	k8s_http_tmpl_proxy(&o, h->cfg);
	if (o.rc == CURLE_OK)
		return 0;
	snprintf(err, errlen, "libcurl refused %s: %s", o.what,
		 curl_easy_strerror(o.rc));
	return -1;
}

/* ---- one request ------------------------------------------------------- */

/* Accept, Authorization (the token re-read when due), Host. */
static int k8s_http_req_headers(struct k8s_http_req *r)
{
	struct k8s_http *h = r->h;
	const char *tok = NULL;
	char *auth = NULL;
	struct curl_slist *l;

	/* A failed re-read still gives the last good token: carry on. */
	if (k8s_config_token(h->cfg, 0, &tok))
		h->stats.token_errors++;
	l = r->headers = curl_slist_append(NULL, "Accept: application/json");
	if (l && tok && asprintf(&auth, "Authorization: Bearer %s", tok) < 0)
		return -1;
	if (l && auth)
		l = curl_slist_append(l, auth);
	free(auth);
	if (l && h->host_header)
		l = curl_slist_append(l, h->host_header);
	return l ? 0 : -1;
}

static int k8s_http_req_opts(struct k8s_http_req *r, const char *path,
			     long timeout_ms)
{
	struct k8s_http_opts o = { r->easy, CURLE_OK, NULL };
	char *url;

	if (asprintf(&url, "%s%s", r->h->base, path) < 0)
		return -1;
	K8S_HTTP_SETOPT(&o, CURLOPT_URL, url);
	free(url);
	K8S_HTTP_SETOPT(&o, CURLOPT_PRIVATE, r);
	K8S_HTTP_SETOPT(&o, CURLOPT_ERRORBUFFER, r->errbuf);
	K8S_HTTP_SETOPT(&o, CURLOPT_WRITEDATA, r);
	K8S_HTTP_SETOPT(&o, CURLOPT_HEADERDATA, r);
	K8S_HTTP_SETOPT(&o, CURLOPT_HTTPHEADER, r->headers);
	if (timeout_ms > 0)
		K8S_HTTP_SETOPT(&o, CURLOPT_TIMEOUT_MS, timeout_ms);
	return o.rc == CURLE_OK ? 0 : -1;
}

struct k8s_http_req *k8s_http_req_new(struct k8s_http *h, const char *path,
				      long timeout_ms,
				      const struct k8s_http_cb *cb)
{
	struct k8s_http_req *r;

	if (!path || path[0] != '/')
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->h = h;
	if (cb)
		r->cb = *cb;
	r->retry_after = -1;
	r->easy = curl_easy_duphandle(h->tmpl);
	if (!r->easy || k8s_http_req_headers(r) ||
	    k8s_http_req_opts(r, path, timeout_ms)) {
		k8s_http_req_free(r);
		return NULL;
	}
	return r;
}

void k8s_http_req_free(struct k8s_http_req *r)
{
	if (!r)
		return;
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->headers);
	free(r);
}

/* ---- callbacks (inside curl: no adding or removing handles here) -------- */

/* Keep the head of a non-2xx body for done(); the rest is read and
 * dropped, so the connection stays reusable. */
static void k8s_http_keep_body(struct k8s_http_req *r, const char *buf,
			       size_t len)
{
	size_t room = K8S_HTTP_BODY_KEEP - r->body_len;

	if (len > room)
		len = room;
	memcpy(r->body + r->body_len, buf, len);
	r->body_len += len;
	r->body[r->body_len] = '\0';
}

static size_t k8s_http_write_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct k8s_http_req *r = arg;
	size_t len = size * n;
	long code = 0;

	if (r->state == K8S_HTTP_REQ_CANCELLED || r->aborted)
		return CURL_WRITEFUNC_ERROR;
	if (!r->status) {
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
		r->status = (int)code;
	}
	if (r->status / 100 != 2) {
		k8s_http_keep_body(r, buf, len);
		return len;
	}
	if (!len || !r->cb.data)
		return len;
	if (r->cb.data(r->cb.arg, buf, len)) {
		r->aborted = 1;
		return CURL_WRITEFUNC_ERROR;
	}
	/* data() may have cancelled this very request: stop it now. */
	return r->state == K8S_HTTP_REQ_CANCELLED ? CURL_WRITEFUNC_ERROR : len;
}

/* Every header line of every response, status lines included (1xx, a
 * proxy's answer to CONNECT): a new status line forgets the last one's. */
static size_t k8s_http_header_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct k8s_http_req *r = arg;
	size_t len = size * n;
	static const char ra[] = "Retry-After:";

	if (r->state == K8S_HTTP_REQ_CANCELLED)
		return 0;
	if (len >= 5 && !strncasecmp(buf, "HTTP/", 5)) {
		r->status = 0;
		r->retry_after = -1;
		r->body_len = 0;
		r->body[0] = '\0';
	} else if (len > sizeof(ra) - 1 &&
		   !strncasecmp(buf, ra, sizeof(ra) - 1)) {
		r->retry_after = k8s_http_parse_retry_after(
			buf + sizeof(ra) - 1, len - (sizeof(ra) - 1));
	}
	return len;
}

double k8s_http_parse_retry_after(const char *v, size_t len)
{
	char s[64];
	size_t i, digits = 0;
	time_t t;

	while (len && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len && strchr(" \t\r\n", v[len - 1]))
		len--;
	if (!len || len >= sizeof(s))
		return -1;
	memcpy(s, v, len);
	s[len] = '\0';
	for (i = 0; i < len; i++)
		digits += s[i] >= '0' && s[i] <= '9';
	if (digits == len)
		return strtod(s, NULL);
	/* An HTTP-date: how long until then (0 if past). */
	t = curl_getdate(s, NULL);
	if (t == -1)
		return -1;
	return t > time(NULL) ? difftime(t, time(NULL)) : 0;
}

/* ---- the end ----------------------------------------------------------- */

void k8s_http_req_result(struct k8s_http_req *r, CURLcode code,
			 struct k8s_http_result *res)
{
	long status = 0;
	curl_off_t wire = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(r->easy, CURLINFO_SIZE_DOWNLOAD_T, &wire);
	memset(res, 0, sizeof(*res));
	res->status = (int)status;
	res->curl_code = code;
	res->retry_after = r->retry_after;
	res->wire_len = wire > 0 ? (unsigned long long)wire : 0;
	res->body = "";
	if (status / 100 != 2) {
		res->body = r->body;
		res->body_len = r->body_len;
	}
	res->error = "";
	if (r->aborted)
		res->error = "aborted by the data callback";
	else if (code != CURLE_OK)
		res->error = r->errbuf[0] ? r->errbuf
					  : curl_easy_strerror(code);
}
