/*
 * k8s/config_incluster.c - the pod's own service account, as client-go's
 * rest.InClusterConfig() finds it: the API server's Service address from
 * the environment the kubelet sets, the projected token (it rotates:
 * k8s_config_token() re-reads it), and the cluster CA.
 */
#include "config_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* https://HOST:PORT, with an IPv6 HOST in brackets (net.JoinHostPort). */
static int incluster_server(const char *host, const char *port, char **out)
{
	int v6 = strchr(host, ':') && host[0] != '[';

	if (asprintf(out, "https://%s%s%s:%s", v6 ? "[" : "", host,
		     v6 ? "]" : "", port) < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The optional files: ca.crt (else the system trust store verifies, as
 * in client-go) and namespace. */
static int incluster_optional(struct k8s_config *c, const char *dir)
{
	char *path, *ns;
	int r;

	if (asprintf(&path, "%s/ca.crt", dir) < 0)
		return -ENOMEM;
	if (k8s_cfg_readable(path) == 0)
		c->ca_file = path;
	else
		free(path);
	if (asprintf(&path, "%s/namespace", dir) < 0)
		return -ENOMEM;
	r = k8s_cfg_read_token(path, &ns);
	free(path);
	if (r == -ENOMEM)
		return r;
	if (r == 0)
		c->ns = ns;
	return 0;
}

int k8s_config_in_cluster(struct k8s_config *c, char *err, size_t errlen)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = c->sa_dir ? c->sa_dir : K8S_CONFIG_SA_DIR;
	int r;

	k8s_config_fini(c);
	if (!host || !*host || !port || !*port)
		return k8s_cfg_fail(err, errlen, -ENOENT,
				    "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (not in a pod? give --kubeconfig)");
	r = incluster_server(host, port, &c->server);
	if (r)
		goto nomem;
	if (asprintf(&c->token_file, "%s/token", dir) < 0) {
		c->token_file = NULL;
		goto nomem;
	}
	r = k8s_cfg_read_token(c->token_file, &c->token);
	if (r == -ENOMEM)
		goto nomem;
	if (r) {
		k8s_cfg_fail(err, errlen, r, "in-cluster: %s: %s",
			     c->token_file, k8s_cfg_strerror(r));
		goto bad;
	}
	c->token_read = k8s_cfg_now(c);
	r = incluster_optional(c, dir);
	if (r)
		goto nomem;
	c->source = strdup("in-cluster");
	if (!c->source)
		goto nomem;
	return 0;
nomem:
	r = k8s_cfg_fail(err, errlen, -ENOMEM, "in-cluster: out of memory");
bad:
	k8s_config_fini(c);
	return r;
}
