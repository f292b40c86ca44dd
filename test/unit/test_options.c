/*
 * test/unit/test_options.c - agent/options.c: kube-proxy's flag names and
 * defaults, both spellings of every flag (--flag=value, --flag value),
 * lists, and every way to get it wrong.
 *
 * The parser prints usage and complaints; the fixture sends stdout and
 * stderr to /dev/null for the length of each test (and back, so that
 * CK_FORK=no still shows Check's report).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/options.h"
#include "suites.h"

#define MAX_ARGV 128

/* Every argv handed to the parser; the options point into them. */
static char **argvs[64];
static size_t nargvs;
static int saved_out = -1, saved_err = -1;

static void setup(void)
{
	int null = open("/dev/null", O_WRONLY);

	ck_assert_int_ge(null, 0);
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(null, 1);
	dup2(null, 2);
	close(null);
	nargvs = 0;
}

static void teardown(void)
{
	size_t i, j;

	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	for (i = 0; i < nargvs; i++) {
		for (j = 0; argvs[i][j]; j++)
			free(argvs[i][j]);
		free(argvs[i]);
	}
	nargvs = 0;
}

/* A writable copy of @args (NULL-terminated, program name first). */
static int parse_v(struct agent_options *o, const char *const *args)
{
	char **argv = calloc(MAX_ARGV + 1, sizeof(*argv));
	int argc;

	ck_assert_ptr_nonnull(argv);
	ck_assert_uint_lt(nargvs, sizeof(argvs) / sizeof(argvs[0]));
	for (argc = 0; args[argc]; argc++) {
		ck_assert_int_lt(argc, MAX_ARGV);
		argv[argc] = strdup(args[argc]);
		ck_assert_ptr_nonnull(argv[argc]);
	}
	argvs[nargvs++] = argv;
	return agent_options_parse(o, argc, argv);
}

/* parse(o, "--flag", ..., NULL): the program name is added. */
static int parse(struct agent_options *o, ...)
{
	const char *args[MAX_ARGV + 1] = { "ipvsagent" };
	va_list ap;
	int n = 1;

	va_start(ap, o);
	while ((args[n] = va_arg(ap, const char *)) != NULL) {
		n++;
		ck_assert_int_lt(n, MAX_ARGV);
	}
	va_end(ap);
	return parse_v(o, args);
}

START_TEST(defaults)
{
	struct agent_options o;
	char host[256] = "";

	ck_assert_int_eq(parse(&o, "--services-file=/srv/objects.json", NULL), 0);
	ck_assert_str_eq(o.services_file, "/srv/objects.json");
	ck_assert_ptr_null(o.kubeconfig);
	ck_assert_ptr_null(o.master);
	gethostname(host, sizeof(host) - 1);
	ck_assert_str_eq(o.hostname, host);
	ck_assert_str_eq(o.scheduler, "rr");
	ck_assert(o.sync_period == 30);
	ck_assert(o.min_sync_period == 0);
	ck_assert(o.graceful_period == 15 * 60);
	ck_assert(o.tcp_timeout == 0);
	ck_assert(o.tcpfin_timeout == 0);
	ck_assert(o.udp_timeout == 0);
	ck_assert_int_eq(o.strict_arp, 0);
	ck_assert_uint_eq(o.nexclude_cidrs, 0);
	ck_assert_uint_eq(o.nnodeport_addrs, 0);
	ck_assert_str_eq(o.dummy_interface, "kube-ipvs0");
	ck_assert_str_eq(o.state_dir, "/run/ipvsagent");
	ck_assert_str_eq(o.metrics_bind, "127.0.0.1:10249");
	ck_assert_str_eq(o.healthz_bind, "0.0.0.0:10256");
	ck_assert_int_eq(o.metrics_service_traffic, 1);
	ck_assert_int_eq(o.cleanup, 0);
	ck_assert_int_eq(o.dry_run, 0);
	ck_assert_int_eq(o.verbosity, 0);
}
END_TEST

/* ---- every flag, both spellings ------------------------------------------- */

enum kind { STR, HOST, DBL, INT, LIST, NONE };

