/*
 * test/unit/test_options_config.c - agent/options_config.c: --config with
 * kube-proxy's KubeProxyConfiguration, as kubeadm writes it and in every
 * way it can be written or be wrong: each field ipvsagent maps, the flags
 * that override the file, the fields it ignores, YAML and JSON, and a
 * message with the field and the line for every problem.
 *
 * Each test gets a fresh directory for the file; stderr goes to a
 * temporary file the test can read (the messages are part of what is
 * tested), stdout to /dev/null.
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

#define MAX_ARGS 16

/* kubeadm's config.conf (v1.29 to v1.33, `kubeadm init` defaults with
 * podSubnet 10.244.0.0/16), as the kube-proxy ConfigMap holds it. */
#define KUBEADM_HEAD                                                        \
	"apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"                    \
	"bindAddress: 0.0.0.0\n"                                            \
	"bindAddressHardFail: false\n"                                      \
	"clientConnection:\n"                                               \
	"  acceptContentTypes: \"\"\n"                                      \
	"  burst: 0\n"                                                      \
	"  contentType: \"\"\n"                                             \
	"  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\n"               \
	"  qps: 0\n"                                                        \
	"clusterCIDR: 10.244.0.0/16\n"                                      \
	"configSyncPeriod: 0s\n"                                            \
	"conntrack:\n"                                                      \
	"  maxPerCore: null\n"                                              \
	"  min: null\n"                                                     \
	"  tcpBeLiberal: false\n"                                           \
	"  tcpCloseWaitTimeout: null\n"                                     \
	"  tcpEstablishedTimeout: null\n"                                   \
	"  udpStreamTimeout: 0s\n"                                          \
	"  udpTimeout: 0s\n"                                                \
	"detectLocal:\n"                                                    \
	"  bridgeInterface: \"\"\n"                                         \
	"  interfaceNamePrefix: \"\"\n"                                     \
	"detectLocalMode: \"\"\n"                                           \
	"enableProfiling: false\n"                                          \
	"healthzBindAddress: \"\"\n"                                        \
	"hostnameOverride: \"\"\n"                                          \
	"iptables:\n"                                                       \
	"  localhostNodePorts: null\n"                                      \
	"  masqueradeAll: false\n"                                          \
	"  masqueradeBit: null\n"                                           \
	"  minSyncPeriod: 0s\n"                                             \
	"  syncPeriod: 0s\n"                                                \
	"ipvs:\n"                                                           \
	"  excludeCIDRs: null\n"                                            \
	"  minSyncPeriod: 0s\n"                                             \
	"  scheduler: \"\"\n"                                               \
	"  strictARP: false\n"                                              \
	"  syncPeriod: 0s\n"                                                \
	"  tcpFinTimeout: 0s\n"                                             \
	"  tcpTimeout: 0s\n"                                                \
	"  udpTimeout: 0s\n"                                                \
	"kind: KubeProxyConfiguration\n"                                    \
	"logging:\n"                                                        \
	"  flushFrequency: 0\n"                                             \
	"  options:\n"                                                      \
	"    json:\n"                                                       \
	"      infoBufferSize: \"0\"\n"                                     \
	"    text:\n"                                                       \
	"      infoBufferSize: \"0\"\n"                                     \
	"  verbosity: 0\n"                                                  \
	"metricsBindAddress: \"\"\n"

#define KUBEADM_TAIL                                                        \
	"nftables:\n"                                                       \
	"  masqueradeAll: false\n"                                          \
	"  masqueradeBit: null\n"                                           \
	"  minSyncPeriod: 0s\n"                                             \
	"  syncPeriod: 0s\n"                                                \
	"nodePortAddresses: null\n"                                         \
	"oomScoreAdj: null\n"                                               \
	"portRange: \"\"\n"                                                 \
	"showHiddenMetricsForVersion: \"\"\n"                               \
	"winkernel:\n"                                                      \
	"  enableDSR: false\n"                                              \
	"  forwardHealthCheckVip: false\n"                                  \
	"  networkName: \"\"\n"                                             \
	"  rootHnsEndpointName: \"\"\n"                                     \
	"  sourceVip: \"\"\n"

