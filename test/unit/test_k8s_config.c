/*
 * test/unit/test_k8s_config.c - k8s/config*.c: the pod's service account,
 * kubeconfig files in every style kubectl accepts, the token that rotates,
 * kube-proxy's --kubeconfig/--master precedence, and a message naming the
 * file and the key for everything that can be wrong.
 *
 * Each test gets a fresh temporary directory (the fixture), holding the
 * kubeconfig, the files it names and a fake service-account directory;
 * the KUBERNETES_SERVICE_* variables are cleared around every test.
 */
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "k8s/config.h"
#include "k8s/config_int.h"
#include "suites.h"

/* ---- fixture ----------------------------------------------------------- */

static char tmp[64];         /* this test's directory */
static char sa[96];          /* tmp/sa: the fake service account */
static char cwd[PATH_MAX];   /* to return to after tests that chdir */
static char err[512];
static time_t fake_now;

static time_t fake_clock(void)
{
	return fake_now;
}

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/ipvsagent-config-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(sa, sizeof(sa), "%s/sa", tmp);
	ck_assert_int_eq(mkdir(sa, 0700), 0);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	err[0] = '\0';
	fake_now = 1000;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	ck_assert_int_eq(chdir(cwd), 0);
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
}

/* tmp/@rel (directories made as needed) with @len bytes of @data. */
static void put_bytes(const char *rel, const char *data, size_t len)
{
	char path[PATH_MAX], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	for (p = path + strlen(tmp) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void put(const char *rel, const char *text)
{
	put_bytes(rel, text, strlen(text));
}

static void putf(const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void putf(const char *rel, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	put(rel, s);
	free(s);
}

/* tmp/@rel as an absolute path, in one of four static buffers (so one
 * call may use a few). */
static const char *at(const char *rel)
{
	static char path[4][160];
	static unsigned int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", tmp, rel);
	return p;
}

static void in_pod(const char *host, const char *port)
{
	setenv("KUBERNETES_SERVICE_HOST", host, 1);
	setenv("KUBERNETES_SERVICE_PORT", port, 1);
}

/* A fresh config with the test hooks. */
static void cfg_init(struct k8s_config *c)
{
	memset(c, 0, sizeof(*c));
	c->sa_dir = sa;
	c->now = fake_clock;
}

/* Load tmp/config (kubeconfig) and expect failure @want with @frag in
 * the message. */
static void kc_fails(const char *context, int want, const char *frag)
{
	struct k8s_config c;
	int r;

	cfg_init(&c);
	r = k8s_config_kubeconfig(&c, at("config"), context, err, sizeof(err));
	ck_assert_msg(r == want, "got %d, want %d: %s", r, want, err);
	ck_assert_msg(strstr(err, frag) != NULL, "\"%s\" not in \"%s\"", frag,
		      err);
	ck_assert_ptr_null(c.server);
	ck_assert_ptr_null(c.source);
	ck_assert_ptr_null(c.token);
	k8s_config_fini(&c);
}

/* Load tmp/config, which must work. */
static void kc_ok(struct k8s_config *c, const char *context)
{
	int r;

	cfg_init(c);
	r = k8s_config_kubeconfig(c, at("config"), context, err, sizeof(err));
	ck_assert_msg(r == 0, "kubeconfig: %d: %s", r, err);
}

static char *b64(const void *data, size_t n)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char *s = malloc(n / 3 * 4 + 5), *o = s;
	unsigned long v;
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		*o++ = abc[v >> 6 & 63];
		*o++ = abc[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)p[i] << 16;
		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8;
		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		*o++ = abc[v >> 6 & 63];
		*o++ = '=';
	}
	*o = '\0';
	return s;
}

#define CA_PEM "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n"
#define CERT_PEM "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n"
#define KEY_PEM "-----BEGIN EC PRIVATE KEY-----\nMHckey\n-----END EC PRIVATE KEY-----\n"

/* ---- in-cluster -------------------------------------------------------- */

START_TEST(incluster_ipv4)
{
	struct k8s_config c;
	const char *tok;
	char path[PATH_MAX];

	put("sa/token", "eyJhbGciOi.token-one\n");
	put("sa/ca.crt", CA_PEM);
	put("sa/namespace", "kube-system");
	in_pod("10.96.0.1", "443");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.server, "https://10.96.0.1:443");
	ck_assert_str_eq(c.token, "eyJhbGciOi.token-one");
	snprintf(path, sizeof(path), "%s/token", sa);
	ck_assert_str_eq(c.token_file, path);
	snprintf(path, sizeof(path), "%s/ca.crt", sa);
	ck_assert_str_eq(c.ca_file, path);
	ck_assert_str_eq(c.ns, "kube-system");
	ck_assert_str_eq(c.source, "in-cluster");
	ck_assert_int_eq(c.insecure, 0);
	ck_assert_ptr_null(c.ca_data);
	ck_assert_ptr_null(c.cert_file);
	ck_assert_ptr_null(c.tls_server_name);
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "eyJhbGciOi.token-one");
	k8s_config_fini(&c);
	ck_assert_ptr_null(c.server);
	ck_assert_ptr_eq(c.sa_dir, sa); /* hooks survive */
	k8s_config_fini(&c);            /* twice is fine */
}
END_TEST

START_TEST(incluster_ipv6_in_brackets)
{
	struct k8s_config c;

	put("sa/token", "t");
	in_pod("fd00:10:96::1", "6443");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.server, "https://[fd00:10:96::1]:6443");
	k8s_config_fini(&c);
	/* Already bracketed: left alone. */
	in_pod("[fd00::1]", "443");
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.server, "https://[fd00::1]:443");
	k8s_config_fini(&c);
}
END_TEST

START_TEST(incluster_without_ca_uses_the_system_store)
{
	struct k8s_config c;

	put("sa/token", "t");
	in_pod("10.0.0.1", "443");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	ck_assert_ptr_null(c.ca_file);
	ck_assert_ptr_null(c.ns);
	ck_assert_int_eq(c.insecure, 0);
	k8s_config_fini(&c);
}
END_TEST

START_TEST(incluster_missing_env)
{
	static const char *const cases[][2] = {
		{ NULL, "443" },
		{ "10.0.0.1", NULL },
		{ "", "443" },
		{ "10.0.0.1", "" },
		{ NULL, NULL },
	};
	struct k8s_config c;
	size_t i;

	put("sa/token", "t");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsetenv("KUBERNETES_SERVICE_HOST");
		unsetenv("KUBERNETES_SERVICE_PORT");
		if (cases[i][0])
			setenv("KUBERNETES_SERVICE_HOST", cases[i][0], 1);
		if (cases[i][1])
			setenv("KUBERNETES_SERVICE_PORT", cases[i][1], 1);
		cfg_init(&c);
		ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)),
				 -ENOENT);
		ck_assert_ptr_nonnull(strstr(err, "KUBERNETES_SERVICE_HOST"));
		ck_assert_ptr_null(c.server);
		k8s_config_fini(&c);
	}
}
END_TEST