static const struct {
	const char *flag;
	const char *value;
	enum kind kind;
	size_t off;          /* of the field in struct agent_options */
	double num;          /* DBL, INT: the value; LIST: the count */
	const char *first;   /* LIST: the first entry */
	size_t noff;         /* LIST: offset of the count */
} flags[] = {
#define F(name) offsetof(struct agent_options, name)
	{ "services-file", "/srv/objects.json", STR, F(services_file), 0, NULL, 0 },
	{ "kubeconfig", "/etc/kubernetes/kube-proxy.conf", STR, F(kubeconfig), 0, NULL, 0 },
	{ "master", "https://10.0.0.1:6443", STR, F(master), 0, NULL, 0 },
	{ "hostname-override", "node-7.example.com", HOST, F(hostname), 0, NULL, 0 },
	{ "ipvs-scheduler", "wlc", STR, F(scheduler), 0, NULL, 0 },
	{ "ipvs-sync-period", "1m", DBL, F(sync_period), 60, NULL, 0 },
	{ "ipvs-min-sync-period", "500ms", DBL, F(min_sync_period), 0.5, NULL, 0 },
	{ "ipvs-graceful-period", "1h30m", DBL, F(graceful_period), 5400, NULL, 0 },
	{ "ipvs-tcp-timeout", "15m", DBL, F(tcp_timeout), 900, NULL, 0 },
	{ "ipvs-tcpfin-timeout", "30s", DBL, F(tcpfin_timeout), 30, NULL, 0 },
	{ "ipvs-udp-timeout", "2.5s", DBL, F(udp_timeout), 2.5, NULL, 0 },
	{ "ipvs-exclude-cidrs", "10.0.0.0/8,fd00::/8", LIST, F(exclude_cidrs), 2, "10.0.0.0/8",
	  F(nexclude_cidrs) },
	{ "nodeport-addresses", "192.168.0.0/16", LIST, F(nodeport_addrs), 1, "192.168.0.0/16",
	  F(nnodeport_addrs) },
	{ "dummy-interface", "ipvs0", STR, F(dummy_interface), 0, NULL, 0 },
	{ "state-dir", "/var/lib/ipvsagent", STR, F(state_dir), 0, NULL, 0 },
	{ "metrics-bind-address", "0.0.0.0:10249", STR, F(metrics_bind), 0, NULL, 0 },
	{ "healthz-bind-address", "[::]:10256", STR, F(healthz_bind), 0, NULL, 0 },
	{ "proxy-mode", "ipvs", NONE, 0, 0, NULL, 0 },
	{ "v", "4", INT, F(verbosity), 4, NULL, 0 },
#undef F
};

static void check_flag(const struct agent_options *o, size_t i)
{
	const char *p = (const char *)o + flags[i].off;

	switch (flags[i].kind) {
	case STR:
		ck_assert_str_eq(*(const char *const *)p, flags[i].value);
		break;
	case HOST:
		ck_assert_str_eq(p, flags[i].value);
		break;
	case DBL:
		ck_assert_msg(*(const double *)p == flags[i].num, "--%s: %g",
			      flags[i].flag, *(const double *)p);
		break;
	case INT:
		ck_assert_int_eq(*(const int *)p, (int)flags[i].num);
		break;
	case LIST:
		ck_assert_uint_eq(*(const size_t *)((const char *)o + flags[i].noff),
				  (size_t)flags[i].num);
		ck_assert_str_eq(*(const char *const *)p, flags[i].first);
		break;
	case NONE:
		break;
	}
}

START_TEST(flag_with_equals)
{
	struct agent_options o;
	char arg[256];

	snprintf(arg, sizeof(arg), "--%s=%s", flags[_i].flag, flags[_i].value);
	ck_assert_msg(parse(&o, "--master=https://api:6443", arg, NULL) == 0, "%s", arg);
	if (strcmp(flags[_i].flag, "master"))
		ck_assert_str_eq(o.master, "https://api:6443");
	check_flag(&o, (size_t)_i);
}
END_TEST

START_TEST(flag_then_value)
{
	struct agent_options o;
	char arg[256];

	snprintf(arg, sizeof(arg), "--%s", flags[_i].flag);
	ck_assert_msg(parse(&o, "--master=https://api:6443", arg, flags[_i].value,
			    NULL) == 0, "%s %s", arg, flags[_i].value);
	check_flag(&o, (size_t)_i);
}
END_TEST