/* `kube-proxy --write-config-to` (v1.31): every default spelled out. */
static const char defaulted[] =
	"apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"
	"bindAddress: 0.0.0.0\n"
	"bindAddressHardFail: false\n"
	"clientConnection:\n"
	"  acceptContentTypes: \"\"\n"
	"  burst: 10\n"
	"  contentType: application/vnd.kubernetes.protobuf\n"
	"  kubeconfig: \"\"\n"
	"  qps: 5\n"
	"clusterCIDR: \"\"\n"
	"configSyncPeriod: 15m0s\n"
	"conntrack:\n"
	"  maxPerCore: 32768\n"
	"  min: 131072\n"
	"  tcpBeLiberal: false\n"
	"  tcpCloseWaitTimeout: 1h0m0s\n"
	"  tcpEstablishedTimeout: 24h0m0s\n"
	"  udpStreamTimeout: 0s\n"
	"  udpTimeout: 0s\n"
	"detectLocal:\n"
	"  bridgeInterface: \"\"\n"
	"  interfaceNamePrefix: \"\"\n"
	"detectLocalMode: ClusterCIDR\n"
	"enableProfiling: false\n"
	"healthzBindAddress: 0.0.0.0:10256\n"
	"hostnameOverride: \"\"\n"
	"iptables:\n"
	"  localhostNodePorts: true\n"
	"  masqueradeAll: false\n"
	"  masqueradeBit: 14\n"
	"  minSyncPeriod: 1s\n"
	"  syncPeriod: 30s\n"
	"ipvs:\n"
	"  excludeCIDRs: null\n"
	"  minSyncPeriod: 0s\n"
	"  scheduler: \"\"\n"
	"  strictARP: false\n"
	"  syncPeriod: 30s\n"
	"  tcpFinTimeout: 0s\n"
	"  tcpTimeout: 0s\n"
	"  udpTimeout: 0s\n"
	"kind: KubeProxyConfiguration\n"
	"logging:\n"
	"  flushFrequency: 5s\n"
	"  format: text\n"
	"  options:\n"
	"    json:\n"
	"      infoBufferSize: \"0\"\n"
	"    text:\n"
	"      infoBufferSize: \"0\"\n"
	"  verbosity: 0\n"
	"metricsBindAddress: 127.0.0.1:10249\n"
	"mode: \"\"\n"
	"nftables:\n"
	"  masqueradeAll: false\n"
	"  masqueradeBit: 14\n"
	"  minSyncPeriod: 1s\n"
	"  syncPeriod: 30s\n"
	"nodePortAddresses: null\n"
	"oomScoreAdj: -999\n"
	"portRange: \"\"\n"
	"showHiddenMetricsForVersion: \"\"\n"
	"winkernel:\n"
	"  enableDSR: false\n"
	"  forwardHealthCheckVip: false\n"
	"  networkName: \"\"\n"
	"  rootHnsEndpointName: \"\"\n"
	"  sourceVip: \"\"\n";

#define HEAD                                                                \
	"apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"                    \
	"kind: KubeProxyConfiguration\n"

/* ---- fixture ----------------------------------------------------------- */

static char dir[64];          /* this test's directory */
static char file[96];         /* dir/config.conf */
static char host[256];        /* the machine's name: the default */
static FILE *errf;            /* what went to stderr */
static int saved_out = -1, saved_err = -1;
static struct agent_options opts[32];   /* each parse, to free */
static size_t nopts;
static char *args[256];                 /* the argv strings, to free */
static size_t nargs;

static void setup(void)
{
	int null = open("/dev/null", O_WRONLY);

	snprintf(dir, sizeof(dir), "/tmp/ipvsagent-options-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/config.conf", dir);
	gethostname(host, sizeof(host) - 1);
	ck_assert_int_ge(null, 0);
	ck_assert_ptr_nonnull(errf = tmpfile());
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(null, 1);
	dup2(fileno(errf), 2);
	close(null);
	nopts = 0;
}

static void teardown(void)
{
	size_t i;

	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	fclose(errf);
	for (i = 0; i < nopts; i++)
		agent_options_fini(&opts[i]);
	nopts = 0;
	for (i = 0; i < nargs; i++)
		free(args[i]);
	nargs = 0;
	unlink(file);
	rmdir(dir);
}

/* What the parses printed so far, NUL-terminated. */
static const char *errout(void)
{
	static char text[8192];
	size_t n;

	fflush(stderr);
	n = (size_t)pread(fileno(errf), text, sizeof(text) - 1, 0);
	text[n < sizeof(text) ? n : 0] = '\0';
	return text;
}

/* How often @frag was printed. */
static int printed(const char *frag)
{
	const char *p = errout();
	int n = 0;

	while ((p = strstr(p, frag))) {
		n++;
		p++;
	}
	return n;
}

/* How many warnings (klog lines "W..."). */
static int warnings(void)
{
	const char *p = errout();
	int n = *p == 'W';

	while ((p = strstr(p, "\nW")))
		n++, p++;
	return n;
}

