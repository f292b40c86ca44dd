/*
 * agent/options.c - kube-proxy-compatible flags, and the one parser per
 * option that both the command line and --config (options_config.c) go
 * through.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duration.h"
#include "httpd.h"
#include "log.h"
#include "netlink/nl_link.h"
#include "options_config.h"
#include "version.h"

enum {
	OPT_CONFIG = 256,
	OPT_SERVICES_FILE,
	OPT_KUBECONFIG,
	OPT_MASTER,
	OPT_HOSTNAME,
	OPT_SCHEDULER,
	OPT_SYNC_PERIOD,
	OPT_MIN_SYNC_PERIOD,
	OPT_GRACEFUL_PERIOD,
	OPT_TCP_TIMEOUT,
	OPT_TCPFIN_TIMEOUT,
	OPT_UDP_TIMEOUT,
	OPT_STRICT_ARP,
	OPT_EXCLUDE_CIDRS,
	OPT_NODEPORT_ADDRS,
	OPT_DUMMY,
	OPT_STATE_DIR,
	OPT_METRICS_BIND,
	OPT_HEALTHZ_BIND,
	OPT_METRICS_TRAFFIC,
	OPT_CLEANUP,
	OPT_DRY_RUN,
	OPT_PROXY_MODE,
	OPT_VERSION,
};

/* over_config() keeps one bit per option. */
_Static_assert(OPT_VERSION - OPT_CONFIG < 32, "too many options for a bit set");