/* All of them at once, the flags before and after a mix of spellings. */
START_TEST(all_flags_together)
{
	const char *args[2 * (sizeof(flags) / sizeof(flags[0])) + 2] = { "ipvsagent" };
	char eq[sizeof(flags) / sizeof(flags[0])][256];
	struct agent_options o;
	size_t i, n = 1;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		snprintf(eq[i], sizeof(eq[i]), "--%s%s%s", flags[i].flag,
			 i % 2 ? "=" : "", i % 2 ? flags[i].value : "");
		args[n++] = eq[i];
		if (i % 2 == 0)
			args[n++] = flags[i].value;
	}
	args[n] = NULL;
	ck_assert_int_eq(parse_v(&o, args), 0);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		check_flag(&o, i);
}
END_TEST

/* Booleans (kube-proxy's are pflag booleans): bare, or =value only. */
static const struct {
	const char *arg;
	int rc;
	int value;
} bools[] = {
	{ "--ipvs-strict-arp", 0, 1 },
	{ "--ipvs-strict-arp=true", 0, 1 },
	{ "--ipvs-strict-arp=1", 0, 1 },
	{ "--ipvs-strict-arp=false", 0, 0 },
	{ "--ipvs-strict-arp=0", 0, 0 },
	{ "--ipvs-strict-arp=yes", -EINVAL, 0 },
	{ "--ipvs-strict-arp=", -EINVAL, 0 },
	{ "--cleanup", 0, 1 },
	{ "--cleanup=true", 0, 1 },
	{ "--cleanup=false", 0, 0 },
	{ "--cleanup=maybe", -EINVAL, 0 },
	{ "--dry-run", 0, 1 },
	{ "--dry-run=true", -EINVAL, 0 },
	{ "--metrics-service-traffic", 0, 1 },
	{ "--metrics-service-traffic=false", 0, 0 },
	{ "--metrics-service-traffic=0", 0, 0 },
	{ "--metrics-service-traffic=true", 0, 1 },
	{ "--metrics-service-traffic=off", -EINVAL, 0 },
};

START_TEST(booleans)
{
	struct agent_options o;
	int rc = parse(&o, "--kubeconfig=/k", bools[_i].arg, NULL);

	ck_assert_msg(rc == bools[_i].rc, "%s: %d", bools[_i].arg, rc);
	if (rc)
		return;
	if (strstr(bools[_i].arg, "strict-arp"))
		ck_assert_int_eq(o.strict_arp, bools[_i].value);
	else if (strstr(bools[_i].arg, "cleanup"))
		ck_assert_int_eq(o.cleanup, bools[_i].value);
	else if (strstr(bools[_i].arg, "service-traffic"))
		ck_assert_int_eq(o.metrics_service_traffic, bools[_i].value);
	else
		ck_assert_int_eq(o.dry_run, bools[_i].value);
}
END_TEST

/* "--ipvs-strict-arp false" is the flag and a stray argument, as in
 * kube-proxy. */
START_TEST(boolean_does_not_take_the_next_argument)
{
	struct agent_options o;

	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", "--ipvs-strict-arp", "false", NULL),
			 -EINVAL);
}
END_TEST

/* Every way klog's -v is written. */
START_TEST(verbosity_spellings)
{
	static const char *const forms[][2] = {
		{ "-v", "3" }, { "-v3", NULL }, { "--v=3", NULL }, { "--v", "3" },
		{ "-v=3", NULL },
	};
	struct agent_options o;
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		ck_assert_msg(parse(&o, "--kubeconfig=/k", forms[i][0], forms[i][1], NULL) == 0,
			      "%s %s", forms[i][0], forms[i][1] ? forms[i][1] : "");
		ck_assert_msg(o.verbosity == 3, "%s: %d", forms[i][0], o.verbosity);
	}
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", "--v=abc", NULL), -EINVAL);
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", "--v=", NULL), -EINVAL);
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", "--v=2x", NULL), -EINVAL);
}
END_TEST