static void put(const char *text)
{
	FILE *f = fopen(file, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
}

/* Parse "ipvsagent ARGS..." (NULL-terminated) into the next of opts[],
 * from writable copies (list flags are cut in place). */
static int run(struct agent_options **o, ...)
{
	char *argv[MAX_ARGS + 1] = { NULL };
	const char *a = "ipvsagent";
	int argc = 0;
	va_list ap;

	ck_assert_uint_lt(nopts, sizeof(opts) / sizeof(opts[0]));
	va_start(ap, o);
	for (; a; a = va_arg(ap, const char *)) {
		ck_assert_int_lt(argc, MAX_ARGS);
		ck_assert_uint_lt(nargs, sizeof(args) / sizeof(args[0]));
		ck_assert_ptr_nonnull(argv[argc++] = args[nargs++] = strdup(a));
	}
	va_end(ap);
	*o = &opts[nopts++];
	return agent_options_parse(*o, argc, argv);
}

/* --config with @text, and maybe more flags. */
#define load(o, text, ...) (put(text), run(o, "--config", file, ##__VA_ARGS__, NULL))

/* The first option in which @a and @b differ, by name; NULL when none
 * does (--config itself aside).  Every field of struct agent_options. */
static const char *differs(const struct agent_options *a, const struct agent_options *b)
{
#define STR(f) if (!a->f != !b->f || (a->f && strcmp(a->f, b->f))) return #f
#define NUM(f) if (a->f != b->f) return #f
#define LIST(f, n) NUM(n); for (i = 0; i < a->n; i++) if (strcmp(a->f[i], b->f[i])) return #f
	size_t i;

	STR(services_file); STR(kubeconfig); STR(master); STR(scheduler);
	if (strcmp(a->hostname, b->hostname))
		return "hostname";
	NUM(sync_period); NUM(min_sync_period); NUM(graceful_period);
	NUM(tcp_timeout); NUM(tcpfin_timeout); NUM(udp_timeout); NUM(strict_arp);
	LIST(exclude_cidrs, nexclude_cidrs);
	LIST(nodeport_addrs, nnodeport_addrs);
	STR(dummy_interface); STR(state_dir); STR(metrics_bind); STR(healthz_bind);
	NUM(metrics_service_traffic); NUM(cleanup); NUM(dry_run); NUM(verbosity);
	return NULL;
#undef STR
#undef NUM
#undef LIST
}

/* @o is what the command line @... gives (no flags: the defaults). */
#define same_as(o, ...)                                                      \
	do {                                                                 \
		struct agent_options *flags_;                                \
		const char *d_;                                              \
		ck_assert_int_eq(run(&flags_, ##__VA_ARGS__, NULL), 0);      \
		d_ = differs(o, flags_);                                     \
		ck_assert_msg(!d_, "%s differs: %s", d_, errout());          \
	} while (0)

/* ---- kubeadm's file ------------------------------------------------------ */

/* kubeadm's config.conf with mode "" and with mode ipvs, passed as the
 * kubeadm DaemonSet passes it: every zero means kube-proxy's default, the
 * kubeconfig and the node name are used, and the only field set that
 * ipvsagent does not use is clusterCIDR. */
START_TEST(kubeadm_config_conf)
{
	static const char *const modes[] = { "mode: \"\"\n", "mode: ipvs\n", "" };
	struct agent_options *o;
	char text[4096];

	snprintf(text, sizeof(text), "%s%s%s", KUBEADM_HEAD, modes[_i], KUBEADM_TAIL);
	ck_assert_int_eq(load(&o, text, "--hostname-override=node-1"), 0);
	ck_assert_str_eq(o->config, file);
	ck_assert_str_eq(o->kubeconfig, "/var/lib/kube-proxy/kubeconfig.conf");
	ck_assert(o->sync_period == 30);
	same_as(o, "--kubeconfig=/var/lib/kube-proxy/kubeconfig.conf",
		"--hostname-override=node-1");
	ck_assert_msg(printed("not used by ipvsagent: clusterCIDR\n") == 1, "%s", errout());
	ck_assert_msg(warnings() == 0, "%s", errout());
}
END_TEST

/* Without --hostname-override the file's node name, else the host's. */
START_TEST(kubeadm_without_hostname_flag)
{
	struct agent_options *o;
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", KUBEADM_HEAD, KUBEADM_TAIL);
	ck_assert_int_eq(load(&o, text), 0);
	ck_assert_str_eq(o->hostname, host);
	snprintf(text, sizeof(text), "%shostnameOverride: node-7\n%s", KUBEADM_HEAD,
		 KUBEADM_TAIL);
	ck_assert_int_eq(load(&o, text), 0);
	ck_assert_str_eq(o->hostname, "node-7");
}
END_TEST

/* kube-proxy --write-config-to: every field at its default, so nothing is
 * named as unused, and the options are the defaults. */
START_TEST(defaulted_file_names_nothing)
{
	struct agent_options *o;

	ck_assert_int_eq(load(&o, defaulted), 0);
	ck_assert_msg(!printed("not used"), "%s", errout());
	same_as(o);
}
END_TEST

/* ---- each field and its flag ---------------------------------------------- */

/* Each field, and the flags that set the same (none of it a default). */
static const struct {
	const char *yaml;      /* after HEAD */
	const char *flags[3];  /* the same on the command line */
} fields[] = {
	{ "clientConnection:\n  kubeconfig: /etc/kp.conf\n", { "--kubeconfig=/etc/kp.conf" } },
	{ "hostnameOverride: node-9.example.com\n", { "--hostname-override=node-9.example.com" } },
	{ "healthzBindAddress: 127.0.0.1:12345\n", { "--healthz-bind-address=127.0.0.1:12345" } },
	{ "healthzBindAddress: 10.1.2.3\n", { "--healthz-bind-address=10.1.2.3" } },
	{ "metricsBindAddress: 0.0.0.0:10249\n", { "--metrics-bind-address=0.0.0.0:10249" } },
	{ "metricsBindAddress: '[::]:9999'\n", { "--metrics-bind-address=[::]:9999" } },
	{ "bindAddress: '::'\n",
	  { "--healthz-bind-address=[::]:10256", "--metrics-bind-address=[::1]:10249" } },
	{ "bindAddress: '::'\nmetricsBindAddress: 127.0.0.1:1\n",
	  { "--healthz-bind-address=[::]:10256", "--metrics-bind-address=127.0.0.1:1" } },
	{ "healthzBindAddress: 127.0.0.1:2\nbindAddress: '::'\n",
	  { "--healthz-bind-address=127.0.0.1:2", "--metrics-bind-address=[::1]:10249" } },
	{ "nodePortAddresses: [10.0.0.0/8, primary]\n", { "--nodeport-addresses=10.0.0.0/8,primary" } },
	{ "nodePortAddresses:\n- primary\n", { "--nodeport-addresses=primary" } },
	{ "ipvs:\n  scheduler: wlc\n", { "--ipvs-scheduler=wlc" } },
	{ "ipvs:\n  syncPeriod: 1m0s\n", { "--ipvs-sync-period=1m" } },
	{ "ipvs:\n  syncPeriod: 1h0m0s\n", { "--ipvs-sync-period=3600s" } },
	{ "ipvs:\n  minSyncPeriod: 500ms\n", { "--ipvs-min-sync-period=0.5s" } },
	{ "ipvs:\n  minSyncPeriod: 1s\n", { "--ipvs-min-sync-period=1s" } },
	{ "ipvs:\n  excludeCIDRs:\n  - 10.0.0.0/8\n  - fd00::/8\n",
	  { "--ipvs-exclude-cidrs=10.0.0.0/8", "--ipvs-exclude-cidrs=fd00::/8" } },
	{ "ipvs:\n  strictARP: true\n", { "--ipvs-strict-arp" } },
	{ "ipvs:\n  strictARP: yes\n", { "--ipvs-strict-arp=true" } },
	{ "ipvs:\n  tcpTimeout: 15m0s\n", { "--ipvs-tcp-timeout=900s" } },
	{ "ipvs:\n  tcpFinTimeout: 30s\n", { "--ipvs-tcpfin-timeout=30s" } },
	{ "ipvs:\n  udpTimeout: 2.5s\n", { "--ipvs-udp-timeout=2500ms" } },
	{ "logging:\n  verbosity: 4\n", { "--v=4" } },
};

START_TEST(each_field)
{
	const char *const *fl = fields[_i].flags;
	struct agent_options *o, *dflt;
	char text[512];

	snprintf(text, sizeof(text), HEAD "%s", fields[_i].yaml);
	ck_assert_msg(load(&o, text) == 0, "%s: %s", fields[_i].yaml, errout());
	same_as(o, fl[0], fl[1], fl[2]);
	ck_assert_int_eq(run(&dflt, NULL), 0);
	ck_assert_msg(differs(o, dflt), "%s: the defaults", fields[_i].yaml);
	ck_assert_msg(!printed("unknown") && !printed("not used"), "%s", errout());
}
END_TEST

/* Much of the same in one JSON file: compact, then with CRLF line ends
 * and tabs (jq --tab). */
static const char json[] =
	"{\"apiVersion\":\"kubeproxy.config.k8s.io/v1alpha1\",\"kind\":\"KubeProxyConfiguration\","
	"\"clientConnection\":{\"kubeconfig\":\"/etc/kp.conf\"},"
	"\"hostnameOverride\":\"node-9\",\"mode\":\"ipvs\",\"metricsBindAddress\":\"0.0.0.0:10249\","
	"\"nodePortAddresses\":[\"10.0.0.0/8\",\"primary\"],"
	"\"ipvs\":{\"scheduler\":\"wlc\",\"syncPeriod\":\"1m0s\",\"minSyncPeriod\":\"0s\","
	"\"excludeCIDRs\":[\"10.0.0.0/8\",\"fd00::/8\"],\"strictARP\":true,"
	"\"tcpTimeout\":\"15m0s\",\"tcpFinTimeout\":\"0s\",\"udpTimeout\":\"0s\"},"
	"\"conntrack\":{\"maxPerCore\":null,\"min\":null},\"logging\":{\"verbosity\":3}}";

#define JSON_FLAGS                                                               \
	"--kubeconfig=/etc/kp.conf", "--hostname-override=node-9",               \
		"--metrics-bind-address=0.0.0.0:10249",                          \
		"--nodeport-addresses=10.0.0.0/8,primary", "--ipvs-scheduler=wlc", \
		"--ipvs-sync-period=1m", "--ipvs-exclude-cidrs=10.0.0.0/8,fd00::/8", \
		"--ipvs-strict-arp", "--ipvs-tcp-timeout=15m", "-v3"

START_TEST(json_file)
{
	struct agent_options *o;
	char pretty[2048], *p;
	const char *q;

	ck_assert_msg(load(&o, json) == 0, "%s", errout());
	same_as(o, JSON_FLAGS);
	for (p = pretty, q = json; *q; q++) {
		*p++ = *q;
		if (*q == '{' || *q == '[' || *q == ',') {
			*p++ = '\r';
			*p++ = '\n';
			*p++ = '\t';
		}
	}
	*p = '\0';
	ck_assert_msg(load(&o, pretty) == 0, "%s", errout());
	same_as(o, JSON_FLAGS);
	ck_assert_msg(!printed("unknown") && !printed("not used"), "%s", errout());
}
END_TEST

/* ---- precedence ------------------------------------------------------------ */

static const char full[] = HEAD
	"clientConnection:\n  kubeconfig: /file/kubeconfig\n"
	"hostnameOverride: file-node\n"
	"metricsBindAddress: 0.0.0.0:10249\n"
	"nodePortAddresses: [192.168.0.0/16]\n"
	"logging:\n  verbosity: 2\n"
	"ipvs:\n"
	"  scheduler: lc\n"
	"  syncPeriod: 1m\n"
	"  excludeCIDRs: [10.0.0.0/8, 10.1.0.0/16]\n"
	"  strictARP: true\n"
	"  udpTimeout: 5s\n";

/* Flags given on the command line override the file, wherever they
 * stand; a list flag replaces the file's list; what no flag names stays
 * as the file says. */
START_TEST(flags_override_the_file)
{
	struct agent_options *o;

	ck_assert_int_eq(load(&o, full), 0);
	ck_assert_str_eq(o->scheduler, "lc");
	ck_assert_int_eq(o->strict_arp, 1);
	ck_assert_int_eq(o->verbosity, 2);
	ck_assert_uint_eq(o->nexclude_cidrs, 2);

	put(full);
	ck_assert_int_eq(run(&o, "--ipvs-scheduler=sh", "--config", file,
			     "--ipvs-sync-period=10s", "--ipvs-exclude-cidrs=172.16.0.0/12",
			     "--ipvs-strict-arp=false", "--hostname-override=node-1",
			     "--kubeconfig=/flag/kubeconfig", "-v", "5",
			     "--metrics-bind-address=", NULL), 0);
	ck_assert_str_eq(o->scheduler, "sh");
	ck_assert(o->sync_period == 10);
	ck_assert_uint_eq(o->nexclude_cidrs, 1);
	ck_assert_str_eq(o->exclude_cidrs[0], "172.16.0.0/12");
	ck_assert_int_eq(o->strict_arp, 0);
	ck_assert_str_eq(o->hostname, "node-1");
	ck_assert_str_eq(o->kubeconfig, "/flag/kubeconfig");
	ck_assert_int_eq(o->verbosity, 5);
	ck_assert_str_eq(o->metrics_bind, "");
	/* Not overridden: */
	ck_assert_uint_eq(o->nnodeport_addrs, 1);
	ck_assert_str_eq(o->nodeport_addrs[0], "192.168.0.0/16");
	ck_assert(o->udp_timeout == 5);
}
END_TEST

/* A repeated list flag still adds up after replacing the file's list. */
START_TEST(list_flags_replace_then_add)
{
	struct agent_options *o;

	put(full);
	ck_assert_int_eq(run(&o, "--config", file, "--nodeport-addresses=10.0.0.0/8",
			     "--nodeport-addresses", "fd00::/64,primary", NULL), 0);
	ck_assert_uint_eq(o->nnodeport_addrs, 3);
	ck_assert_str_eq(o->nodeport_addrs[0], "10.0.0.0/8");
	ck_assert_str_eq(o->nodeport_addrs[2], "primary");
	ck_assert_uint_eq(o->nexclude_cidrs, 2);
}
END_TEST

/* kube-proxy would ignore most flags next to --config: a warning says
 * so for those, and not for the ones kube-proxy keeps. */
START_TEST(override_warnings)
{
	struct agent_options *o;

	put(full);
	ck_assert_int_eq(run(&o, "--config", file, "--ipvs-scheduler=sh",
			     "--ipvs-scheduler=wrr", "--hostname-override=n", "-v3",
			     "--dummy-interface=ipvs0", NULL), 0);
	ck_assert_msg(printed("--ipvs-scheduler overrides") == 1, "%s", errout());
	ck_assert_int_eq(warnings(), 1);
	ck_assert_msg(!printed("--hostname-override overrides"), "%s", errout());
	ck_assert_msg(!printed("--v overrides"), "%s", errout());
	ck_assert_msg(!printed("--dummy-interface overrides"), "%s", errout());
	ck_assert_str_eq(o->scheduler, "wrr");
}
END_TEST

/* The last --config counts. */
START_TEST(config_twice_last_wins)
{
	struct agent_options *o;

	put(HEAD "ipvs:\n  scheduler: lc\n");
	ck_assert_int_eq(run(&o, "--config=/nonexistent/config.conf", "--config", file,
			     NULL), 0);
	ck_assert_str_eq(o->scheduler, "lc");
	ck_assert_int_eq(run(&o, "--config", file, "--config=/nonexistent/config.conf",
			     NULL), -EINVAL);
}
END_TEST

/* A repeated field counts once, the last (as kube-proxy's decoder). */
START_TEST(repeated_field_last_wins)
{
	struct agent_options *o;

	ck_assert_int_eq(load(&o, HEAD "ipvs:\n  scheduler: lc\n  scheduler: sh\n"
				  "nodePortAddresses: [10.0.0.0/8]\n"
				  "nodePortAddresses: [fd00::/8]\n"), 0);
	ck_assert_str_eq(o->scheduler, "sh");
	ck_assert_uint_eq(o->nnodeport_addrs, 1);
	ck_assert_str_eq(o->nodeport_addrs[0], "fd00::/8");
}
END_TEST

/* "all" is every address: the default, from the file or a flag. */
START_TEST(nodeport_all)
{
	struct agent_options *o;

	ck_assert_int_eq(load(&o, HEAD "nodePortAddresses: [10.0.0.0/8, all]\n"), 0);
	ck_assert_uint_eq(o->nnodeport_addrs, 0);
	ck_assert_int_eq(run(&o, "--nodeport-addresses=all", NULL), 0);
	ck_assert_uint_eq(o->nnodeport_addrs, 0);
	ck_assert_int_eq(run(&o, "--nodeport-addresses=primary", NULL), 0);
	ck_assert_uint_eq(o->nnodeport_addrs, 1);
}
END_TEST

/* ---- what is ignored ---------------------------------------------------------- */

/* Fields ipvsagent does not use are accepted; the ones set to something
 * else than kube-proxy's default are named, in the file's order, in one
 * line. */
START_TEST(ignored_fields_named_once)
{
	struct agent_options *o;

	ck_assert_int_eq(load(&o, HEAD
			      "clusterCIDR: 10.244.0.0/16,fd00:10:244::/56\n"
			      "configSyncPeriod: 15m0s\n"
			      "conntrack:\n  maxPerCore: 65536\n  min: 131072\n"
			      "  tcpEstablishedTimeout: 24h0m0s\n  tcpBeLiberal: true\n"
			      "featureGates:\n  SomeGate: true\n"
			      "iptables:\n  masqueradeAll: true\n  masqueradeBit: 14\n"
			      "oomScoreAdj: -999\n"
			      "bindAddress: 192.168.1.10\n"
			      "detectLocalMode: InterfaceNamePrefix\n"
			      "detectLocal:\n  interfaceNamePrefix: veth\n"
			      "logging:\n  format: json\n  flushFrequency: 5s\n"
			      "winkernel:\n  enableDSR: false\n"
			      "ipvs:\n  scheduler: lc\n"), 0);
	ck_assert_str_eq(o->scheduler, "lc");
	ck_assert_msg(printed("not used by ipvsagent: clusterCIDR, conntrack.maxPerCore, "
			      "conntrack.tcpBeLiberal, featureGates.SomeGate, "
			      "iptables.masqueradeAll, bindAddress, detectLocalMode, "
			      "detectLocal.interfaceNamePrefix, logging.format\n"),
		      "%s", errout());
	ck_assert_msg(warnings() == 0, "%s", errout());
}
END_TEST

/* Unknown fields are warnings with their line; the rest still counts. */
START_TEST(unknown_fields_warn)
{
	struct agent_options *o;

	ck_assert_int_eq(load(&o, HEAD "bogus: 1\nipvs:\n  scheduler: lc\n"
				  "  schedular: sh\nclientConnection:\n  kubeConfig: /x\n"), 0);
	ck_assert_str_eq(o->scheduler, "lc");
	ck_assert_ptr_null(o->kubeconfig);
	ck_assert_msg(printed("unknown field bogus (line 3)"), "%s", errout());
	ck_assert_msg(printed("unknown field ipvs.schedular (line 6)"), "%s", errout());
	ck_assert_msg(printed("unknown field clientConnection.kubeConfig (line 8)"),
		      "%s", errout());
	ck_assert_msg(!printed("not used"), "%s", errout());
	ck_assert_int_eq(warnings(), 3);
}
END_TEST

/* ---- errors ---------------------------------------------------------------------- */

/* ipvsagent is ipvs mode only: any other mode is an error naming the
 * field, even with --proxy-mode=ipvs (the file is read first). */
START_TEST(mode_other_than_ipvs)
{
	static const char *const modes[] = { "iptables", "nftables", "kernelspace",
					     "userspace", "IPVS", "ipvs " };
	struct agent_options *o;
	char text[256], want[128];

	snprintf(text, sizeof(text), HEAD "ipvs:\n  scheduler: lc\nmode: \"%s\"\n", modes[_i]);
	ck_assert_int_eq(load(&o, text, "--proxy-mode=ipvs"), -EINVAL);
	snprintf(want, sizeof(want), "%s: mode: \"%s\": only ipvs", file, modes[_i]);
	ck_assert_msg(printed(want), "%s", errout());
	ck_assert_msg(printed("(line 5)"), "%s", errout());
}
END_TEST

static const char *const duration_fields[] = {
	"syncPeriod", "minSyncPeriod", "tcpTimeout", "tcpFinTimeout", "udpTimeout",
};

START_TEST(bad_durations)
{
	static const char *const bad[] = { "5", "-1s", "abc", "1x", "1e3s", "0x10s",
					   "30 s", "1m-1s", "true" };
	struct agent_options *o;
	char text[256], want[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), HEAD "ipvs:\n  %s: \"%s\"\n",
			 duration_fields[_i], bad[i]);
		ck_assert_msg(load(&o, text) == -EINVAL, "%s", text);
		snprintf(want, sizeof(want), "ipvs.%s: \"%s\": not a duration",
			 duration_fields[_i], bad[i]);
		ck_assert_msg(printed(want), "%s: %s", want, errout());
	}
	snprintf(text, sizeof(text), HEAD "ipvs:\n  %s: [30s]\n", duration_fields[_i]);
	ck_assert_int_eq(load(&o, text), -EINVAL);
	ck_assert_msg(printed("expected a string, got a sequence (line 4)"), "%s", errout());
}
END_TEST

static const struct {
	const char *yaml;
	const char *frag;
} bad_values[] = {
	{ "ipvs:\n  excludeCIDRs: [10.0.0.0/33]\n", "ipvs.excludeCIDRs[0]: \"10.0.0.0/33\": not a CIDR (line 4)" },
	{ "ipvs:\n  excludeCIDRs:\n  - 10.0.0.0/8\n  - 10.0.0.300/8\n", "ipvs.excludeCIDRs[1]: \"10.0.0.300/8\": not a CIDR (line 6)" },
	{ "ipvs:\n  excludeCIDRs: [primary]\n", "ipvs.excludeCIDRs[0]: \"primary\": not a CIDR" },
	{ "ipvs:\n  excludeCIDRs: 10.0.0.0/8\n", "ipvs.excludeCIDRs: expected a sequence, got a plain scalar (line 4)" },
	{ "ipvs:\n  excludeCIDRs: [[10.0.0.0/8]]\n", "ipvs.excludeCIDRs[0]: expected a string, got a sequence" },
	{ "nodePortAddresses: [localhost]\n", "nodePortAddresses[0]: \"localhost\": not a CIDR, \"primary\" or \"all\" (line 3)" },
	{ "nodePortAddresses: [10.0.0.0/8/8]\n", "nodePortAddresses[0]: \"10.0.0.0/8/8\": not a CIDR" },
	{ "nodePortAddresses: [\"\", 10.0.0.0/8, ' 10.1.0.0/16']\n", "nodePortAddresses[2]: \" 10.1.0.0/16\": not a CIDR" },
	{ "ipvs:\n  strictARP: maybe\n", "ipvs.strictARP: expected a boolean, got \"maybe\" (line 4)" },
	{ "ipvs:\n  strictARP: \"true\"\n", "ipvs.strictARP: expected a boolean, got a quoted string" },
	{ "ipvs: lc\n", "ipvs: expected a mapping, got a plain scalar (line 3)" },
	{ "ipvs:\n  scheduler: {name: lc}\n", "ipvs.scheduler: expected a string, got a mapping" },
	{ "clientConnection: [a]\n", "clientConnection: expected a mapping, got a sequence" },
	{ "metricsBindAddress: localhost:10249\n", "metricsBindAddress: \"localhost:10249\": not IP:PORT" },
	{ "healthzBindAddress: 0.0.0.0:99999\n", "healthzBindAddress: \"0.0.0.0:99999\": not IP:PORT" },
	{ "bindAddress: node-1\n", "bindAddress: \"node-1\": not an IP address (line 3)" },
	{ "logging:\n  verbosity: high\n", "logging.verbosity: \"high\": not a number (line 4)" },
	{ "? [a]\n: b\n", "a field name that is a sequence (line 3)" },
	{ "ipvs:\n  ? {a: b}\n  : c\n", "ipvs: a field name that is a mapping (line 4)" },
};

START_TEST(bad_field_values)
{
	struct agent_options *o;
	char text[512];

	snprintf(text, sizeof(text), HEAD "%s", bad_values[_i].yaml);
	ck_assert_msg(load(&o, text) == -EINVAL, "%s", text);
	ck_assert_msg(printed(bad_values[_i].frag), "want %s, got %s", bad_values[_i].frag,
		      errout());
}
END_TEST

/* The lists are checked on the command line too. */
START_TEST(bad_cidr_flags)
{
	struct agent_options *o;

	ck_assert_int_eq(run(&o, "--ipvs-exclude-cidrs=10.0.0.0/8,bogus", NULL), -EINVAL);
	ck_assert_msg(printed("--ipvs-exclude-cidrs=bogus: not a CIDR"), "%s", errout());
	ck_assert_int_eq(run(&o, "--nodeport-addresses=10.0.0.0/40", NULL), -EINVAL);
	ck_assert_int_eq(run(&o, "--ipvs-exclude-cidrs=primary", NULL), -EINVAL);
	ck_assert_int_eq(run(&o, "--nodeport-addresses=primary,fd00::/64", NULL), 0);
}
END_TEST

/* Files that are not a KubeProxyConfiguration, or not YAML: a message
 * with the line (and the parser's column), exit code 2 (-EINVAL) as for
 * a bad flag. */
static const struct {
	const char *text;
	const char *frag;   /* after "ipvsagent: FILE: " */
} bad_files[] = {
	{ "apiVersion: v1\nkind: ConfigMap\ndata: {}\n",
	  "kind: \"ConfigMap\": want KubeProxyConfiguration (mount the ConfigMap and pass its config.conf) (line 2)" },
	{ "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n",
	  "kind: \"KubeletConfiguration\": want KubeProxyConfiguration (line 2)" },
	{ "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nmode: ipvs\n",
	  "kind: missing; want KubeProxyConfiguration" },
	{ "kind: KubeProxyConfiguration\nmode: ipvs\n",
	  "apiVersion: missing; want kubeproxy.config.k8s.io/v1alpha1" },
	{ "kind: KubeProxyConfiguration\napiVersion: kubeproxy.config.k8s.io/v1alpha2\n",
	  "apiVersion: \"kubeproxy.config.k8s.io/v1alpha2\": want kubeproxy.config.k8s.io/v1alpha1 (line 2)" },
	{ "kind: KubeProxyConfiguration\napiVersion: componentconfig/v1alpha1\n",
	  "apiVersion: \"componentconfig/v1alpha1\"" },
	{ "kind: [KubeProxyConfiguration]\n", "kind: expected a string, got a sequence (line 1)" },
	{ "- apiVersion: kubeproxy.config.k8s.io/v1alpha1\n",
	  "want a KubeProxyConfiguration, got a sequence (line 1)" },
	{ "KubeProxyConfiguration\n", "want a KubeProxyConfiguration, got a plain scalar (line 1)" },
	{ "", "empty; want a KubeProxyConfiguration" },
	{ "# only a comment\n", "empty; want a KubeProxyConfiguration" },
	{ HEAD "ipvs:\n  syncPeriod: [1,\n  scheduler: lc\n",
	  "line 6, column 1: did not find expected ',' or ']' (while parsing a flow sequence at line 4, column 15)" },
	{ HEAD "ipvs:\n  scheduler: \"lc\n", "line 5, column 1: found unexpected end of stream" },
	{ HEAD "ipvs:\n\tscheduler: lc\n", "line 4, column 1: found character that cannot start any token" },
	{ HEAD "ipvs:\n  scheduler: lc\n syncPeriod: 1m\n", "line 5, column" },
	{ "{\"apiVersion\": \"kubeproxy.config.k8s.io/v1alpha1\",\n \"kind\": \"KubeProxyConfiguration\"\n \"mode\": \"ipvs\"}\n",
	  "line 3, column 2: did not find expected ',' or '}'" },
	{ HEAD "mode: *nowhere\n", "line 3, column 7: found undefined alias" },
};

START_TEST(bad_file)
{
	struct agent_options *o;
	char want[256];

	ck_assert_int_eq(load(&o, bad_files[_i].text), -EINVAL);
	snprintf(want, sizeof(want), "ipvsagent: %s: %s", file, bad_files[_i].frag);
	ck_assert_msg(printed(want), "want %s, got %s", want, errout());
}
END_TEST

START_TEST(unreadable_file)
{
	struct agent_options *o;

	ck_assert_int_eq(run(&o, "--config=/nonexistent/config.conf", NULL), -EINVAL);
	ck_assert_msg(printed("--config=/nonexistent/config.conf: No such file or directory"),
		      "%s", errout());
	ck_assert_int_eq(run(&o, "--config", dir, NULL), -EINVAL);
	ck_assert_int_eq(run(&o, "--config=", NULL), -EINVAL);
	ck_assert_msg(printed("--config=: empty"), "%s", errout());
	ck_assert_int_eq(run(&o, "--config", NULL), -EINVAL);
}
END_TEST

/* --help lists --config; --help wins over a bad file, as over bad flags. */
START_TEST(help_lists_config)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct agent_options *o;

	ck_assert_ptr_nonnull(f);
	agent_options_usage(f);
	fclose(f);
	ck_assert_msg(strstr(text, "  --config FILE "), "%s", text);
	free(text);
	ck_assert_int_eq(run(&o, "--config=/nonexistent", "--help", NULL), 1);
}
END_TEST