static const struct option longopts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "services-file", required_argument, NULL, OPT_SERVICES_FILE },
	{ "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
	{ "master", required_argument, NULL, OPT_MASTER },
	{ "hostname-override", required_argument, NULL, OPT_HOSTNAME },
	{ "ipvs-scheduler", required_argument, NULL, OPT_SCHEDULER },
	{ "ipvs-sync-period", required_argument, NULL, OPT_SYNC_PERIOD },
	{ "ipvs-min-sync-period", required_argument, NULL, OPT_MIN_SYNC_PERIOD },
	{ "ipvs-graceful-period", required_argument, NULL, OPT_GRACEFUL_PERIOD },
	{ "ipvs-tcp-timeout", required_argument, NULL, OPT_TCP_TIMEOUT },
	{ "ipvs-tcpfin-timeout", required_argument, NULL, OPT_TCPFIN_TIMEOUT },
	{ "ipvs-udp-timeout", required_argument, NULL, OPT_UDP_TIMEOUT },
	{ "ipvs-strict-arp", optional_argument, NULL, OPT_STRICT_ARP },
	{ "ipvs-exclude-cidrs", required_argument, NULL, OPT_EXCLUDE_CIDRS },
	{ "nodeport-addresses", required_argument, NULL, OPT_NODEPORT_ADDRS },
	{ "dummy-interface", required_argument, NULL, OPT_DUMMY },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "metrics-bind-address", required_argument, NULL, OPT_METRICS_BIND },
	{ "healthz-bind-address", required_argument, NULL, OPT_HEALTHZ_BIND },
	{ "metrics-service-traffic", optional_argument, NULL, OPT_METRICS_TRAFFIC },
	{ "cleanup", optional_argument, NULL, OPT_CLEANUP },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "proxy-mode", required_argument, NULL, OPT_PROXY_MODE },
	{ "v", required_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void agent_options_usage(FILE *f)
{
	fprintf(f,
"Usage: ipvsagent [options]          run the agent (foreground, logs to stderr)\n"
"       ipvsagent save|restore       the IPVS table in ipvsadm notation\n"
"       ipvsagent status [--address HOST:PORT] [--json] [--service NS/NAME]\n"
"                                    what a running agent has programmed\n"
"\n"
"Sources (one is needed):\n"
"  --services-file PATH        JSON List of Services and EndpointSlices, as\n"
"                              `kubectl get services,endpointslices -A -o json`\n"
"                              prints it; re-read when it changes and on SIGHUP\n"
"  --kubeconfig PATH           the API server, as kube-proxy\n"
"  --master URL                override the kubeconfig's server\n"
"\n"
"kube-proxy ipvs-mode flags:\n"
"  --config FILE               a KubeProxyConfiguration, YAML or JSON (kubeadm's\n"
"                              config.conf in the kube-proxy ConfigMap); flags\n"
"                              on the command line override it (kube-proxy\n"
"                              ignores most of them next to --config)\n"
"  --hostname-override NAME    this node's name (default: the host name)\n"
"  --ipvs-scheduler NAME       rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh\n"
"                              (default rr; per Service: annotation\n"
"                              ipvsagent.io/scheduler or kube-router.io/service.scheduler)\n"
"  --ipvs-sync-period DUR      how often to re-read the kernel and repair (30s)\n"
"  --ipvs-min-sync-period DUR  least time between two syncs (0: at once)\n"
"  --ipvs-exclude-cidrs LIST   IPVS services in these CIDRs are never touched\n"
"  --ipvs-strict-arp           arp_ignore=1, arp_announce=2\n"
"  --ipvs-tcp-timeout DUR      IPVS TCP timeout (0: leave the kernel's)\n"
"  --ipvs-tcpfin-timeout DUR   IPVS TCP FIN_WAIT timeout\n"
"  --ipvs-udp-timeout DUR      IPVS UDP timeout\n"
"  --nodeport-addresses LIST   CIDRs (or \"primary\") node ports listen on\n"
"                              (default, or \"all\": every local address but\n"
"                              the dummy interface's and loopback)\n"
"  --metrics-bind-address A    /metrics, /status, /healthz, /proxyMode\n"
"                              (default 127.0.0.1:10249; IP:PORT, [IPv6]:PORT\n"
"                              or IP; empty or port 0 disables)\n"
"  --healthz-bind-address A    /healthz and /livez (default 0.0.0.0:10256)\n"
"  --cleanup                   remove what the agent owns, then exit 0\n"
"  --proxy-mode ipvs           accepted for compatibility; only ipvs\n"
"  --v N                       log verbosity\n"
"\n"
"ipvsagent's own:\n"
"  --dummy-interface NAME      where VIPs are bound (default kube-ipvs0)\n"
"  --state-dir DIR             ownership records (default /run/ipvsagent)\n"
"  --ipvs-graceful-period DUR  how long a removed TCP real server may drain\n"
"                              with weight 0 (default 15m)\n"
"  --dry-run                   print the operations, one a line in ipvsadm\n"
"                              notation, and change nothing\n"
"  --metrics-service-traffic=false\n"
"                              no per-virtual-server traffic series in\n"
"                              /metrics (5 per virtual server: for very\n"
"                              large clusters; default true)\n"
"  -h, --help | --version\n"
"\n"
"Durations as kube-proxy writes them: 30s, 1m, 500ms, 1h30m.\n");
}

/* The problem with @value, said where it came from: the flag, or the
 * --config file's field and line. */
static int bad(const struct agent_options_src *src, const char *value,
	       const char *why)
{
	if (src->file)
		fprintf(stderr, "ipvsagent: %s: %s: \"%s\": %s (line %zu)\n",
			src->file, src->field, value ? value : "", why, src->line);
	else
		fprintf(stderr, "ipvsagent: --%s=%s: %s\n", src->flag,
			value ? value : "", why);
	return -EINVAL;
}

static int set_duration(const struct agent_options_src *src, const char *v,
			double *out)
{
	if (agent_duration_parse(v, out))
		return bad(src, v, "not a duration (like 30s, 1m, 500ms)");
	return 0;
}

/* A comma-separated list of CIDRs (and, for node ports, the keywords
 * "primary" and "all"), added to the list; the strings are cut in place. */
static int set_cidrs(const struct agent_options_src *src, char *v,
		     int keywords, const char **out, size_t *n)
{
	struct nl_addr_cidr cidr;
	char *save = NULL, *tok;

	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == AGENT_MAX_LIST)
			return bad(src, tok, "too many entries");
		if (nl_addr_cidr_parse(tok, &cidr) &&
		    !(keywords && (!strcmp(tok, "primary") || !strcmp(tok, "all"))))
			return bad(src, tok, keywords ? "not a CIDR, \"primary\" or \"all\""
						      : "not a CIDR");
		out[(*n)++] = tok;
	}
	return 0;
}

static int set_bool(const struct agent_options_src *src, const char *v, int *out)
{
	if (!v || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return bad(src, v, "not true or false");
	return 0;
}

/* IP:PORT, [IPv6]:PORT or IP; empty or port 0 turns the server off. */
static int set_bind(const struct agent_options_src *src, const char *v,
		    const char **out)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (agent_httpd_parse_addr(v, 1, &ss, &len) < 0) /* port: any */
		return bad(src, v, "not IP:PORT, [IPv6]:PORT or an IP");
	*out = v;
	return 0;
}