/* The last of a repeated flag wins, as in pflag. */
START_TEST(repeated_flag_last_wins)
{
	struct agent_options o;

	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", "--ipvs-scheduler=lc",
			       "--ipvs-scheduler", "sh", "--ipvs-sync-period=1m",
			       "--ipvs-sync-period=10s", NULL), 0);
	ck_assert_str_eq(o.scheduler, "sh");
	ck_assert(o.sync_period == 10);
}
END_TEST

/* ---- lists -------------------------------------------------------------------- */

START_TEST(lists_split_on_commas)
{
	struct agent_options o;

	ck_assert_int_eq(parse(&o, "--kubeconfig=/k",
			       "--ipvs-exclude-cidrs=10.0.0.0/8,,192.168.0.0/16,fd00::/8,",
			       "--nodeport-addresses", "primary", NULL), 0);
	ck_assert_uint_eq(o.nexclude_cidrs, 3);
	ck_assert_str_eq(o.exclude_cidrs[0], "10.0.0.0/8");
	ck_assert_str_eq(o.exclude_cidrs[1], "192.168.0.0/16");
	ck_assert_str_eq(o.exclude_cidrs[2], "fd00::/8");
	ck_assert_uint_eq(o.nnodeport_addrs, 1);
	ck_assert_str_eq(o.nodeport_addrs[0], "primary");
}
END_TEST

/* A repeated list flag adds to the list. */
START_TEST(lists_accumulate)
{
	struct agent_options o;

	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", "--nodeport-addresses=10.0.0.0/8",
			       "--nodeport-addresses", "192.168.0.0/16,fd00::/64", NULL), 0);
	ck_assert_uint_eq(o.nnodeport_addrs, 3);
	ck_assert_str_eq(o.nodeport_addrs[0], "10.0.0.0/8");
	ck_assert_str_eq(o.nodeport_addrs[1], "192.168.0.0/16");
	ck_assert_str_eq(o.nodeport_addrs[2], "fd00::/64");
	ck_assert_uint_eq(o.nexclude_cidrs, 0);
}
END_TEST

/* AGENT_MAX_LIST entries fit; one more is refused. */
START_TEST(lists_are_bounded)
{
	struct agent_options o;
	char list[AGENT_MAX_LIST * 16 + 32];
	size_t i, off = 0;

	off += (size_t)snprintf(list, sizeof(list), "--ipvs-exclude-cidrs=");
	for (i = 0; i < AGENT_MAX_LIST; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s10.%zu.0.0/16",
					i ? "," : "", i);
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", list, NULL), 0);
	ck_assert_uint_eq(o.nexclude_cidrs, AGENT_MAX_LIST);
	ck_assert_str_eq(o.exclude_cidrs[AGENT_MAX_LIST - 1], "10.31.0.0/16");
	snprintf(list + off, sizeof(list) - off, ",10.99.0.0/16");
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", list, NULL), -EINVAL);
}
END_TEST

/* ---- errors -------------------------------------------------------------------- */

static const char *const duration_flags[] = {
	"ipvs-sync-period", "ipvs-min-sync-period", "ipvs-graceful-period",
	"ipvs-tcp-timeout", "ipvs-tcpfin-timeout", "ipvs-udp-timeout",
};

START_TEST(bad_durations)
{
	static const char *const bad[] = { "5", "-1s", "abc", "", "1x", "1m-1s", "30 s" };
	struct agent_options o;
	char arg[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(arg, sizeof(arg), "--%s=%s", duration_flags[_i], bad[i]);
		ck_assert_msg(parse(&o, "--kubeconfig=/k", arg, NULL) == -EINVAL, "%s", arg);
		snprintf(arg, sizeof(arg), "--%s", duration_flags[_i]);
		ck_assert_msg(parse(&o, "--kubeconfig=/k", arg, bad[i], NULL) == -EINVAL,
			      "%s %s", arg, bad[i]);
	}
	snprintf(arg, sizeof(arg), "--%s=0", duration_flags[_i]);
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", arg, NULL), 0);
}
END_TEST