START_TEST(incluster_missing_or_bad_token)
{
	struct k8s_config c;
	char want[PATH_MAX + 64];

	in_pod("10.0.0.1", "443");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "in-cluster: %s/token: No such file or directory",
		 sa);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(c.server);
	ck_assert_ptr_null(c.token_file);

	put("sa/token", " \n\t\n");
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), -ENODATA);
	ck_assert_ptr_nonnull(strstr(err, "token: empty"));

	/* A CR LF inside would smuggle a header into every request. */
	put("sa/token", "abc\r\nX-Evil: 1\n");
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), -EILSEQ);
	ck_assert_ptr_nonnull(strstr(err, "control character"));

	ck_assert_int_eq(unlink(at("sa/token")), 0);
	ck_assert_int_eq(mkdir(at("sa/token"), 0700), 0);
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), -EISDIR);
	k8s_config_fini(&c);
}
END_TEST

START_TEST(incluster_reload_frees_the_old)
{
	struct k8s_config c;

	put("sa/token", "one");
	in_pod("10.0.0.1", "443");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	put("sa/token", "two");
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.token, "two");
	k8s_config_fini(&c);
}
END_TEST

/* ---- the token that rotates ------------------------------------------- */

START_TEST(token_is_reread_after_max_age)
{
	struct k8s_config c;
	const char *tok;

	put("sa/token", "one\n");
	in_pod("10.0.0.1", "443");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	put("sa/token", "two\n");
	fake_now += K8S_CONFIG_TOKEN_MAX_AGE - 1;
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "one");
	fake_now += 1;
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "two");
	/* The clock restarts from that read. */
	put("sa/token", "three\n");
	fake_now += K8S_CONFIG_TOKEN_MAX_AGE - 1;
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "two");
	fake_now += 1;
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "three");
	k8s_config_fini(&c);
}
END_TEST

START_TEST(token_force_rereads_at_once)
{
	struct k8s_config c;
	const char *tok;

	put("sa/token", "one");
	in_pod("10.0.0.1", "443");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	put("sa/token", "two");
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "one");
	ck_assert_int_eq(k8s_config_token(&c, 1, &tok), 0);
	ck_assert_str_eq(tok, "two");
	k8s_config_fini(&c);
}
END_TEST

START_TEST(token_max_age_is_a_parameter)
{
	struct k8s_config c;
	const char *tok;

	put("sa/token", "one");
	in_pod("10.0.0.1", "443");
	cfg_init(&c);
	c.token_max_age = 5;
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.token_max_age, 5); /* hooks survive loading */
	put("sa/token", "two");
	fake_now += 4;
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "one");
	fake_now += 1;
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "two");
	/* A clock that goes back forces a read rather than trusting it. */
	put("sa/token", "three");
	fake_now -= 100;
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "three");
	k8s_config_fini(&c);
}
END_TEST

START_TEST(token_reread_failure_keeps_the_last_good_one)
{
	struct k8s_config c;
	const char *tok;

	put("sa/token", "one");
	in_pod("10.0.0.1", "443");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	ck_assert_int_eq(unlink(at("sa/token")), 0);
	fake_now += 61;
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), -ENOENT);
	ck_assert_str_eq(tok, "one");
	ck_assert_int_eq(k8s_config_token(&c, 1, &tok), -ENOENT);
	ck_assert_str_eq(tok, "one");
	put("sa/token", "");
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), -ENODATA);
	ck_assert_str_eq(tok, "one");
	/* Tried again on the next call, without waiting another minute. */
	put("sa/token", "two");
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "two");
	k8s_config_fini(&c);
}
END_TEST

START_TEST(token_real_clock)
{
	struct k8s_config c;
	const char *tok;

	put("sa/token", "one");
	in_pod("10.0.0.1", "443");
	cfg_init(&c);
	c.now = NULL;
	ck_assert_int_eq(k8s_config_in_cluster(&c, err, sizeof(err)), 0);
	put("sa/token", "two");
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "one");
	ck_assert_int_eq(k8s_config_token(&c, 1, &tok), 0);
	ck_assert_str_eq(tok, "two");
	k8s_config_fini(&c);
}
END_TEST

START_TEST(token_static_and_none)
{
	struct k8s_config c;
	const char *tok = "x";

	put("config", "clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		      "users: [{name: u, user: {token: static}}]\n"
		      "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
		      "current-context: x\n");
	kc_ok(&c, NULL);
	ck_assert_ptr_null(c.token_file);
	fake_now += 1000;
	ck_assert_int_eq(k8s_config_token(&c, 1, &tok), 0);
	ck_assert_str_eq(tok, "static");
	k8s_config_fini(&c);

	/* A context without a user: anonymous. */
	put("config", "clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		      "contexts: [{name: x, context: {cluster: c}}]\n"
		      "current-context: x\n");
	kc_ok(&c, NULL);
	ck_assert_int_eq(k8s_config_token(&c, 1, &tok), 0);
	ck_assert_ptr_null(tok);
	k8s_config_fini(&c);
}
END_TEST

START_TEST(token_file_wins_over_token_and_rotates)
{
	struct k8s_config c;
	const char *tok;

	put("tok", "from-file\n");
	put("config", "clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		      "users: [{name: u, user: {token: static, tokenFile: tok}}]\n"
		      "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
		      "current-context: x\n");
	kc_ok(&c, NULL);
	ck_assert_str_eq(c.token, "from-file");
	ck_assert_str_eq(c.token_file, at("tok"));
	put("tok", "rotated");
	fake_now += 60;
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "rotated");
	k8s_config_fini(&c);

	/* The file unreadable: the static token is the fallback. */
	ck_assert_int_eq(unlink(at("tok")), 0);
	kc_ok(&c, NULL);
	ck_assert_str_eq(c.token, "static");
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), -ENOENT);
	ck_assert_str_eq(tok, "static");
	put("tok", "late");
	ck_assert_int_eq(k8s_config_token(&c, 0, &tok), 0);
	ck_assert_str_eq(tok, "late");
	k8s_config_fini(&c);
}
END_TEST

/* ---- kubeconfig: choosing the context --------------------------------- */

/* Two clusters, two users, two contexts, as kubectl writes them. */
static void two_contexts(const char *current)
{
	putf("config",
	     "apiVersion: v1\n"
	     "kind: Config\n"
	     "preferences: {}\n"
	     "clusters:\n"
	     "- cluster:\n"
	     "    server: https://prod.example:6443\n"
	     "    insecure-skip-tls-verify: true\n"
	     "  name: prod\n"
	     "- name: dev\n"
	     "  cluster:\n"
	     "    server: https://dev.example:6443/\n"
	     "    insecure-skip-tls-verify: true\n"
	     "users:\n"
	     "- name: prod-admin\n"
	     "  user:\n"
	     "    token: prod-token\n"
	     "- name: dev-admin\n"
	     "  user:\n"
	     "    token: dev-token\n"
	     "contexts:\n"
	     "- name: prod\n"
	     "  context:\n"
	     "    cluster: prod\n"
	     "    user: prod-admin\n"
	     "    namespace: kube-system\n"
	     "- name: dev\n"
	     "  context:\n"
	     "    cluster: dev\n"
	     "    user: dev-admin\n"
	     "%s\n",
	     current);
}

