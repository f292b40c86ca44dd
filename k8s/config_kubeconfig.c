/*
 * k8s/config_kubeconfig.c - a kubeconfig file, read as client-go's
 * clientcmd reads it: the context (given, or current-context) names a
 * cluster and a user; each is looked up by name in its list.  Relative
 * paths are relative to the kubeconfig's directory.  client-go's
 * validation errors are errors here too: CA file and data both set, a
 * certificate without its key, insecure with a CA.  What kubectl would
 * silently do differently (a missing current-context falls back to
 * in-cluster) is an error here, because a daemon should say what is
 * wrong rather than guess.
 */
#include "config_int.h"
#include "config_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "clusters[18446744073709551615].cluster" and the like, with room. */
#define KC_AT_MAX 64

struct kc {
	struct k8s_yaml y;        /* the document; its error buffer is the caller's */
	char *src;                /* "kubeconfig PATH", for messages */
	char *dir;                /* the kubeconfig's absolute directory */
	struct k8s_config *c;     /* what we fill */
};

static int kc_nomem(struct kc *k)
{
	return k8s_cfg_fail(k->y.err, k->y.errlen, -ENOMEM, "%s: out of memory",
			    k->src);
}

/*
 * The entry named @name of root[@list], a sequence of {name, @inner}:
 * 0 with its index and its @inner mapping, 1 when there is none, or
 * -EINVAL (a malformed entry anywhere in the list, a second entry of
 * that name, or the entry without @inner).
 */
static int kc_find(struct kc *k, const char *list, const char *inner,
		   const char *name, size_t *idx, yaml_node_t **body)
{
	yaml_node_t *seq, *item, *found = NULL;
	char at[KC_AT_MAX];
	const char *iname;
	size_t i, n;
	int r;

	r = k8s_yaml_seq(&k->y, k8s_yaml_root(&k->y), list, "", &seq, &n);
	if (r)
		return r;
	for (i = 0; i < n; i++) {
		item = k8s_yaml_item(&k->y, seq, i);
		snprintf(at, sizeof(at), "%s[%zu]", list, i);
		if (item->type != YAML_MAPPING_NODE)
			return k8s_yaml_fail(&k->y, "%s: expected a mapping, got %s (line %zu)",
					     at, k8s_yaml_type_name(item),
					     item->start_mark.line + 1);
		r = k8s_yaml_str(&k->y, item, "name", at, &iname, NULL);
		if (r < 0)
			return r;
		if (r || strcmp(iname, name))
			continue;
		if (found)
			return k8s_yaml_fail(&k->y, "%s: a second entry named \"%s\" (the first is %s[%zu])",
					     at, name, list, *idx);
		found = item;
		*idx = i;
	}
	if (!found)
		return 1;
	snprintf(at, sizeof(at), "%s[%zu]", list, *idx);
	r = k8s_yaml_map(&k->y, found, inner, at, body);
	if (r == 1)
		return k8s_yaml_fail(&k->y, "%s.%s: not set", at, inner);
	return r;
}

/* at.key, a path that must name a readable file, made absolute. */
static int kc_file(struct kc *k, yaml_node_t *map, const char *at,
		   const char *key, char **out)
{
	const char *s;
	int r;

	r = k8s_yaml_str(&k->y, map, key, at, &s, NULL);
	if (r || !*s)
		return r < 0 ? r : 0;
	*out = k8s_cfg_path_join(k->dir, s);
	if (!*out)
		return kc_nomem(k);
	r = k8s_cfg_readable(*out);
	if (r)
		return k8s_yaml_fail(&k->y, "%s.%s: %s: %s", at, key, *out,
				     k8s_cfg_strerror(r));
	return 0;
}