START_TEST(unknown_or_malformed_flags)
{
	static const char *const bad[][3] = {
		{ "--no-such-flag", NULL, NULL },
		{ "--no-such-flag=1", NULL, NULL },
		{ "-x", NULL, NULL },
		{ "-q", "1", NULL },
		{ "stray", NULL, NULL },
		{ "--kubeconfig=/k", "stray", NULL },
		{ "--ipvs-scheduler", NULL, NULL },   /* value missing */
		{ "-v", NULL, NULL },
		{ "--dry-run=1", NULL, NULL },
		{ "--hostname-override=", NULL, NULL },
	};
	struct agent_options o;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(&o, "--services-file=/f", bad[i][0], bad[i][1],
				    bad[i][2]) == -EINVAL, "%s", bad[i][0]);
}
END_TEST

/* kube-proxy's bind addresses: IP:PORT, [IPv6]:PORT, a bare IP (its
 * default port), or empty / port 0 for off; anything else is refused. */
START_TEST(bind_addresses)
{
	static const char *const good[] = {
		"0.0.0.0:10249", "127.0.0.1:1", "[::]:10256", "[fd00::1]:80",
		"192.168.1.1", "::1", ":10249", "", "0.0.0.0:0", "[::1]:65535",
	};
	static const char *const bad[] = {
		"localhost:10249", "1.2.3.4:99999", "1.2.3.4:", "[::1]", "[::1]10249",
		"1.2.3.4:-1", "1.2.3.999:80", "[]:80", "1.2.3.4:80x", "[::1]:+80",
		"10.0.0.0/8",
	};
	struct agent_options o;
	char arg[128];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(arg, sizeof(arg), "--metrics-bind-address=%s", good[i]);
		ck_assert_msg(parse(&o, "--kubeconfig=/k", arg, NULL) == 0, "%s", arg);
		ck_assert_str_eq(o.metrics_bind, good[i]);
		snprintf(arg, sizeof(arg), "--healthz-bind-address=%s", good[i]);
		ck_assert_msg(parse(&o, "--kubeconfig=/k", arg, NULL) == 0, "%s", arg);
		ck_assert_str_eq(o.healthz_bind, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(arg, sizeof(arg), "--metrics-bind-address=%s", bad[i]);
		ck_assert_msg(parse(&o, "--kubeconfig=/k", arg, NULL) == -EINVAL,
			      "%s", arg);
		snprintf(arg, sizeof(arg), "--healthz-bind-address=%s", bad[i]);
		ck_assert_msg(parse(&o, "--kubeconfig=/k", arg, NULL) == -EINVAL,
			      "%s", arg);
	}
}
END_TEST

START_TEST(hostname_length)
{
	struct agent_options o;
	char arg[512];

	snprintf(arg, sizeof(arg), "--hostname-override=%0255d", 0);
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", arg, NULL), 0);
	ck_assert_uint_eq(strlen(o.hostname), 255);
	snprintf(arg, sizeof(arg), "--hostname-override=%0256d", 0);
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", arg, NULL), -EINVAL);
}
END_TEST

START_TEST(help_and_version)
{
	struct agent_options o;

	ck_assert_int_eq(parse(&o, "--help", NULL), 1);
	ck_assert_int_eq(parse(&o, "-h", NULL), 1);
	ck_assert_int_eq(parse(&o, "--version", NULL), 1);
	/* Even with other flags (and without a source). */
	ck_assert_int_eq(parse(&o, "--ipvs-scheduler=lc", "--help", NULL), 1);
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", "--version", "--help", NULL), 1);
}
END_TEST

/* No source flag is the API server through the pod's service account. */
START_TEST(sources)
{
	struct agent_options o;

	ck_assert_int_eq(parse(&o, NULL), 0);
	ck_assert_ptr_null(o.services_file);
	ck_assert_ptr_null(o.kubeconfig);
	ck_assert_ptr_null(o.master);
	ck_assert_int_eq(parse(&o, "--ipvs-scheduler=lc", "--dry-run", NULL), 0);
	ck_assert_int_eq(parse(&o, "--services-file=/f", NULL), 0);
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", NULL), 0);
	ck_assert_int_eq(parse(&o, "--master=https://api:6443", NULL), 0);
	ck_assert_int_eq(parse(&o, "--cleanup", NULL), 0);
	ck_assert_int_eq(o.cleanup, 1);
	ck_assert_int_eq(parse(&o, "--cleanup=false", NULL), 0);
	ck_assert_int_eq(o.cleanup, 0);
}
END_TEST