START_TEST(kubeconfig_current_context)
{
	struct k8s_config c;
	char want[PATH_MAX + 32];

	two_contexts("current-context: dev");
	kc_ok(&c, NULL);
	ck_assert_str_eq(c.server, "https://dev.example:6443");
	ck_assert_str_eq(c.token, "dev-token");
	ck_assert_ptr_null(c.ns);
	snprintf(want, sizeof(want), "kubeconfig %s, context dev", at("config"));
	ck_assert_str_eq(c.source, want);
	k8s_config_fini(&c);

	two_contexts("current-context: prod");
	kc_ok(&c, NULL);
	ck_assert_str_eq(c.server, "https://prod.example:6443");
	ck_assert_str_eq(c.token, "prod-token");
	ck_assert_str_eq(c.ns, "kube-system");
	ck_assert_int_eq(c.insecure, 1);
	k8s_config_fini(&c);
}
END_TEST

START_TEST(kubeconfig_explicit_context)
{
	struct k8s_config c;

	two_contexts("current-context: dev");
	kc_ok(&c, "prod");
	ck_assert_str_eq(c.server, "https://prod.example:6443");
	ck_assert_str_eq(c.token, "prod-token");
	k8s_config_fini(&c);

	/* No current-context needed when one is given. */
	two_contexts("");
	kc_ok(&c, "dev");
	ck_assert_str_eq(c.token, "dev-token");
	k8s_config_fini(&c);
	kc_fails(NULL, -EINVAL, "current-context is not set and no context was given");
	kc_fails("", -EINVAL, "current-context is not set");
	two_contexts("current-context: \"\"");
	kc_fails(NULL, -EINVAL, "current-context is not set");
	two_contexts("current-context: staging");
	kc_fails(NULL, -EINVAL, ": current-context \"staging\" not found in contexts");
	kc_fails("qa", -EINVAL, ": context \"qa\" not found in contexts");
}
END_TEST

START_TEST(kubeconfig_missing_names)
{
	putf("config",
	     "clusters: [{name: a, cluster: {server: 'https://a'}}]\n"
	     "users: [{name: u, user: {token: t}}]\n"
	     "contexts:\n"
	     "- {name: nocluster, context: {cluster: b, user: u}}\n"
	     "- {name: nouser, context: {cluster: a, user: v}}\n"
	     "- {name: unset, context: {user: u}}\n"
	     "- {name: empty, context: {cluster: '', user: u}}\n"
	     "- {name: bare}\n"
	     "- {name: badcluster, context: {cluster: z}}\n");
	kc_fails("nocluster", -EINVAL,
		 ": contexts[0].context.cluster: no cluster named \"b\" in clusters");
	kc_fails("nouser", -EINVAL,
		 ": contexts[1].context.user: no user named \"v\" in users");
	kc_fails("unset", -EINVAL, ": contexts[2].context.cluster: not set");
	kc_fails("empty", -EINVAL, ": contexts[3].context.cluster: not set");
	kc_fails("bare", -EINVAL, ": contexts[4].context: not set");
	put("config", "contexts: [{name: x, context: {cluster: a, user: u}}]\n");
	kc_fails("x", -EINVAL, "no cluster named \"a\" in clusters");
	put("config", "clusters: [{name: a, cluster: {server: 'https://a'}}]\n"
		      "contexts: [{name: x, context: {cluster: a, user: u}}]\n");
	kc_fails("x", -EINVAL, "no user named \"u\" in users");
	put("config", "clusters: [{name: a, cluster: {}}]\n"
		      "contexts: [{name: x, context: {cluster: a}}]\n");
	kc_fails("x", -EINVAL, ": clusters[0].cluster.server: not set");
	put("config", "clusters: [{name: a}]\n"
		      "contexts: [{name: x, context: {cluster: a}}]\n");
	kc_fails("x", -EINVAL, ": clusters[0].cluster: not set");
}
END_TEST

START_TEST(kubeconfig_duplicate_and_malformed_entries)
{
	put("config", "clusters:\n"
		      "- {name: a, cluster: {server: 'https://1'}}\n"
		      "- {name: a, cluster: {server: 'https://2'}}\n"
		      "contexts: [{name: x, context: {cluster: a}}]\n");
	kc_fails("x", -EINVAL,
		 ": clusters[1]: a second entry named \"a\" (the first is clusters[0])");
	put("config", "clusters: [oops]\n"
		      "contexts: [{name: x, context: {cluster: a}}]\n");
	kc_fails("x", -EINVAL, ": clusters[0]: expected a mapping, got a plain scalar");
	put("config", "clusters: {name: a}\n"
		      "contexts: [{name: x, context: {cluster: a}}]\n");
	kc_fails("x", -EINVAL, ": clusters: expected a sequence, got a mapping (line 1)");
	put("config", "clusters: [{name: [a], cluster: {server: 'https://1'}}]\n"
		      "contexts: [{name: x, context: {cluster: a}}]\n");
	kc_fails("x", -EINVAL, ": clusters[0].name: expected a string, got a sequence");
	put("config", "clusters: [{name: a, cluster: 'https://1'}]\n"
		      "contexts: [{name: x, context: {cluster: a}}]\n");
	kc_fails("x", -EINVAL, ": clusters[0].cluster: expected a mapping, got a quoted string");
	put("config", "clusters: [{name: a, cluster: {server: {}}}]\n"
		      "contexts: [{name: x, context: {cluster: a}}]\n");
	kc_fails("x", -EINVAL, ": clusters[0].cluster.server: expected a string, got a mapping");
	put("config", "current-context: [x]\n");
	kc_fails(NULL, -EINVAL, ": current-context: expected a string, got a sequence (line 1)");
	put("config", "clusters: ~\ncontexts: null\ncurrent-context: x\n");
	kc_fails(NULL, -EINVAL, "current-context \"x\" not found in contexts");
}
END_TEST

/* ---- kubeconfig: every field ------------------------------------------ */

