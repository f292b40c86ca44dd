/*
 * k8s/config.h - where the API server is and how to prove who we are:
 * in-cluster (the pod's service account) or a kubeconfig file, chosen the
 * way kube-proxy chooses.
 *
 * What this module promises:
 *  - TLS is verified unless the configuration says insecure-skip-tls-verify:
 *    against ca_file or ca_data when given, else the system trust store.
 *  - Every *-data field of a kubeconfig is base64-decoded here; the HTTP
 *    layer hands the PEM bytes to libcurl as blobs (CURLOPT_CAINFO_BLOB,
 *    CURLOPT_SSLCERT_BLOB, CURLOPT_SSLKEY_BLOB).
 *  - Relative paths of a kubeconfig are resolved against the kubeconfig's
 *    directory, as client-go does; the paths stored here are absolute, so
 *    a later chdir() changes nothing.
 *  - Files the configuration names are checked for readability at load
 *    time, so a typo is reported at start, not at the first request.
 *  - Errors name the source and the key: "kubeconfig /x:
 *    users[0].user.client-key: /x/key.pem: No such file or directory".
 *  - Unsupported authentication (exec plugins, auth-provider, basic auth,
 *    impersonation) is an error naming it, never silently ignored.
 *
 * Nothing here does network I/O.  Not thread-safe: one loop owns it.
 */
#ifndef K8S_CONFIG_H
#define K8S_CONFIG_H

#include <stddef.h>
#include <time.h>

/* Where the kubelet mounts a pod's service account. */
#define K8S_CONFIG_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"
/* Re-read a token file at least this often: bound tokens rotate. */
#define K8S_CONFIG_TOKEN_MAX_AGE 60

/*
 * Start from a zeroed struct.  The loaders fill the first group (all
 * strings malloc'd, NUL-terminated, NULL when absent) and leave the hooks
 * of the last group as the caller set them.
 */
struct k8s_config {
	char *server;          /* scheme://host[:port][/path], no trailing slash */
	char *tls_server_name; /* name to verify the certificate against (SNI), or NULL */
	char *ca_file;         /* PEM file to verify the server, or NULL */
	char *ca_data;         /* PEM bytes (from certificate-authority-data), or NULL */
	size_t ca_data_len;
	char *cert_file;       /* client certificate PEM file, or NULL */
	char *key_file;        /* its private key PEM file, or NULL */
	char *cert_data;       /* client certificate PEM bytes, or NULL */
	char *key_data;        /* its private key PEM bytes, or NULL */
	size_t cert_data_len;
	size_t key_data_len;
	char *token;           /* bearer token now in use, or NULL */
	char *token_file;      /* re-read it (k8s_config_token): tokens rotate */
	int insecure;          /* insecure-skip-tls-verify: true */
	char *proxy_url;       /* cluster.proxy-url, or NULL: no proxy */
	char *ns;              /* the context's namespace (in-cluster: the pod's), or NULL */
	char *source;          /* for logs: "in-cluster", "kubeconfig PATH, context NAME",
				  "--master", "..., server from --master" */

	time_t token_read;     /* k8s_config_token's clock when token_file was last read */

	/* Hooks; zero means the default. */
	const char *sa_dir;           /* NULL: K8S_CONFIG_SA_DIR */
	unsigned int token_max_age;   /* seconds; 0: K8S_CONFIG_TOKEN_MAX_AGE */
	time_t (*now)(void);          /* monotonic seconds; NULL: CLOCK_MONOTONIC */
	const char *user_agent;       /* for HTTP requests; NULL: "ipvsagent" */
};

/*
 * The pod's service account: server https://$KUBERNETES_SERVICE_HOST:
 * $KUBERNETES_SERVICE_PORT (an IPv6 host goes in brackets), the token file
 * (read now; required, as in client-go), ca.crt when present (else the
 * system trust store, as client-go) and the namespace file when present.
 * Returns 0, -ENOENT (not in a pod: a variable unset or empty, or no
 * token file - client-go's "in-cluster possible" test), another -errno,
 * -ENODATA or -EILSEQ (the token unreadable, empty, or holding a control
 * character) or -ENOMEM; @err says why.  @c is zeroed or loaded before
 * (what it held is freed); on failure its outputs are empty.
 */
int k8s_config_in_cluster(struct k8s_config *c, char *err, size_t errlen);

/*
 * The kubeconfig at @path, context @context (NULL: its current-context).
 * Returns 0, -EINVAL (the file is not YAML, a name does not resolve, a
 * field is wrong or unsupported, a file it names is unreadable: @err says
 * which, with the line for YAML errors), -errno (@path unreadable) or
 * -ENOMEM.  @c as for k8s_config_in_cluster().
 */
int k8s_config_kubeconfig(struct k8s_config *c, const char *path,
			  const char *context, char *err, size_t errlen);

/*
 * kube-proxy's precedence: the @kubeconfig file when given; else, when
 * @master is given too, in-cluster credentials if this is a pod, or no
 * credentials at all if not (what kube-proxy's --master alone means
 * outside a pod); else in-cluster.  @master, when given, replaces the
 * server in every case.  Either argument may be NULL or "".
 */
int k8s_config_load(struct k8s_config *c, const char *kubeconfig,
		    const char *master, char *err, size_t errlen);

/*
 * The bearer token to send now, in *@token (NULL: send none).  Re-reads
 * token_file when it was read token_max_age seconds ago or more, or at
 * once when @force (after a 401).  Returns 0, or the -errno of a failed
 * re-read, in which case *@token is still the last good token (or the
 * kubeconfig's static one), so the caller can log and carry on.  The
 * pointer stays valid until the next call or k8s_config_fini().
 */
int k8s_config_token(struct k8s_config *c, int force, const char **token);

/* Free every output; the hooks stay.  A zeroed struct is fine. */
void k8s_config_fini(struct k8s_config *c);

#endif