START_TEST(proxy_mode_only_ipvs)
{
	static const char *const modes[] = { "iptables", "nftables", "userspace",
					     "kernelspace", "", "IPVS" };
	struct agent_options o;
	char arg[64];
	size_t i;

	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", "--proxy-mode=ipvs", NULL), 0);
	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", "--proxy-mode", "ipvs", NULL), 0);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(arg, sizeof(arg), "--proxy-mode=%s", modes[i]);
		ck_assert_msg(parse(&o, "--kubeconfig=/k", arg, NULL) == -EINVAL, "%s", arg);
	}
}
END_TEST

/* Parsing again starts afresh: nothing of the last argv is left in the
 * options or in getopt's state, even after a parse that stopped in the
 * middle of "-hv". */
START_TEST(parse_again_starts_afresh)
{
	struct agent_options o;

	ck_assert_int_eq(parse(&o, "--kubeconfig=/k", "--ipvs-scheduler=lc", "-v", "5",
			       "--nodeport-addresses=10.0.0.0/8,primary", NULL), 0);
	ck_assert_int_eq(parse(&o, "-hv", NULL), 1);
	ck_assert_int_eq(parse(&o, "--services-file=/f", NULL), 0);
	ck_assert_str_eq(o.scheduler, "rr");
	ck_assert_int_eq(o.verbosity, 0);
	ck_assert_uint_eq(o.nnodeport_addrs, 0);
	ck_assert_ptr_null(o.kubeconfig);
	ck_assert_int_eq(parse(&o, "--no-such-flag", NULL), -EINVAL);
	ck_assert_int_eq(parse(&o, "--services-file", "/g", "-v2", NULL), 0);
	ck_assert_str_eq(o.services_file, "/g");
	ck_assert_int_eq(o.verbosity, 2);
}
END_TEST

START_TEST(usage_mentions_every_flag)
{
	static const char *const more[] = { "--config FILE ", "ipvs-strict-arp", "cleanup", "dry-run",
					    "metrics-service-traffic", "help",
					    "version", "ipvsagent status" };
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	agent_options_usage(f);
	fclose(f);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		char flag[64];

		snprintf(flag, sizeof(flag), "--%s ", flags[i].flag);
		ck_assert_msg(strstr(text, flag), "usage lacks %s", flag);
	}
	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		ck_assert_msg(strstr(text, more[i]), "usage lacks %s", more[i]);
	free(text);
}
END_TEST

Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *ok = tcase_create("flags");
	TCase *bad = tcase_create("errors");
	int nflags = (int)(sizeof(flags) / sizeof(flags[0]));

	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_test(ok, defaults);
	tcase_add_loop_test(ok, flag_with_equals, 0, nflags);
	tcase_add_loop_test(ok, flag_then_value, 0, nflags);
	tcase_add_test(ok, all_flags_together);
	tcase_add_loop_test(ok, booleans, 0, (int)(sizeof(bools) / sizeof(bools[0])));
	tcase_add_test(ok, boolean_does_not_take_the_next_argument);
	tcase_add_test(ok, verbosity_spellings);
	tcase_add_test(ok, repeated_flag_last_wins);
	tcase_add_test(ok, lists_split_on_commas);
	tcase_add_test(ok, lists_accumulate);
	tcase_add_test(ok, lists_are_bounded);
	tcase_add_test(ok, help_and_version);
	tcase_add_test(ok, sources);
	tcase_add_test(ok, parse_again_starts_afresh);
	tcase_add_test(ok, usage_mentions_every_flag);
	suite_add_tcase(s, ok);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_loop_test(bad, bad_durations, 0,
			    (int)(sizeof(duration_flags) / sizeof(duration_flags[0])));
	tcase_add_test(bad, unknown_or_malformed_flags);
	tcase_add_test(bad, hostname_length);
	tcase_add_test(bad, bind_addresses);
	tcase_add_test(bad, proxy_mode_only_ipvs);
	suite_add_tcase(s, bad);
	return s;
}