START_TEST(kubeconfig_files_relative_to_the_kubeconfig)
{
	struct k8s_config c;

	put("kube/pki/ca.crt", CA_PEM);
	put("kube/pki/admin.crt", CERT_PEM);
	put("kube/pki/admin.key", KEY_PEM);
	put("abs.key", KEY_PEM);
	put("kube/config",
	    "clusters:\n"
	    "- name: k\n"
	    "  cluster:\n"
	    "    server: https://10.0.0.1:6443\n"
	    "    certificate-authority: pki/ca.crt\n"
	    "    insecure-skip-tls-verify: false\n"
	    "    tls-server-name: kubernetes.default.svc\n"
	    "    proxy-url: socks5://127.0.0.1:1080\n"
	    "users:\n"
	    "- name: admin\n"
	    "  user:\n"
	    "    client-certificate: ./pki/admin.crt\n"
	    "    client-key: ../abs.key\n"
	    "    token: also-a-token\n"
	    "contexts:\n"
	    "- name: k\n"
	    "  context: {cluster: k, user: admin, namespace: ns1}\n"
	    "current-context: k\n");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_kubeconfig(&c, at("kube/config"), NULL, err,
					       sizeof(err)),
			 0);
	ck_assert_str_eq(c.server, "https://10.0.0.1:6443");
	ck_assert_str_eq(c.ca_file, at("kube/pki/ca.crt"));
	ck_assert_str_eq(c.cert_file, at("kube/./pki/admin.crt"));
	ck_assert_str_eq(c.key_file, at("kube/../abs.key"));
	ck_assert_str_eq(c.tls_server_name, "kubernetes.default.svc");
	ck_assert_str_eq(c.proxy_url, "socks5://127.0.0.1:1080");
	ck_assert_str_eq(c.token, "also-a-token");
	ck_assert_str_eq(c.ns, "ns1");
	ck_assert_int_eq(c.insecure, 0);
	ck_assert_ptr_null(c.ca_data);
	ck_assert_ptr_null(c.cert_data);
	ck_assert_ptr_null(c.key_data);
	ck_assert_ptr_null(c.token_file);
	k8s_config_fini(&c);

	/* A relative kubeconfig path: the result is absolute all the same. */
	ck_assert_int_eq(chdir(tmp), 0);
	ck_assert_int_eq(k8s_config_kubeconfig(&c, "kube/config", NULL, err,
					       sizeof(err)),
			 0);
	ck_assert_str_eq(c.ca_file, at("kube/pki/ca.crt"));
	k8s_config_fini(&c);
	ck_assert_int_eq(chdir("kube"), 0);
	ck_assert_int_eq(k8s_config_kubeconfig(&c, "config", NULL, err,
					       sizeof(err)),
			 0);
	ck_assert_str_eq(c.ca_file, at("kube/pki/ca.crt"));
	k8s_config_fini(&c);

	/* Absolute paths stay as they are. */
	putf("kube/config",
	     "clusters: [{name: k, cluster: {server: 'https://h', certificate-authority: %s}}]\n"
	     "contexts: [{name: k, context: {cluster: k}}]\n",
	     at("kube/pki/ca.crt"));
	ck_assert_int_eq(k8s_config_kubeconfig(&c, at("kube/config"), "k", err,
					       sizeof(err)),
			 0);
	ck_assert_str_eq(c.ca_file, at("kube/pki/ca.crt"));
	k8s_config_fini(&c);
}
END_TEST

START_TEST(kubeconfig_embedded_data)
{
	struct k8s_config c;
	char *ca = b64(CA_PEM, strlen(CA_PEM));
	char *cert = b64(CERT_PEM, strlen(CERT_PEM));
	char *key = b64(KEY_PEM, strlen(KEY_PEM));

	put("token", "file-token\n");
	putf("config",
	     "clusters:\n"
	     "- name: k\n"
	     "  cluster:\n"
	     "    server: https://k.example\n"
	     "    certificate-authority-data: %s\n"
	     "users:\n"
	     "- name: u\n"
	     "  user:\n"
	     "    client-certificate-data: %s\n"
	     "    client-key-data: \"%s\"\n"
	     "    tokenFile: token\n"
	     "contexts:\n"
	     "- name: k\n"
	     "  context: {cluster: k, user: u}\n"
	     "current-context: k\n",
	     ca, cert, key);
	kc_ok(&c, NULL);
	ck_assert_uint_eq(c.ca_data_len, strlen(CA_PEM));
	ck_assert_str_eq(c.ca_data, CA_PEM);
	ck_assert_uint_eq(c.cert_data_len, strlen(CERT_PEM));
	ck_assert_str_eq(c.cert_data, CERT_PEM);
	ck_assert_uint_eq(c.key_data_len, strlen(KEY_PEM));
	ck_assert_str_eq(c.key_data, KEY_PEM);
	ck_assert_ptr_null(c.ca_file);
	ck_assert_ptr_null(c.cert_file);
	ck_assert_ptr_null(c.key_file);
	ck_assert_str_eq(c.token_file, at("token"));
	ck_assert_str_eq(c.token, "file-token");
	k8s_config_fini(&c);
	free(ca);
	free(cert);
	free(key);
}
END_TEST

START_TEST(kubeconfig_base64_wrapped_in_a_block_scalar)
{
	struct k8s_config c;

	/* A literal block keeps its line breaks, which Go's decoder skips. */
	put("config", "clusters:\n"
		      "- name: k\n"
		      "  cluster:\n"
		      "    server: https://k\n"
		      "    certificate-authority-data: |\n"
		      "      aGVsbG8g\n"
		      "      d29ybGQ=\n"
		      "contexts: [{name: k, context: {cluster: k}}]\n");
	kc_ok(&c, "k");
	ck_assert_uint_eq(c.ca_data_len, 11);
	ck_assert_str_eq(c.ca_data, "hello world");
	k8s_config_fini(&c);
}
END_TEST

START_TEST(kubeconfig_bad_base64)
{
	static const struct {
		const char *data;
		const char *msg;
	} cases[] = {
		{ "aGVsbG8*", "certificate-authority-data: not valid base64: '*' at offset 7" },
		{ "aGVsbG8", "certificate-authority-data: not valid base64: it ends inside a group of four characters" },
		{ "aGVs bG8=", "not valid base64: byte 0x20 at offset 4" },
		{ "aGVsbA==aGVs", "'a' at offset 8" },
		{ "\"aGVsbG8=\\t\"", "byte 0x09 at offset 8" }, /* YAML makes \t a tab */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		putf("config",
		     "clusters: [{name: k, cluster: {server: 'https://k', certificate-authority-data: %s}}]\n"
		     "contexts: [{name: k, context: {cluster: k}}]\n",
		     cases[i].data);
		kc_fails("k", -EINVAL, cases[i].msg);
		ck_assert_ptr_nonnull(strstr(err, "clusters[0].cluster."));
	}
	put("config", "users: [{name: u, user: {client-certificate-data: '!!!!', client-key-data: 'aGk='}}]\n"
		      "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
		      "contexts: [{name: k, context: {cluster: k, user: u}}]\n");
	kc_fails("k", -EINVAL, ": users[0].user.client-certificate-data: not valid base64: '!' at offset 0");
}
END_TEST