/* klog's -v: "-v N", "-vN", "--v=N", and pflag's "-v=N". */
static int set_level(const struct agent_options_src *src, const char *v,
		     int *out)
{
	char *end;
	long n;

	if (*v == '=')
		v++;
	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < INT_MIN || n > INT_MAX)
		return bad(src, v, "not a number");
	*out = (int)n;
	return 0;
}

static int set_hostname(const struct agent_options_src *src, const char *v,
			char *out, size_t size)
{
	if (!*v || strlen(v) >= size)
		return bad(src, v, "empty or too long");
	strcpy(out, v);
	return 0;
}

static void defaults(struct agent_options *o)
{
	memset(o, 0, sizeof(*o));
	if (gethostname(o->hostname, sizeof(o->hostname) - 1))
		strcpy(o->hostname, "localhost");
	o->scheduler = "rr";
	o->sync_period = 30;
	o->graceful_period = 15 * 60;
	o->dummy_interface = "kube-ipvs0";
	o->state_dir = "/run/ipvsagent";
	o->metrics_bind = "127.0.0.1:10249";
	o->healthz_bind = "0.0.0.0:10256";
	o->metrics_service_traffic = 1;
}

static int one(struct agent_options *o, int c, char *v,
	       const struct agent_options_src *src)
{
	switch (c) {
	case OPT_SERVICES_FILE: o->services_file = v; return 0;
	case OPT_KUBECONFIG: o->kubeconfig = v; return 0;
	case OPT_MASTER: o->master = v; return 0;
	case OPT_HOSTNAME: return set_hostname(src, v, o->hostname, sizeof(o->hostname));
	case OPT_SCHEDULER: o->scheduler = v; return 0;
	case OPT_SYNC_PERIOD: return set_duration(src, v, &o->sync_period);
	case OPT_MIN_SYNC_PERIOD: return set_duration(src, v, &o->min_sync_period);
	case OPT_GRACEFUL_PERIOD: return set_duration(src, v, &o->graceful_period);
	case OPT_TCP_TIMEOUT: return set_duration(src, v, &o->tcp_timeout);
	case OPT_TCPFIN_TIMEOUT: return set_duration(src, v, &o->tcpfin_timeout);
	case OPT_UDP_TIMEOUT: return set_duration(src, v, &o->udp_timeout);
	case OPT_STRICT_ARP: return set_bool(src, v, &o->strict_arp);
	case OPT_EXCLUDE_CIDRS: return set_cidrs(src, v, 0, o->exclude_cidrs, &o->nexclude_cidrs);
	case OPT_NODEPORT_ADDRS: return set_cidrs(src, v, 1, o->nodeport_addrs, &o->nnodeport_addrs);
	case OPT_DUMMY: o->dummy_interface = v; return 0;
	case OPT_STATE_DIR: o->state_dir = v; return 0;
	case OPT_METRICS_BIND: return set_bind(src, v, &o->metrics_bind);
	case OPT_HEALTHZ_BIND: return set_bind(src, v, &o->healthz_bind);
	case OPT_METRICS_TRAFFIC: return set_bool(src, v, &o->metrics_service_traffic);
	case OPT_CLEANUP: return set_bool(src, v, &o->cleanup);
	case OPT_DRY_RUN: o->dry_run = 1; return 0;
	case OPT_PROXY_MODE:
		return strcmp(v, "ipvs") ? bad(src, v, "only ipvs: ipvsagent is kube-proxy's ipvs mode") : 0;
	case 'v': return set_level(src, v, &o->verbosity);
	default: return -EINVAL;
	}
}

static const struct option *flag_of(int c)
{
	const struct option *f;

	for (f = longopts; f->name && f->val != c; f++)
		;
	return f->name ? f : NULL;
}

int agent_options_set(struct agent_options *o,
		      const struct agent_options_src *src, char *value)
{
	const struct option *f;

	for (f = longopts; f->name && strcmp(f->name, src->flag); f++)
		;
	return f->name ? one(o, f->val, value, src) : -EINVAL;
}

char *agent_options_keep(struct agent_options *o, const char *s, size_t len)
{
	char **v = realloc(o->config_strs, (o->nconfig_strs + 1) * sizeof(*v));
	char *copy;

	if (!v)
		return NULL;
	o->config_strs = v;
	if (!(copy = strndup(s, len)))
		return NULL;
	return v[o->nconfig_strs++] = copy;
}