/* at.key, base64 of PEM bytes, decoded. */
static int kc_data(struct kc *k, yaml_node_t *map, const char *at,
		   const char *key, char **out, size_t *outlen)
{
	size_t len, bad;
	const char *s;
	int r;

	r = k8s_yaml_str(&k->y, map, key, at, &s, &len);
	if (r || !len)
		return r < 0 ? r : 0;
	r = k8s_cfg_base64(s, len, out, outlen, &bad);
	if (r == -ENOMEM)
		return kc_nomem(k);
	if (r && bad == len)
		return k8s_yaml_fail(&k->y, "%s.%s: not valid base64: it ends inside a group of four characters (cut short?)",
				     at, key);
	if (r && s[bad] > 0x20 && s[bad] < 0x7f)
		return k8s_yaml_fail(&k->y, "%s.%s: not valid base64: '%c' at offset %zu",
				     at, key, s[bad], bad);
	if (r)
		return k8s_yaml_fail(&k->y, "%s.%s: not valid base64: byte 0x%02x at offset %zu",
				     at, key, (unsigned char)s[bad], bad);
	if (*outlen)
		return 0;
	free(*out);
	*out = NULL;
	return 0;
}

/* at.key, a string copied (an empty one is absent). */
static int kc_strdup(struct kc *k, yaml_node_t *map, const char *at,
		     const char *key, char **out)
{
	const char *s;
	int r;

	r = k8s_yaml_str(&k->y, map, key, at, &s, NULL);
	if (r || !*s)
		return r < 0 ? r : 0;
	*out = strdup(s);
	return *out ? 0 : kc_nomem(k);
}

/* ---- the cluster ------------------------------------------------------- */

/* client-go's parseProxyURL accepts these schemes; so does libcurl. */
static int kc_proxy_url(struct kc *k, yaml_node_t *cl, const char *at)
{
	static const char *const schemes[] = { "http://", "https://",
					       "socks5://" };
	size_t i;
	int r;

	r = kc_strdup(k, cl, at, "proxy-url", &k->c->proxy_url);
	if (r || !k->c->proxy_url)
		return r;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (!strncmp(k->c->proxy_url, schemes[i], strlen(schemes[i])))
			return 0;
	}
	return k8s_yaml_fail(&k->y, "%s.proxy-url: \"%s\": the scheme must be http, https or socks5",
			     at, k->c->proxy_url);
}

static int kc_cluster(struct kc *k, yaml_node_t *cl, const char *at)
{
	struct k8s_config *c = k->c;
	int r;

	r = kc_file(k, cl, at, "certificate-authority", &c->ca_file);
	if (!r)
		r = kc_data(k, cl, at, "certificate-authority-data",
			    &c->ca_data, &c->ca_data_len);
	if (!r && c->ca_file && c->ca_data)
		return k8s_yaml_fail(&k->y, "%s: certificate-authority and certificate-authority-data are both set; keep one",
				     at);
	if (!r) {
		r = k8s_yaml_bool(&k->y, cl, "insecure-skip-tls-verify", at,
				  &c->insecure);
		r = r == 1 ? 0 : r;
	}
	if (!r && c->insecure && (c->ca_file || c->ca_data))
		return k8s_yaml_fail(&k->y, "%s: insecure-skip-tls-verify is true and a certificate authority is given; keep one",
				     at);
	if (!r)
		r = kc_strdup(k, cl, at, "tls-server-name", &c->tls_server_name);
	if (!r)
		r = kc_proxy_url(k, cl, at);
	return r;
}

/* ---- the user ---------------------------------------------------------- */

/* Credentials we can not produce: refusing beats a silent 401. */
static int kc_unsupported(struct kc *k, yaml_node_t *user, const char *at)
{
	static const struct {
		const char *key;
		const char *what;
	} no[] = {
		{ "exec", "exec credential plugins are not supported" },
		{ "auth-provider", "auth providers are not supported" },
		{ "username", "basic authentication is not supported" },
		{ "password", "basic authentication is not supported" },
		{ "as", "impersonation is not supported" },
		{ "as-uid", "impersonation is not supported" },
		{ "as-groups", "impersonation is not supported" },
		{ "as-user-extra", "impersonation is not supported" },
	};
	yaml_node_t *n;
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		n = k8s_yaml_get(&k->y, user, no[i].key);
		/* An empty list or mapping asks for nothing, as in client-go. */
		if (!n ||
		    (n->type == YAML_SEQUENCE_NODE &&
		     n->data.sequence.items.top == n->data.sequence.items.start) ||
		    (n->type == YAML_MAPPING_NODE &&
		     n->data.mapping.pairs.top == n->data.mapping.pairs.start))
			continue;
		return k8s_yaml_fail(&k->y, "%s.%s: %s; use a token, tokenFile or client certificate (line %zu)",
				     at, no[i].key, no[i].what,
				     n->start_mark.line + 1);
	}
	return 0;
}

