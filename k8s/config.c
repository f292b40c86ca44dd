/*
 * k8s/config.c - choosing a configuration (kube-proxy's precedence), the
 * token that rotates, and the file and URL helpers the loaders share.
 * The loaders themselves are config_incluster.c and config_kubeconfig.c.
 */
#include "config_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- messages, files --------------------------------------------------- */

int k8s_cfg_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

const char *k8s_cfg_strerror(int neg_errno)
{
	switch (neg_errno) {
	case -EFBIG:
		return "file too large";
	case -ENODATA:
		return "empty";
	case -EILSEQ:
		return "contains a control character";
	default:
		return strerror(-neg_errno);
	}
}

/* Open @path for reading, refusing directories (read() would fail with a
 * less helpful EISDIR much later, or not at all on some filesystems). */
static int cfg_open(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	if (S_ISDIR(st->st_mode)) {
		close(fd);
		return -EISDIR;
	}
	return fd;
}

int k8s_cfg_readable(const char *path)
{
	struct stat st;
	int fd = cfg_open(path, &st);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int k8s_cfg_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	size_t n = 0, cap = 4096;
	struct stat st;
	char *b, *nb;
	ssize_t r;
	int fd, ret;

	*buf = NULL;
	*len = 0;
	fd = cfg_open(path, &st);
	if (fd < 0)
		return fd;
	/* st_size is a hint only: secret volumes and /proc may lie.  Room
	 * for one byte more than the file, so EOF needs no second buffer. */
	if (S_ISREG(st.st_mode) && (size_t)st.st_size < max)
		cap = (size_t)st.st_size + 2;
	if (cap > max + 2)
		cap = max + 2;
	b = malloc(cap);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		/* Keep room for the NUL and at least one byte to read. */
		if (cap - n < 2) {
			cap = cap * 2 < max + 2 ? cap * 2 : max + 2;
			nb = realloc(b, cap);
			if (!nb) {
				ret = -ENOMEM;
				goto bad;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto bad;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			ret = -EFBIG;
			goto bad;
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
bad:
	close(fd);
	free(b);
	return ret;
}

int k8s_cfg_token_check(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -EILSEQ;
	}
	return 0;
}

/* strings.TrimSpace, for the ASCII white space a token file can carry. */
static int cfg_space(char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

int k8s_cfg_read_token(const char *path, char **tok)
{
	size_t len, start = 0;
	char *buf;
	int r;

	*tok = NULL;
	r = k8s_cfg_read_file(path, K8S_CFG_TOKEN_MAX, &buf, &len);
	if (r)
		return r;
	while (len && cfg_space(buf[len - 1]))
		buf[--len] = '\0';
	while (start < len && cfg_space(buf[start]))
		start++;
	if (start == len) {
		free(buf);
		return -ENODATA;
	}
	if (k8s_cfg_token_check(buf + start, len - start)) {
		free(buf);
		return -EILSEQ;
	}
	memmove(buf, buf + start, len - start + 1);
	*tok = buf;
	return 0;
}

char *k8s_cfg_path_join(const char *dir, const char *path)
{
	char *s;

	size_t n = strlen(dir);

	if (path[0] == '/')
		return strdup(path);
	if (asprintf(&s, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/",
		     path) < 0)
		return NULL;
	return s;
}

char *k8s_cfg_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *cwd, *dir;

	if (slash == path)
		return strdup("/");
	if (slash && path[0] == '/')
		return strndup(path, (size_t)(slash - path));
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	if (!slash)
		return cwd;
	if (asprintf(&dir, "%s/%.*s", cwd, (int)(slash - path), path) < 0)
		dir = NULL;
	free(cwd);
	return dir;
}

/* ---- server URL -------------------------------------------------------- */

int k8s_cfg_wants_tls(const struct k8s_config *c)
{
	return c->ca_file || c->ca_data || c->cert_file || c->cert_data ||
	       c->insecure;
}

int k8s_cfg_server(const char *url, int tls, char **out, char *why,
		   size_t whylen)
{
	const char *sep = strstr(url, "://"), *host, *p;
	size_t len;
	char *s;

	*out = NULL;
	for (p = url; *p; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return k8s_cfg_fail(why, whylen, -EINVAL,
					    "\"%s\" contains white space or a control character",
					    url);
	}
	if (sep) {
		len = (size_t)(sep - url);
		if (!(len == 5 && !strncasecmp(url, "https", 5)) &&
		    !(len == 4 && !strncasecmp(url, "http", 4)))
			return k8s_cfg_fail(why, whylen, -EINVAL,
					    "\"%s\": the scheme must be https or http",
					    url);
		host = sep + 3;
		if (asprintf(&s, "%s", url) < 0)
			return -ENOMEM;
	} else {
		host = url;
		if (asprintf(&s, "%s://%s", tls ? "https" : "http", url) < 0)
			return -ENOMEM;
	}
	if (!*host || *host == '/' || *host == '?' || *host == '#') {
		free(s);
		return k8s_cfg_fail(why, whylen, -EINVAL,
				    "\"%s\" has no host", url);
	}
	len = strlen(s);
	while (len && s[len - 1] == '/')
		s[--len] = '\0';
	*out = s;
	return 0;
}

/* ---- the clock and the token ------------------------------------------ */

time_t k8s_cfg_now(const struct k8s_config *c)
{
	struct timespec ts;

	if (c->now)
		return c->now();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

int k8s_config_token(struct k8s_config *c, int force, const char **token)
{
	unsigned int max_age = c->token_max_age ? c->token_max_age
						: K8S_CONFIG_TOKEN_MAX_AGE;
	time_t now = k8s_cfg_now(c);
	char *tok;
	int r;

	*token = c->token;
	if (!c->token_file)
		return 0;
	/* now < token_read: a test clock went back; re-read to be safe. */
	if (!force && c->token && now >= c->token_read &&
	    now - c->token_read < (time_t)max_age)
		return 0;
	/* On failure token_read stays old, so the next call tries again,
	 * and the last good token keeps being sent, as client-go does. */
	r = k8s_cfg_read_token(c->token_file, &tok);
	if (r)
		return r;
	free(c->token);
	c->token = tok;
	c->token_read = now;
	*token = tok;
	return 0;
}

/* ---- choosing ---------------------------------------------------------- */

void k8s_config_fini(struct k8s_config *c)
{
	const char *sa_dir = c->sa_dir;
	unsigned int max_age = c->token_max_age;
	time_t (*now)(void) = c->now;
	const char *user_agent = c->user_agent;

	free(c->server);
	free(c->tls_server_name);
	free(c->ca_file);
	free(c->ca_data);
	free(c->cert_file);
	free(c->key_file);
	free(c->cert_data);
	free(c->key_data);
	free(c->token);
	free(c->token_file);
	free(c->proxy_url);
	free(c->ns);
	free(c->source);
	memset(c, 0, sizeof(*c));
	c->sa_dir = sa_dir;
	c->token_max_age = max_age;
	c->now = now;
	c->user_agent = user_agent;
}

/* Replace the server with --master's and say so in the source. */
static int cfg_override_master(struct k8s_config *c, const char *master,
			       char *err, size_t errlen)
{
	char why[256], *server, *source;
	int r;

	r = k8s_cfg_server(master, k8s_cfg_wants_tls(c), &server, why,
			   sizeof(why));
	if (r == -EINVAL)
		return k8s_cfg_fail(err, errlen, r, "--master: %s", why);
	if (r)
		return k8s_cfg_fail(err, errlen, r, "--master: %s", strerror(-r));
	if (asprintf(&source, "%s%s--master", c->source ? c->source : "",
		     c->source ? ", server from " : "") < 0) {
		free(server);
		return k8s_cfg_fail(err, errlen, -ENOMEM, "out of memory");
	}
	free(c->server);
	c->server = server;
	free(c->source);
	c->source = source;
	return 0;
}

int k8s_config_load(struct k8s_config *c, const char *kubeconfig,
		    const char *master, char *err, size_t errlen)
{
	int r;

	if (master && !*master)
		master = NULL;
	if (kubeconfig && *kubeconfig) {
		r = k8s_config_kubeconfig(c, kubeconfig, NULL, err, errlen);
	} else {
		r = k8s_config_in_cluster(c, err, errlen);
		/* Not a pod: --master alone is a server without credentials
		 * (client-go's DeferredLoadingClientConfig does the same). */
		if (r == -ENOENT && master)
			r = 0;
	}
	if (r)
		return r;
	if (master) {
		r = cfg_override_master(c, master, err, errlen);
		if (r)
			k8s_config_fini(c);
	}
	return r;
}