Suite *options_config_suite(void)
{
	Suite *s = suite_create("options_config");
	TCase *ok = tcase_create("config");
	TCase *bad = tcase_create("errors");

	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_loop_test(ok, kubeadm_config_conf, 0, 3);
	tcase_add_test(ok, kubeadm_without_hostname_flag);
	tcase_add_test(ok, defaulted_file_names_nothing);
	tcase_add_loop_test(ok, each_field, 0, (int)(sizeof(fields) / sizeof(fields[0])));
	tcase_add_test(ok, json_file);
	tcase_add_test(ok, flags_override_the_file);
	tcase_add_test(ok, list_flags_replace_then_add);
	tcase_add_test(ok, override_warnings);
	tcase_add_test(ok, config_twice_last_wins);
	tcase_add_test(ok, repeated_field_last_wins);
	tcase_add_test(ok, nodeport_all);
	tcase_add_test(ok, ignored_fields_named_once);
	tcase_add_test(ok, unknown_fields_warn);
	tcase_add_test(ok, help_lists_config);
	suite_add_tcase(s, ok);

	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_loop_test(bad, mode_other_than_ipvs, 0, 6);
	tcase_add_loop_test(bad, bad_durations, 0,
			    (int)(sizeof(duration_fields) / sizeof(duration_fields[0])));
	tcase_add_loop_test(bad, bad_field_values, 0,
			    (int)(sizeof(bad_values) / sizeof(bad_values[0])));
	tcase_add_test(bad, bad_cidr_flags);
	tcase_add_loop_test(bad, bad_file, 0, (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(bad, unreadable_file);
	suite_add_tcase(s, bad);
	return s;
}