/* token and tokenFile, with client-go's precedence: a readable tokenFile
 * wins (and is re-read as it rotates); token is the fallback. */
static int kc_token(struct kc *k, yaml_node_t *user, const char *at)
{
	struct k8s_config *c = k->c;
	char *tok;
	int r;

	r = kc_strdup(k, user, at, "token", &c->token);
	if (r)
		return r;
	if (c->token && k8s_cfg_token_check(c->token, strlen(c->token)))
		return k8s_yaml_fail(&k->y, "%s.token: contains a control character",
				     at);
	r = kc_strdup(k, user, at, "tokenFile", &c->token_file);
	if (r || !c->token_file)
		return r;
	tok = k8s_cfg_path_join(k->dir, c->token_file);
	if (!tok)
		return kc_nomem(k);
	free(c->token_file);
	c->token_file = tok;
	r = k8s_cfg_read_token(c->token_file, &tok);
	if (r == -ENOMEM)
		return kc_nomem(k);
	if (r && !c->token)
		return k8s_yaml_fail(&k->y, "%s.tokenFile: %s: %s", at,
				     c->token_file, k8s_cfg_strerror(r));
	if (!r) {
		free(c->token);
		c->token = tok;
		c->token_read = k8s_cfg_now(c);
	}
	return 0;
}

static int kc_user(struct kc *k, yaml_node_t *user, const char *at)
{
	struct k8s_config *c = k->c;
	int r;

	r = kc_unsupported(k, user, at);
	if (!r)
		r = kc_token(k, user, at);
	if (!r)
		r = kc_file(k, user, at, "client-certificate", &c->cert_file);
	if (!r)
		r = kc_file(k, user, at, "client-key", &c->key_file);
	if (!r)
		r = kc_data(k, user, at, "client-certificate-data",
			    &c->cert_data, &c->cert_data_len);
	if (!r)
		r = kc_data(k, user, at, "client-key-data", &c->key_data,
			    &c->key_data_len);
	if (r)
		return r;
	if (c->cert_file && c->cert_data)
		return k8s_yaml_fail(&k->y, "%s: client-certificate and client-certificate-data are both set; keep one",
				     at);
	if (c->key_file && c->key_data)
		return k8s_yaml_fail(&k->y, "%s: client-key and client-key-data are both set; keep one",
				     at);
	if ((c->cert_file || c->cert_data) && !c->key_file && !c->key_data)
		return k8s_yaml_fail(&k->y, "%s: a client certificate needs client-key or client-key-data",
				     at);
	if ((c->key_file || c->key_data) && !c->cert_file && !c->cert_data)
		return k8s_yaml_fail(&k->y, "%s: a client key needs client-certificate or client-certificate-data",
				     at);
	return 0;
}

/* ---- the context ------------------------------------------------------- */

/* A context's reference (its cluster or its user) to the entry of @list,
 * with the entry's key path in @at. */
static int kc_ref(struct kc *k, const char *ctx_at, const char *what,
		  const char *list, const char *name, yaml_node_t **body,
		  char *at)
{
	size_t idx = 0;
	int r;

	r = kc_find(k, list, what, name, &idx, body);
	if (r == 1)
		return k8s_yaml_fail(&k->y, "%s.%s: no %s named \"%s\" in %s",
				     ctx_at, what, what, name, list);
	snprintf(at, KC_AT_MAX, "%s[%zu].%s", list, idx, what);
	return r;
}

static int kc_server(struct kc *k, yaml_node_t *cl, const char *at)
{
	char why[256];
	const char *s;
	int r;

	r = k8s_yaml_str(&k->y, cl, "server", at, &s, NULL);
	if (r == 1 || (!r && !*s))
		return k8s_yaml_fail(&k->y, "%s.server: not set", at);
	if (r)
		return r;
	r = k8s_cfg_server(s, k8s_cfg_wants_tls(k->c), &k->c->server, why,
			   sizeof(why));
	if (r == -ENOMEM)
		return kc_nomem(k);
	if (r)
		return k8s_yaml_fail(&k->y, "%s.server: %s", at, why);
	return 0;
}