START_TEST(kubeconfig_empty_values_are_absent)
{
	struct k8s_config c;

	put("config", "clusters: [{name: k, cluster: {server: 'https://k', certificate-authority: '',"
		      " certificate-authority-data: '', tls-server-name: ~, proxy-url: null}}]\n"
		      "users: [{name: u, user: {token: '', tokenFile: , client-certificate-data: ''}}]\n"
		      "contexts: [{name: k, context: {cluster: k, user: u, namespace: ''}}]\n");
	kc_ok(&c, "k");
	ck_assert_ptr_null(c.ca_file);
	ck_assert_ptr_null(c.ca_data);
	ck_assert_ptr_null(c.tls_server_name);
	ck_assert_ptr_null(c.proxy_url);
	ck_assert_ptr_null(c.token);
	ck_assert_ptr_null(c.token_file);
	ck_assert_ptr_null(c.cert_data);
	ck_assert_ptr_null(c.ns);
	k8s_config_fini(&c);
}
END_TEST

START_TEST(kubeconfig_flow_style)
{
	struct k8s_config c;

	/* kubectl config view -o json, which is YAML too. */
	put("config",
	    "{\"kind\": \"Config\", \"apiVersion\": \"v1\",\n"
	    " \"clusters\": [{\"name\": \"k\", \"cluster\": {\"server\": \"https://[fd00::1]:6443\",\n"
	    "   \"insecure-skip-tls-verify\": true}}],\n"
	    " \"users\": [{\"name\": \"u\", \"user\": {\"token\": \"j.w.t\"}}],\n"
	    " \"contexts\": [{\"name\": \"k\", \"context\": {\"cluster\": \"k\", \"user\": \"u\"}}],\n"
	    " \"current-context\": \"k\"}\n");
	kc_ok(&c, NULL);
	ck_assert_str_eq(c.server, "https://[fd00::1]:6443");
	ck_assert_str_eq(c.token, "j.w.t");
	ck_assert_int_eq(c.insecure, 1);
	k8s_config_fini(&c);
}
END_TEST

START_TEST(kubeconfig_quoted_strings)
{
	struct k8s_config c;

	put("config",
	    "clusters:\n"
	    "- name: 'my cluster'\n"
	    "  cluster:\n"
	    "    server: \"https://k.example:6443\"\n"
	    "    tls-server-name: 'it''s.example'\n"
	    "users:\n"
	    "- name: \"me@example\"\n"
	    "  user:\n"
	    "    token: \"a\\x2Db\"\n"
	    "contexts:\n"
	    "- name: \"quoted: ctx\"\n"
	    "  context:\n"
	    "    cluster: my cluster\n"
	    "    user: 'me@example'\n"
	    "    namespace: \"123\"\n"
	    "current-context: 'quoted: ctx'\n");
	kc_ok(&c, NULL);
	ck_assert_str_eq(c.server, "https://k.example:6443");
	ck_assert_str_eq(c.tls_server_name, "it's.example");
	ck_assert_str_eq(c.token, "a-b");
	ck_assert_str_eq(c.ns, "123");
	k8s_config_fini(&c);
}
END_TEST

START_TEST(kubeconfig_anchors_and_aliases)
{
	struct k8s_config c;

	put("config",
	    "base: &base {server: 'https://shared:6443', insecure-skip-tls-verify: yes}\n"
	    "clusters:\n"
	    "- {name: a, cluster: *base}\n"
	    "- {name: b, cluster: *base}\n"
	    "users: [{name: u, user: &u {token: t}}, {name: v, user: *u}]\n"
	    "contexts: [{name: b, context: {cluster: b, user: v}}]\n");
	kc_ok(&c, "b");
	ck_assert_str_eq(c.server, "https://shared:6443");
	ck_assert_int_eq(c.insecure, 1);
	ck_assert_str_eq(c.token, "t");
	k8s_config_fini(&c);
}
END_TEST

START_TEST(kubeconfig_booleans)
{
	static const struct {
		const char *text;
		int want; /* -1: an error */
	} cases[] = {
		{ "true", 1 },   { "True", 1 },	 { "TRUE", 1 },	 { "yes", 1 },
		{ "on", 1 },	 { "false", 0 }, { "False", 0 }, { "no", 0 },
		{ "off", 0 },	 { "!!bool true", 1 }, { "~", 0 },
		{ "\"true\"", -1 }, { "'false'", -1 }, { "1", -1 },
		{ "[true]", -1 }, { "truth", -1 },
	};
	struct k8s_config c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		putf("config",
		     "clusters: [{name: k, cluster: {server: 'https://k', insecure-skip-tls-verify: %s}}]\n"
		     "contexts: [{name: k, context: {cluster: k}}]\n",
		     cases[i].text);
		if (cases[i].want < 0) {
			kc_fails("k", -EINVAL,
				 ": clusters[0].cluster.insecure-skip-tls-verify: expected a boolean");
			continue;
		}
		kc_ok(&c, "k");
		ck_assert_msg(c.insecure == cases[i].want, "%s", cases[i].text);
		k8s_config_fini(&c);
	}
}
END_TEST

START_TEST(kubeconfig_server_forms)
{
	static const struct {
		const char *server;
		const char *extra; /* more of the cluster */
		const char *want;  /* NULL: an error containing @why */
		const char *why;
	} cases[] = {
		{ "https://k:6443///", "", "https://k:6443", NULL },
		{ "https://rancher/k8s/clusters/c-1/", "", "https://rancher/k8s/clusters/c-1", NULL },
		{ "HTTPS://k", "", "HTTPS://k", NULL },
		{ "http://127.0.0.1:8080", "", "http://127.0.0.1:8080", NULL },
		{ "10.0.0.1:6443", "", "http://10.0.0.1:6443", NULL },
		{ "10.0.0.1:6443", ", insecure-skip-tls-verify: true", "https://10.0.0.1:6443", NULL },
		{ "ftp://k", "", NULL, "clusters[0].cluster.server: \"ftp://k\": the scheme must be https or http" },
		{ "https://", "", NULL, "has no host" },
		{ "'https://a b'", "", NULL, "white space" },
		{ "https://k", ", proxy-url: 'ftp://p'", NULL, "clusters[0].cluster.proxy-url: \"ftp://p\": the scheme must be" },
	};
	struct k8s_config c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		putf("config",
		     "clusters: [{name: k, cluster: {server: %s%s}}]\n"
		     "contexts: [{name: k, context: {cluster: k}}]\n",
		     cases[i].server, cases[i].extra);
		if (!cases[i].want) {
			kc_fails("k", -EINVAL, cases[i].why);
			continue;
		}
		kc_ok(&c, "k");
		ck_assert_str_eq(c.server, cases[i].want);
		k8s_config_fini(&c);
	}
}
END_TEST