void agent_options_fini(struct agent_options *o)
{
	size_t i;

	for (i = 0; i < o->nconfig_strs; i++)
		free(o->config_strs[i]);
	free(o->config_strs);
	o->config_strs = NULL;
	o->nconfig_strs = 0;
}

/* The flags that map onto a KubeProxyConfiguration field: kube-proxy
 * ignores them when --config is given (all but --hostname-override,
 * --master, --cleanup and -v, which it keeps). */
static int kube_proxy_ignores(int c)
{
	switch (c) {
	case OPT_KUBECONFIG: case OPT_SCHEDULER: case OPT_SYNC_PERIOD:
	case OPT_MIN_SYNC_PERIOD: case OPT_TCP_TIMEOUT: case OPT_TCPFIN_TIMEOUT:
	case OPT_UDP_TIMEOUT: case OPT_STRICT_ARP: case OPT_EXCLUDE_CIDRS:
	case OPT_NODEPORT_ADDRS: case OPT_METRICS_BIND: case OPT_HEALTHZ_BIND:
	case OPT_PROXY_MODE:
		return 1;
	default:
		return 0;
	}
}

/* A command-line flag over --config: a list flag replaces the file's
 * list (its first use empties it), and a flag kube-proxy would have
 * ignored is said once. */
static void over_config(struct agent_options *o, int c, unsigned *seen)
{
	unsigned bit;

	if (c < OPT_CONFIG)   /* -v: kube-proxy lets it win too */
		return;
	bit = 1u << (c - OPT_CONFIG);
	if (*seen & bit)
		return;
	*seen |= bit;
	if (c == OPT_EXCLUDE_CIDRS)
		o->nexclude_cidrs = 0;
	else if (c == OPT_NODEPORT_ADDRS)
		o->nnodeport_addrs = 0;
	if (kube_proxy_ignores(c))
		agent_log(AGENT_LOG_WARN,
			  "--%s overrides %s (kube-proxy would ignore the flag "
			  "and use the file)", flag_of(c)->name, o->config);
}

/* "all" among the node port addresses is the default: every address. */
static void nodeports_all(struct agent_options *o)
{
	size_t i;

	for (i = 0; i < o->nnodeport_addrs; i++)
		if (!strcmp(o->nodeport_addrs[i], "all"))
			o->nnodeport_addrs = 0;
}

struct flag_arg {
	int c;       /* the option */
	char *v;     /* its value in argv, or NULL */
};

/* The command line, in order; --help, --version and bad flags end it.
 * 0, 1 (help or version printed) or -EINVAL. */
static int scan(struct agent_options *o, int argc, char **argv,
		struct flag_arg *out, size_t *n)
{
	int c;

	optind = 0;   /* glibc: 0 also forgets a half-read "-hv" of a last parse */
	while ((c = getopt_long(argc, argv, "hv:", longopts, NULL)) != -1) {
		if (c == 'h') {
			agent_options_usage(stdout);
			return 1;
		}
		if (c == OPT_VERSION) {
			printf("ipvsagent %s\n", IPVSAGENT_VERSION);
			return 1;
		}
		if (c == '?')
			return -EINVAL;
		if (c == OPT_CONFIG)
			o->config = optarg;
		else
			out[(*n)++] = (struct flag_arg){ c, optarg };
	}
	if (optind < argc) {
		fprintf(stderr, "ipvsagent: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

int agent_options_parse(struct agent_options *o, int argc, char **argv)
{
	struct agent_options_src src = { NULL, NULL, NULL, 0 };
	struct flag_arg *args;
	unsigned seen = 0;
	size_t n = 0, i;
	int r;

	defaults(o);
	if (!(args = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*args))))
		return -ENOMEM;
	if ((r = scan(o, argc, argv, args, &n)))
		goto out;
	if (o->config && !*o->config) {
		src.flag = "config";
		r = bad(&src, "", "empty");
		goto out;
	}
	if (o->config && (r = agent_options_config_load(o, o->config)))
		goto out;
	for (i = 0; i < n; i++) {
		src.flag = flag_of(args[i].c)->name;
		if (o->config)
			over_config(o, args[i].c, &seen);
		if ((r = one(o, args[i].c, args[i].v, &src)))
			goto out;
	}
	nodeports_all(o);
	/* No --services-file, --kubeconfig or --master: the API server from
	 * the pod's service account, as kube-proxy in a DaemonSet. */
out:
	free(args);
	return r;
}