/* The context named @name: its cluster, its user (optional: anonymous
 * when unset) and its namespace. */
static int kc_context(struct kc *k, const char *name, int current)
{
	char at[KC_AT_MAX], cl_at[KC_AT_MAX], user_at[KC_AT_MAX];
	yaml_node_t *ctx, *cl, *user;
	const char *cl_name, *user_name;
	size_t idx = 0;
	int r;

	r = kc_find(k, "contexts", "context", name, &idx, &ctx);
	if (r == 1)
		return k8s_yaml_fail(&k->y, "%scontext \"%s\" not found in contexts",
				     current ? "current-" : "", name);
	if (r)
		return r;
	snprintf(at, sizeof(at), "contexts[%zu].context", idx);
	r = k8s_yaml_str(&k->y, ctx, "cluster", at, &cl_name, NULL);
	if (r == 1 || (!r && !*cl_name))
		return k8s_yaml_fail(&k->y, "%s.cluster: not set", at);
	if (!r)
		r = kc_ref(k, at, "cluster", "clusters", cl_name, &cl, cl_at);
	if (r)
		return r;
	r = k8s_yaml_str(&k->y, ctx, "user", at, &user_name, NULL);
	if (r == 0 && *user_name) {
		r = kc_ref(k, at, "user", "users", user_name, &user, user_at);
		if (!r)
			r = kc_user(k, user, user_at);
	}
	if (r < 0)
		return r;
	r = kc_cluster(k, cl, cl_at);
	if (!r)
		r = kc_strdup(k, ctx, at, "namespace", &k->c->ns);
	/* The server last: its default scheme depends on the TLS material. */
	if (!r)
		r = kc_server(k, cl, cl_at);
	return r;
}

/* ---- the file ---------------------------------------------------------- */

static int kc_parse(struct kc *k, const char *path, const char *context,
		    char *err, size_t errlen)
{
	const char *current = NULL;
	yaml_node_t *root;
	size_t len;
	char *text;
	int r;

	r = k8s_cfg_read_file(path, K8S_CFG_FILE_MAX, &text, &len);
	if (r)
		return k8s_cfg_fail(err, errlen, r, "%s: %s", k->src,
				    k8s_cfg_strerror(r));
	r = k8s_yaml_load(&k->y, k->src, text, len, err, errlen);
	free(text);
	if (r == -ENOMEM)
		return kc_nomem(k);
	if (r)
		return r;
	root = k8s_yaml_root(&k->y);
	if (!root || k8s_yaml_is_null(root))
		return k8s_yaml_fail(&k->y, "the file is empty");
	if (root->type != YAML_MAPPING_NODE)
		return k8s_yaml_fail(&k->y, "expected a mapping at the top, got %s",
				     k8s_yaml_type_name(root));
	if (!context || !*context) {
		r = k8s_yaml_str(&k->y, root, "current-context", "", &current,
				 NULL);
		if (r < 0)
			return r;
		if (r || !*current)
			return k8s_yaml_fail(&k->y, "current-context is not set and no context was given");
	}
	r = kc_context(k, current ? current : context, current != NULL);
	if (r)
		return r;
	if (asprintf(&k->c->source, "%s, context %s", k->src,
		     current ? current : context) < 0) {
		k->c->source = NULL;
		return kc_nomem(k);
	}
	return 0;
}

int k8s_config_kubeconfig(struct k8s_config *c, const char *path,
			  const char *context, char *err, size_t errlen)
{
	struct kc k;
	int r;

	k8s_config_fini(c);
	memset(&k, 0, sizeof(k));
	k.c = c;
	if (asprintf(&k.src, "kubeconfig %s", path) < 0)
		return k8s_cfg_fail(err, errlen, -ENOMEM, "out of memory");
	k.dir = k8s_cfg_dir_of(path);
	if (!k.dir)
		r = k8s_cfg_fail(err, errlen, -errno, "%s: %s", k.src,
				 strerror(errno));
	else
		r = kc_parse(&k, path, context, err, errlen);
	k8s_yaml_fini(&k.y);
	free(k.dir);
	free(k.src);
	if (r)
		k8s_config_fini(c);
	return r;
}