START_TEST(kubeconfig_conflicts)
{
	char *d = b64(CA_PEM, strlen(CA_PEM));

	put("ca.crt", CA_PEM);
	put("c.crt", CERT_PEM);
	put("c.key", KEY_PEM);
	putf("config", "clusters: [{name: k, cluster: {server: 'https://k', certificate-authority: ca.crt, certificate-authority-data: %s}}]\n"
		       "contexts: [{name: k, context: {cluster: k}}]\n", d);
	kc_fails("k", -EINVAL, ": clusters[0].cluster: certificate-authority and certificate-authority-data are both set");
	put("config", "clusters: [{name: k, cluster: {server: 'https://k', certificate-authority: ca.crt, insecure-skip-tls-verify: true}}]\n"
		      "contexts: [{name: k, context: {cluster: k}}]\n");
	kc_fails("k", -EINVAL, ": clusters[0].cluster: insecure-skip-tls-verify is true and a certificate authority is given");
	putf("config", "clusters: [{name: k, cluster: {server: 'https://k', certificate-authority-data: %s, insecure-skip-tls-verify: true}}]\n"
		       "contexts: [{name: k, context: {cluster: k}}]\n", d);
	kc_fails("k", -EINVAL, "insecure-skip-tls-verify is true");
	putf("config", "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
		       "users: [{name: u, user: {client-certificate: c.crt, client-certificate-data: %s, client-key: c.key}}]\n"
		       "contexts: [{name: k, context: {cluster: k, user: u}}]\n", d);
	kc_fails("k", -EINVAL, ": users[0].user: client-certificate and client-certificate-data are both set");
	putf("config", "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
		       "users: [{name: u, user: {client-certificate: c.crt, client-key-data: %s, client-key: c.key}}]\n"
		       "contexts: [{name: k, context: {cluster: k, user: u}}]\n", d);
	kc_fails("k", -EINVAL, ": users[0].user: client-key and client-key-data are both set");
	put("config", "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
		      "users: [{name: u, user: {client-certificate: c.crt}}]\n"
		      "contexts: [{name: k, context: {cluster: k, user: u}}]\n");
	kc_fails("k", -EINVAL, ": users[0].user: a client certificate needs client-key or client-key-data");
	putf("config", "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
		       "users: [{name: u, user: {client-key-data: %s}}]\n"
		       "contexts: [{name: k, context: {cluster: k, user: u}}]\n", d);
	kc_fails("k", -EINVAL, ": users[0].user: a client key needs client-certificate or client-certificate-data");
	free(d);
}
END_TEST

START_TEST(kubeconfig_missing_files)
{
	char want[512];

	put("config", "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
		      "users: [{name: u, user: {client-certificate: c.crt, client-key: c.key}}]\n"
		      "contexts: [{name: k, context: {cluster: k, user: u}}]\n");
	put("c.crt", CERT_PEM);
	snprintf(want, sizeof(want),
		 "kubeconfig %s: users[0].user.client-key: %s: No such file or directory",
		 at("config"), at("c.key"));
	kc_fails("k", -EINVAL, want);
	ck_assert_str_eq(err, want);

	put("config", "clusters: [{name: k, cluster: {server: 'https://k', certificate-authority: pki}}]\n"
		      "contexts: [{name: k, context: {cluster: k}}]\n");
	ck_assert_int_eq(mkdir(at("pki"), 0700), 0);
	kc_fails("k", -EINVAL, "clusters[0].cluster.certificate-authority: ");
	ck_assert_ptr_nonnull(strstr(err, "/pki: Is a directory"));

	put("config", "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
		      "users: [{name: u, user: {tokenFile: nope}}]\n"
		      "contexts: [{name: k, context: {cluster: k, user: u}}]\n");
	kc_fails("k", -EINVAL, "users[0].user.tokenFile: ");
	ck_assert_ptr_nonnull(strstr(err, "/nope: No such file or directory"));
	put("nope", "\n");
	kc_fails("k", -EINVAL, "/nope: empty");

	put("config", "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
		      "users: [{name: u, user: {token: \"a\\r\\nX-Evil: 1\"}}]\n"
		      "contexts: [{name: k, context: {cluster: k, user: u}}]\n");
	kc_fails("k", -EINVAL, "users[0].user.token: contains a control character");
	put("config", "clusters: [{name: k, cluster: {server: \"https://k\\0evil\"}}]\n"
		      "contexts: [{name: k, context: {cluster: k}}]\n");
	kc_fails("k", -EINVAL, "clusters[0].cluster.server: contains a NUL byte");
}
END_TEST

START_TEST(kubeconfig_unsupported_auth)
{
	static const struct {
		const char *user;
		const char *msg;
	} cases[] = {
		{ "exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}",
		  ": users[0].user.exec: exec credential plugins are not supported; use a token, tokenFile or client certificate (line 2)" },
		{ "auth-provider: {name: oidc}", "users[0].user.auth-provider: auth providers are not supported" },
		{ "username: admin", "users[0].user.username: basic authentication is not supported" },
		{ "password: secret", "users[0].user.password: basic authentication is not supported" },
		{ "as: someone", "users[0].user.as: impersonation is not supported" },
		{ "as-groups: [system:masters]", "users[0].user.as-groups: impersonation is not supported" },
	};
	struct k8s_config c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		putf("config",
		     "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
		     "users: [{name: u, user: {%s}}]\n"
		     "contexts: [{name: k, context: {cluster: k, user: u}}]\n",
		     cases[i].user);
		kc_fails("k", -EINVAL, cases[i].msg);
	}
	/* Empty ones ask for nothing; other users' plugins do not matter. */
	put("config", "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
		      "users: [{name: u, user: {token: t, as-groups: [], as-user-extra: {}, exec: null}},\n"
		      "        {name: v, user: {exec: {command: gcloud}}}]\n"
		      "contexts: [{name: k, context: {cluster: k, user: u}}]\n");
	kc_ok(&c, "k");
	ck_assert_str_eq(c.token, "t");
	k8s_config_fini(&c);
}
END_TEST

START_TEST(kubeconfig_malformed_yaml)
{
	put("config", "clusters:\n"
		      "- name: k\n"
		      "  cluster:\n"
		      "    server: https://k\n"
		      "   bad: indentation\n");
	kc_fails("k", -EINVAL, ": line 5, column ");
	ck_assert_ptr_nonnull(strstr(err, at("config")));
	put("config", "clusters: [{name: k\n");
	kc_fails("k", -EINVAL, ": line 2, column 1: ");
	put("config", "a: 'unterminated\n");
	kc_fails("k", -EINVAL, "line 2");
	put("config", "a: *nowhere\n");
	kc_fails("k", -EINVAL, "line 1, column 4: found undefined alias");
	put_bytes("config", "a: \xff\xfe\n", 6);
	kc_fails("k", -EINVAL, "line 1, column 4: invalid leading UTF-8 octet");
	put("config", "");
	kc_fails("k", -EINVAL, ": the file is empty");
	put("config", "# only a comment\n");
	kc_fails("k", -EINVAL, ": the file is empty");
	put("config", "- a\n- b\n");
	kc_fails("k", -EINVAL, ": expected a mapping at the top, got a sequence");
}
END_TEST

START_TEST(kubeconfig_unreadable_file)
{
	struct k8s_config c;
	char want[PATH_MAX + 64];
	int r;

	cfg_init(&c);
	r = k8s_config_kubeconfig(&c, at("absent"), NULL, err, sizeof(err));
	ck_assert_int_eq(r, -ENOENT);
	snprintf(want, sizeof(want), "kubeconfig %s: No such file or directory",
		 at("absent"));
	ck_assert_str_eq(err, want);
	r = k8s_config_kubeconfig(&c, tmp, NULL, err, sizeof(err));
	ck_assert_int_eq(r, -EISDIR);
	k8s_config_fini(&c);
}
END_TEST

/* ---- kube-proxy's precedence and --master ------------------------------ */

START_TEST(load_prefers_the_kubeconfig)
{
	struct k8s_config c;

	put("sa/token", "pod-token");
	in_pod("10.96.0.1", "443");
	two_contexts("current-context: dev");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_load(&c, at("config"), NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(c.token, "dev-token");
	k8s_config_fini(&c);
	ck_assert_int_eq(k8s_config_load(&c, "", "", err, sizeof(err)), 0);
	ck_assert_str_eq(c.token, "pod-token");
	ck_assert_str_eq(c.server, "https://10.96.0.1:443");
	k8s_config_fini(&c);
	ck_assert_int_eq(k8s_config_load(&c, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(c.source, "in-cluster");
	k8s_config_fini(&c);
	/* A broken kubeconfig is an error, not a reason to try in-cluster. */
	put("config", "{");
	ck_assert_int_eq(k8s_config_load(&c, at("config"), NULL, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_null(c.server);
	unsetenv("KUBERNETES_SERVICE_HOST");
	ck_assert_int_eq(k8s_config_load(&c, NULL, NULL, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(c.server);
}
END_TEST

START_TEST(load_master_overrides_the_server)
{
	struct k8s_config c;
	char want[PATH_MAX + 64];

	put("ca.crt", CA_PEM);
	put("config", "clusters: [{name: k, cluster: {server: 'https://old', certificate-authority: ca.crt}}]\n"
		      "users: [{name: u, user: {token: t}}]\n"
		      "contexts: [{name: k, context: {cluster: k, user: u}}]\n"
		      "current-context: k\n");
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_load(&c, at("config"), "https://10.0.0.9:6443/",
					 err, sizeof(err)),
			 0);
	ck_assert_str_eq(c.server, "https://10.0.0.9:6443");
	ck_assert_str_eq(c.ca_file, at("ca.crt"));
	ck_assert_str_eq(c.token, "t");
	snprintf(want, sizeof(want), "kubeconfig %s, context k, server from --master",
		 at("config"));
	ck_assert_str_eq(c.source, want);
	k8s_config_fini(&c);
	/* No scheme: https, since there is a CA. */
	ck_assert_int_eq(k8s_config_load(&c, at("config"), "10.0.0.9:6443", err,
					 sizeof(err)),
			 0);
	ck_assert_str_eq(c.server, "https://10.0.0.9:6443");
	k8s_config_fini(&c);
	ck_assert_int_eq(k8s_config_load(&c, at("config"), "gopher://x", err,
					 sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "--master: \"gopher://x\": the scheme must be https or http");
	ck_assert_ptr_null(c.server);
	ck_assert_ptr_null(c.ca_file);
}
END_TEST

START_TEST(load_master_alone)
{
	struct k8s_config c;

	/* Outside a pod: a server and nothing else, as kube-proxy. */
	cfg_init(&c);
	ck_assert_int_eq(k8s_config_load(&c, NULL, "127.0.0.1:8080", err,
					 sizeof(err)),
			 0);
	ck_assert_str_eq(c.server, "http://127.0.0.1:8080");
	ck_assert_str_eq(c.source, "--master");
	ck_assert_ptr_null(c.token);
	ck_assert_ptr_null(c.token_file);
	ck_assert_ptr_null(c.ca_file);
	k8s_config_fini(&c);
	/* In a pod without a token mounted: the same. */
	in_pod("10.96.0.1", "443");
	ck_assert_int_eq(k8s_config_load(&c, NULL, "https://api:6443", err,
					 sizeof(err)),
			 0);
	ck_assert_str_eq(c.server, "https://api:6443");
	ck_assert_ptr_null(c.token);
	k8s_config_fini(&c);
	/* In a pod: the service account, at the server given. */
	put("sa/token", "pod-token");
	put("sa/ca.crt", CA_PEM);
	ck_assert_int_eq(k8s_config_load(&c, NULL, "api.example:6443", err,
					 sizeof(err)),
			 0);
	ck_assert_str_eq(c.server, "https://api.example:6443");
	ck_assert_str_eq(c.token, "pod-token");
	ck_assert_ptr_nonnull(c.ca_file);
	ck_assert_str_eq(c.source, "in-cluster, server from --master");
	k8s_config_fini(&c);
	/* A pod whose token is broken is an error, not anonymous. */
	put("sa/token", "");
	ck_assert_int_eq(k8s_config_load(&c, NULL, "https://api", err, sizeof(err)),
			 -ENODATA);
	ck_assert_ptr_null(c.server);
}
END_TEST

/* ---- base64 ------------------------------------------------------------ */

START_TEST(base64_round_trips)
{
	unsigned char data[300];
	uint64_t seed = 42;
	size_t n, i, outlen, bad;
	char *enc, *out;

	for (n = 0; n < sizeof(data); n++) {
		for (i = 0; i < n; i++)
			data[i] = (unsigned char)fx_below(&seed, 256);
		enc = b64(data, n);
		ck_assert_int_eq(k8s_cfg_base64(enc, strlen(enc), &out, &outlen, &bad), 0);
		ck_assert_uint_eq(outlen, n);
		ck_assert_int_eq(memcmp(out, data, n), 0);
		ck_assert_int_eq(out[n], '\0');
		free(out);
		free(enc);
	}
}
END_TEST

START_TEST(base64_known_answers)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "", "" },
		{ "Zg==", "f" },
		{ "Zm8=", "fo" },
		{ "Zm9v", "foo" },
		{ "Zm9vYg==", "foob" },
		{ "Zm9vYmE=", "fooba" },
		{ "Zm9vYmFy", "foobar" },
		{ "Zm9v\r\nYmFy\n", "foobar" },
		{ "\nZ\ng\n=\n=\n", "f" },
		{ "Zh==", "f" }, /* non-zero trailing bits: Go's StdEncoding allows them */
		{ "+/+/", "\xfb\xff\xbf" },
	};
	size_t i, outlen, bad;
	char *out;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(k8s_cfg_base64(cases[i].in, strlen(cases[i].in), &out,
					     &outlen, &bad) == 0,
			      "%s", cases[i].in);
		ck_assert_uint_eq(outlen, strlen(cases[i].out));
		ck_assert_str_eq(out, cases[i].out);
		free(out);
	}
}
END_TEST

START_TEST(base64_rejects)
{
	static const struct {
		const char *in;
		size_t bad;
	} cases[] = {
		{ "Zg", 2 },        { "Zg=", 3 },       { "Zm9vY", 5 },
		{ "=Zg=", 0 },      { "Z===", 1 },      { "====", 0 },
		{ "Zg==Zg==", 4 },  { "Zg==\nZ", 5 },   { "Zg=a", 3 },
		{ "Zm9v YmFy", 4 }, { "Zm9v-_==", 4 },  { "Zm9vYmFy=", 8 },
		{ "Zm9vYg===", 8 }, { "Zm\t9v", 2 },
	};
	size_t i, outlen, bad;
	char *out = (char *)1;
	int c, v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = 999;
		ck_assert_msg(k8s_cfg_base64(cases[i].in, strlen(cases[i].in), &out,
					     &outlen, &bad) == -EINVAL,
			      "%s", cases[i].in);
		ck_assert_msg(bad == cases[i].bad, "%s: bad at %zu", cases[i].in, bad);
		ck_assert_ptr_null(out);
	}
	/* Every byte outside the alphabet, in every position of a group. */
	for (c = 0; c < 256; c++) {
		char in[9] = "QUJDREVG";

		if (isalnum(c) || c == '+' || c == '/' || c == '=' || c == '\r' ||
		    c == '\n')
			continue;
		for (v = 0; v < 8; v++) {
			memcpy(in, "QUJDREVG", 8);
			in[v] = (char)c;
			ck_assert_int_eq(k8s_cfg_base64(in, 8, &out, &outlen, &bad),
					 -EINVAL);
			ck_assert_uint_eq(bad, (size_t)v);
		}
	}
}
END_TEST

/* ---- files ------------------------------------------------------------- */

START_TEST(read_file_bounds)
{
	char *buf, big[5000];
	size_t len;

	memset(big, 'x', sizeof(big));
	put_bytes("big", big, sizeof(big));
	ck_assert_int_eq(k8s_cfg_read_file(at("big"), sizeof(big), &buf, &len), 0);
	ck_assert_uint_eq(len, sizeof(big));
	ck_assert_int_eq(buf[len], '\0');
	free(buf);
	ck_assert_int_eq(k8s_cfg_read_file(at("big"), sizeof(big) - 1, &buf, &len),
			 -EFBIG);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(k8s_cfg_read_file(at("big"), 10, &buf, &len), -EFBIG);
	/* Files whose size stat() does not know. */
	ck_assert_int_eq(k8s_cfg_read_file("/proc/self/status", 1 << 20, &buf, &len), 0);
	ck_assert_ptr_nonnull(strstr(buf, "Name:"));
	free(buf);
	put("empty", "");
	ck_assert_int_eq(k8s_cfg_read_file(at("empty"), 10, &buf, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(buf, "");
	free(buf);
}
END_TEST

START_TEST(paths)
{
	char *s;

	s = k8s_cfg_path_join("/", "ca.crt");
	ck_assert_str_eq(s, "/ca.crt");
	free(s);
	s = k8s_cfg_path_join("/etc/kube", "pki/ca.crt");
	ck_assert_str_eq(s, "/etc/kube/pki/ca.crt");
	free(s);
	s = k8s_cfg_path_join("/etc/kube", "/abs");
	ck_assert_str_eq(s, "/abs");
	free(s);
	s = k8s_cfg_dir_of("/config");
	ck_assert_str_eq(s, "/");
	free(s);
	s = k8s_cfg_dir_of("/etc/kube/config");
	ck_assert_str_eq(s, "/etc/kube");
	free(s);
	ck_assert_int_eq(chdir(tmp), 0);
	s = k8s_cfg_dir_of("config");
	ck_assert_str_eq(s, tmp);
	free(s);
	s = k8s_cfg_dir_of("a/b/config");
	ck_assert_str_eq(s, at("a/b"));
	free(s);
}
END_TEST

Suite *k8s_config_suite(void)
{
	Suite *s = suite_create("k8s_config");
	TCase *ic = tcase_create("in-cluster");
	TCase *tok = tcase_create("token");
	TCase *kc = tcase_create("kubeconfig");
	TCase *load = tcase_create("load");
	TCase *low = tcase_create("base64 and files");

	tcase_add_checked_fixture(ic, setup, teardown);
	tcase_add_test(ic, incluster_ipv4);
	tcase_add_test(ic, incluster_ipv6_in_brackets);
	tcase_add_test(ic, incluster_without_ca_uses_the_system_store);
	tcase_add_test(ic, incluster_missing_env);
	tcase_add_test(ic, incluster_missing_or_bad_token);
	tcase_add_test(ic, incluster_reload_frees_the_old);
	suite_add_tcase(s, ic);

	tcase_add_checked_fixture(tok, setup, teardown);
	tcase_add_test(tok, token_is_reread_after_max_age);
	tcase_add_test(tok, token_force_rereads_at_once);
	tcase_add_test(tok, token_max_age_is_a_parameter);
	tcase_add_test(tok, token_reread_failure_keeps_the_last_good_one);
	tcase_add_test(tok, token_real_clock);
	tcase_add_test(tok, token_static_and_none);
	tcase_add_test(tok, token_file_wins_over_token_and_rotates);
	suite_add_tcase(s, tok);

	tcase_add_checked_fixture(kc, setup, teardown);
	tcase_add_test(kc, kubeconfig_current_context);
	tcase_add_test(kc, kubeconfig_explicit_context);
	tcase_add_test(kc, kubeconfig_missing_names);
	tcase_add_test(kc, kubeconfig_duplicate_and_malformed_entries);
	tcase_add_test(kc, kubeconfig_files_relative_to_the_kubeconfig);
	tcase_add_test(kc, kubeconfig_embedded_data);
	tcase_add_test(kc, kubeconfig_base64_wrapped_in_a_block_scalar);
	tcase_add_test(kc, kubeconfig_bad_base64);
	tcase_add_test(kc, kubeconfig_empty_values_are_absent);
	tcase_add_test(kc, kubeconfig_flow_style);
	tcase_add_test(kc, kubeconfig_quoted_strings);
	tcase_add_test(kc, kubeconfig_anchors_and_aliases);
	tcase_add_test(kc, kubeconfig_booleans);
	tcase_add_test(kc, kubeconfig_server_forms);
	tcase_add_test(kc, kubeconfig_conflicts);
	tcase_add_test(kc, kubeconfig_missing_files);
	tcase_add_test(kc, kubeconfig_unsupported_auth);
	tcase_add_test(kc, kubeconfig_malformed_yaml);
	tcase_add_test(kc, kubeconfig_unreadable_file);
	suite_add_tcase(s, kc);

	tcase_add_checked_fixture(load, setup, teardown);
	tcase_add_test(load, load_prefers_the_kubeconfig);
	tcase_add_test(load, load_master_overrides_the_server);
	tcase_add_test(load, load_master_alone);
	suite_add_tcase(s, load);

	tcase_add_checked_fixture(low, setup, teardown);
	tcase_add_test(low, base64_round_trips);
	tcase_add_test(low, base64_known_answers);
	tcase_add_test(low, base64_rejects);
	tcase_add_test(low, read_file_bounds);
	tcase_add_test(low, paths);
	suite_add_tcase(s, low);
	return s;
}
