/*
 * agent/options_config.c - --config: kube-proxy's KubeProxyConfiguration.
 *
 * The file is a few kilobytes, so libyaml's document API loads it whole,
 * through the helpers the kubeconfig reader uses (k8s/config_yaml.h); a
 * JSON file is YAML's flow style and loads the same way.  One table says
 * what each field is: the flag it sets, a block of fields, or something
 * ipvsagent does not use (with kube-proxy's default, so that only fields
 * set to something else are named in the info line).
 *
 * kube-proxy writes zero values for "unset" (kubeadm's config.conf is
 * full of "", 0s, false and null, defaulted when kube-proxy loads it), so
 * a zero value changes nothing here either.
 */
#include "options_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "duration.h"
#include "ipvs/addr.h"
#include "k8s/config_int.h"
#include "k8s/config_yaml.h"
#include "log.h"
#include "options.h"

#define CFG_API_VERSION "kubeproxy.config.k8s.io/v1alpha1"
#define CFG_KIND "KubeProxyConfiguration"
#define CFG_MAX_DEPTH 16   /* deeper than any field kube-proxy has */

enum cfg_kind {
	CFG_TYPE,       /* apiVersion, kind: checked before the walk */
	CFG_STRING,     /* a scalar, handed to the flag; "" is unset */
	CFG_DURATION,   /* a Go duration; 0 is unset */
	CFG_BOOL,       /* false is unset */
	CFG_LIST,       /* a sequence of scalars, one flag value each */
	CFG_BIND,       /* bindAddress: an IPv6 one makes the servers' defaults IPv6 */
	CFG_BLOCK,      /* a mapping of the fields below it in this table */
	CFG_OPEN,       /* a mapping not used, whatever it holds */
	CFG_IGNORED,    /* a field not used */
};

static const struct cfg_field {
	const char *path;   /* "ipvs.syncPeriod" */
	enum cfg_kind kind;
	const char *flag;   /* the flag it sets */
	const char *dflt;   /* CFG_IGNORED: kube-proxy's default, if not zero */
} cfg_fields[] = {
	{ "apiVersion", CFG_TYPE, NULL, NULL },
	{ "kind", CFG_TYPE, NULL, NULL },
	{ "clientConnection", CFG_BLOCK, NULL, NULL },
	{ "clientConnection.kubeconfig", CFG_STRING, "kubeconfig", NULL },
	{ "clientConnection.acceptContentTypes", CFG_IGNORED, NULL, NULL },
	{ "clientConnection.contentType", CFG_IGNORED, NULL,
	  "application/vnd.kubernetes.protobuf" },
	{ "clientConnection.qps", CFG_IGNORED, NULL, "5" },
	{ "clientConnection.burst", CFG_IGNORED, NULL, "10" },
	{ "hostnameOverride", CFG_STRING, "hostname-override", NULL },
	{ "bindAddress", CFG_BIND, NULL, NULL },
	{ "healthzBindAddress", CFG_STRING, "healthz-bind-address", NULL },
	{ "metricsBindAddress", CFG_STRING, "metrics-bind-address", NULL },
	{ "mode", CFG_STRING, "proxy-mode", NULL },
	{ "nodePortAddresses", CFG_LIST, "nodeport-addresses", NULL },
	{ "ipvs", CFG_BLOCK, NULL, NULL },
	{ "ipvs.scheduler", CFG_STRING, "ipvs-scheduler", NULL },
	{ "ipvs.syncPeriod", CFG_DURATION, "ipvs-sync-period", NULL },
	{ "ipvs.minSyncPeriod", CFG_DURATION, "ipvs-min-sync-period", NULL },
	{ "ipvs.excludeCIDRs", CFG_LIST, "ipvs-exclude-cidrs", NULL },
	{ "ipvs.strictARP", CFG_BOOL, "ipvs-strict-arp", NULL },
	{ "ipvs.tcpTimeout", CFG_DURATION, "ipvs-tcp-timeout", NULL },
	{ "ipvs.tcpFinTimeout", CFG_DURATION, "ipvs-tcpfin-timeout", NULL },
	{ "ipvs.udpTimeout", CFG_DURATION, "ipvs-udp-timeout", NULL },
	{ "logging", CFG_OPEN, NULL, NULL },
	{ "logging.verbosity", CFG_STRING, "v", NULL },
	{ "logging.flushFrequency", CFG_IGNORED, NULL, "5s" },
	{ "logging.format", CFG_IGNORED, NULL, "text" },
	/* Other modes, conntrack, the process, Windows: not ipvsagent's. */
	{ "featureGates", CFG_OPEN, NULL, NULL },
	{ "iptables", CFG_OPEN, NULL, NULL },
	{ "iptables.masqueradeBit", CFG_IGNORED, NULL, "14" },
	{ "iptables.localhostNodePorts", CFG_IGNORED, NULL, "true" },
	{ "iptables.syncPeriod", CFG_IGNORED, NULL, "30s" },
	{ "iptables.minSyncPeriod", CFG_IGNORED, NULL, "1s" },
	{ "nftables", CFG_OPEN, NULL, NULL },
	{ "nftables.masqueradeBit", CFG_IGNORED, NULL, "14" },
	{ "nftables.syncPeriod", CFG_IGNORED, NULL, "30s" },
	{ "nftables.minSyncPeriod", CFG_IGNORED, NULL, "1s" },
	{ "conntrack", CFG_OPEN, NULL, NULL },
	{ "conntrack.maxPerCore", CFG_IGNORED, NULL, "32768" },
	{ "conntrack.min", CFG_IGNORED, NULL, "131072" },
	{ "conntrack.tcpEstablishedTimeout", CFG_IGNORED, NULL, "24h" },
	{ "conntrack.tcpCloseWaitTimeout", CFG_IGNORED, NULL, "1h" },
	{ "winkernel", CFG_OPEN, NULL, NULL },
	{ "detectLocal", CFG_OPEN, NULL, NULL },
	{ "detectLocalMode", CFG_IGNORED, NULL, "ClusterCIDR" },
	{ "clusterCIDR", CFG_IGNORED, NULL, NULL },
	{ "bindAddressHardFail", CFG_IGNORED, NULL, NULL },
	{ "enableProfiling", CFG_IGNORED, NULL, NULL },
	{ "showHiddenMetricsForVersion", CFG_IGNORED, NULL, NULL },
	{ "oomScoreAdj", CFG_IGNORED, NULL, "-999" },
	{ "configSyncPeriod", CFG_IGNORED, NULL, "15m" },
	{ "portRange", CFG_IGNORED, NULL, NULL },
	{ "udpIdleTimeout", CFG_IGNORED, NULL, "250ms" },  /* older files */
	{ "windowsRunAsService", CFG_IGNORED, NULL, NULL },
};

/* One load. */
struct cfg {
	struct k8s_yaml y;           /* the document */
	struct agent_options *o;     /* where the values go */
	const char *path;            /* the file, for messages */
	char err[512];               /* k8s_yaml's message */
	char ignored[512];           /* "clusterCIDR, conntrack.min, ..." */
	int bind_v6;                 /* bindAddress is an IPv6 address */
};

static const struct cfg_field *cfg_field(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(cfg_fields) / sizeof(cfg_fields[0]); i++)
		if (!strcmp(cfg_fields[i].path, path))
			return &cfg_fields[i];
	return NULL;
}

/* Print the message k8s_yaml left (or out of memory); returns @r. */
static int cfg_printed(struct cfg *c, int r)
{
	if (r == -ENOMEM)
		fprintf(stderr, "ipvsagent: %s: out of memory\n", c->path);
	else
		fprintf(stderr, "ipvsagent: %s\n", c->err);
	return r;
}

static size_t cfg_line(const yaml_node_t *n)
{
	return n->start_mark.line + 1;
}

/* A fully numeric scalar, "0" "5" "-999" "0.5". */
static int cfg_number(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return *s && !*end;
}

/* The zero values kube-proxy writes for "unset". */
static int cfg_zero(const char *s)
{
	double v;

	return !*s || !strcmp(s, "false") || (cfg_number(s, &v) && v == 0) ||
	       (!agent_duration_parse(s, &v) && v == 0);
}

static int cfg_same(const char *a, const char *b)
{
	double x, y;

	return !strcmp(a, b) ||
	       (cfg_number(a, &x) && cfg_number(b, &y) && x == y) ||
	       (!agent_duration_parse(a, &x) && !agent_duration_parse(b, &y) && x == y);
}

/* Add @path to the ignored fields that were set. */
static void cfg_note(struct cfg *c, const char *path)
{
	size_t n = strlen(c->ignored), room = sizeof(c->ignored) - n;

	if (n >= 3 && !strcmp(c->ignored + n - 3, "..."))
		return;
	if ((size_t)snprintf(c->ignored + n, room, "%s%s", n ? ", " : "", path) >= room)
		strcpy(c->ignored + sizeof(c->ignored) - 4, "...");
}

/* @value of field @field through --@flag's parser, from an owned copy. */
static int cfg_set(struct cfg *c, const char *flag, const char *field,
		   const yaml_node_t *n, const char *value, size_t len)
{
	struct agent_options_src src = { flag, c->path, field, cfg_line(n) };
	char *copy = agent_options_keep(c->o, value, len);

	if (!copy)
		return cfg_printed(c, -ENOMEM);
	return agent_options_set(c->o, &src, copy);
}

static int cfg_walk(struct cfg *c, yaml_node_t *map, const char *at, int open,
		    int depth);

/* Something not used, at @path: noted unless it is zero, empty or
 * kube-proxy's default @dflt. */
static int cfg_ignore(struct cfg *c, yaml_node_t *n, const char *path,
		      const char *dflt, int depth)
{
	const char *s;

	if (k8s_yaml_is_null(n))
		return 0;
	if (n->type == YAML_MAPPING_NODE && depth < CFG_MAX_DEPTH)
		return cfg_walk(c, n, path, 1, depth + 1);
	if (n->type == YAML_SEQUENCE_NODE &&
	    n->data.sequence.items.top == n->data.sequence.items.start)
		return 0;
	if (n->type == YAML_SCALAR_NODE) {
		s = (const char *)n->data.scalar.value;
		if (cfg_zero(s) || (dflt && cfg_same(s, dflt)))
			return 0;
	}
	cfg_note(c, path);
	return 0;
}

static int cfg_list(struct cfg *c, const struct cfg_field *f, yaml_node_t *map,
		    const char *key, const char *at)
{
	char field[300];
	yaml_node_t *seq, *item;
	size_t n, i;
	int r;

	if ((r = k8s_yaml_seq(&c->y, map, key, at, &seq, &n)))
		return r < 0 ? cfg_printed(c, r) : 0;
	for (i = 0; i < n; i++) {
		item = k8s_yaml_item(&c->y, seq, i);
		snprintf(field, sizeof(field), "%s[%zu]", f->path, i);
		if (!item || item->type != YAML_SCALAR_NODE)
			return cfg_printed(c, k8s_yaml_fail(&c->y,
				"%s: expected a string, got %s (line %zu)", field,
				k8s_yaml_type_name(item), item ? cfg_line(item) : 0));
		if ((r = cfg_set(c, f->flag, field, item,
				 (const char *)item->data.scalar.value,
				 item->data.scalar.length)))
			return r;
	}
	return 0;
}

/* bindAddress: kube-proxy's node IP override, which ipvsagent takes from
 * the Node instead; its family still picks the servers' defaults. */
static int cfg_bind(struct cfg *c, yaml_node_t *map, const char *key)
{
	union ipvs_addr a, any;
	const char *s;
	int af, r;

	if ((r = k8s_yaml_str(&c->y, map, key, "", &s, NULL)))
		return r < 0 ? cfg_printed(c, r) : 0;
	if (!*s)
		return 0;
	if (ipvs_addr_parse(s, &af, &a))
		return cfg_printed(c, k8s_yaml_fail(&c->y,
			"bindAddress: \"%s\": not an IP address (line %zu)", s,
			cfg_line(k8s_yaml_get(&c->y, map, key))));
	c->bind_v6 = af == AF_INET6;
	memset(&any, 0, sizeof(any));
	if (memcmp(&a, &any, sizeof(a)))
		cfg_note(c, "bindAddress");
	return 0;
}

/* The field @key of @map (whose path is @at), of table entry @f. */
static int cfg_apply(struct cfg *c, const struct cfg_field *f, yaml_node_t *map,
		     const char *key, const char *at, yaml_node_t *v, int depth)
{
	yaml_node_t *sub;
	const char *s;
	size_t len;
	double d;
	int r, b;

	switch (f->kind) {
	case CFG_TYPE:
		return 0;
	case CFG_BLOCK:
		if ((r = k8s_yaml_map(&c->y, map, key, at, &sub)))
			return r < 0 ? cfg_printed(c, r) : 0;
		return cfg_walk(c, sub, f->path, 0, depth + 1);
	case CFG_OPEN:
	case CFG_IGNORED:
		return cfg_ignore(c, v, f->path, f->dflt, depth);
	case CFG_LIST:
		return cfg_list(c, f, map, key, at);
	case CFG_BIND:
		return cfg_bind(c, map, key);
	case CFG_BOOL:
		if ((r = k8s_yaml_bool(&c->y, map, key, at, &b)))
			return r < 0 ? cfg_printed(c, r) : 0;
		return b ? cfg_set(c, f->flag, f->path, v, "true", 4) : 0;
	case CFG_STRING:
	case CFG_DURATION:
		if ((r = k8s_yaml_str(&c->y, map, key, at, &s, &len)))
			return r < 0 ? cfg_printed(c, r) : 0;
		if (!len || (f->kind == CFG_DURATION && !agent_duration_parse(s, &d) && !d))
			return 0;
		return cfg_set(c, f->flag, f->path, v, s, len);
	}
	return 0;
}

/*
 * The fields of @map, whose path is @at.  In an @open mapping (one not
 * used) a field outside the table is ignored; elsewhere it is unknown, a
 * warning.  A repeated field counts once, the last, as in k8s_yaml_get().
 */
static int cfg_walk(struct cfg *c, yaml_node_t *map, const char *at, int open,
		    int depth)
{
	const struct cfg_field *f;
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *key;
	char path[256];
	int r;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(&c->y.doc, p->key);
		v = yaml_document_get_node(&c->y.doc, p->value);
		if (!k || k->type != YAML_SCALAR_NODE)
			return cfg_printed(c, k8s_yaml_fail(&c->y,
				"%s%sa field name that is %s (line %zu)", at,
				*at ? ": " : "", k ? k8s_yaml_type_name(k) : "missing",
				k ? cfg_line(k) : 0));
		key = (const char *)k->data.scalar.value;
		if (k8s_yaml_get(&c->y, map, key) != v)   /* repeated, or null */
			continue;
		snprintf(path, sizeof(path), "%s%s%s", at, *at ? "." : "", key);
		if ((f = cfg_field(path)))
			r = cfg_apply(c, f, map, key, at, v, depth);
		else if (open)
			r = cfg_ignore(c, v, path, NULL, depth);
		else {
			agent_log(AGENT_LOG_WARN, "%s: unknown field %s (line %zu), ignored",
				  c->path, path, cfg_line(k));
			r = 0;
		}
		if (r)
			return r;
	}
	return 0;
}

/* apiVersion and kind, as kube-proxy's decoder wants them. */
static int cfg_check_type(struct cfg *c, yaml_node_t *root)
{
	const char *api = NULL, *kind = NULL;
	int r;

	if ((r = k8s_yaml_str(&c->y, root, "kind", "", &kind, NULL)) < 0 ||
	    (r = k8s_yaml_str(&c->y, root, "apiVersion", "", &api, NULL)) < 0)
		return cfg_printed(c, r);
	if (!kind)
		return cfg_printed(c, k8s_yaml_fail(&c->y,
			"kind: missing; want " CFG_KIND));
	if (strcmp(kind, CFG_KIND))
		return cfg_printed(c, k8s_yaml_fail(&c->y,
			"kind: \"%s\": want " CFG_KIND "%s (line %zu)", kind,
			strcmp(kind, "ConfigMap") ? ""
				: " (mount the ConfigMap and pass its config.conf)",
			cfg_line(k8s_yaml_get(&c->y, root, "kind"))));
	if (!api)
		return cfg_printed(c, k8s_yaml_fail(&c->y,
			"apiVersion: missing; want " CFG_API_VERSION));
	if (strcmp(api, CFG_API_VERSION))
		return cfg_printed(c, k8s_yaml_fail(&c->y,
			"apiVersion: \"%s\": want " CFG_API_VERSION " (line %zu)",
			api, cfg_line(k8s_yaml_get(&c->y, root, "apiVersion"))));
	return 0;
}

/* kube-proxy's server defaults for an IPv6 bindAddress, where the file
 * left them unset (@healthz, @metrics: the values before the walk). */
static int cfg_bind_v6(struct cfg *c, const char *healthz, const char *metrics)
{
	struct agent_options_src src = { NULL, c->path, "bindAddress", 0 };
	char h[] = "[::]:10256", m[] = "[::1]:10249";
	char *hc, *mc;

	if (!c->bind_v6)
		return 0;
	if (c->o->healthz_bind == healthz) {
		if (!(hc = agent_options_keep(c->o, h, sizeof(h) - 1)))
			return cfg_printed(c, -ENOMEM);
		src.flag = "healthz-bind-address";
		if (agent_options_set(c->o, &src, hc))
			return -EINVAL;
	}
	if (c->o->metrics_bind == metrics) {
		if (!(mc = agent_options_keep(c->o, m, sizeof(m) - 1)))
			return cfg_printed(c, -ENOMEM);
		src.flag = "metrics-bind-address";
		if (agent_options_set(c->o, &src, mc))
			return -EINVAL;
	}
	return 0;
}

static int cfg_load_doc(struct cfg *c)
{
	const char *healthz = c->o->healthz_bind, *metrics = c->o->metrics_bind;
	yaml_node_t *root = k8s_yaml_root(&c->y);
	int r;

	if (!root)
		return cfg_printed(c, k8s_yaml_fail(&c->y, "empty; want a " CFG_KIND));
	if (root->type != YAML_MAPPING_NODE)
		return cfg_printed(c, k8s_yaml_fail(&c->y,
			"want a " CFG_KIND ", got %s (line %zu)",
			k8s_yaml_type_name(root), cfg_line(root)));
	if ((r = cfg_check_type(c, root)) || (r = cfg_walk(c, root, "", 0, 0)) ||
	    (r = cfg_bind_v6(c, healthz, metrics)))
		return r;
	if (*c->ignored)
		agent_log(AGENT_LOG_INFO, "%s: not used by ipvsagent: %s", c->path,
			  c->ignored);
	return 0;
}

int agent_options_config_load(struct agent_options *o, const char *path)
{
	struct cfg c;
	char *text = NULL;
	size_t len = 0;
	int r;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.path = path;
	if ((r = k8s_cfg_read_file(path, K8S_CFG_FILE_MAX, &text, &len))) {
		fprintf(stderr, "ipvsagent: --config=%s: %s\n", path, k8s_cfg_strerror(r));
		return r == -ENOMEM ? r : -EINVAL;
	}
	if ((r = k8s_yaml_load(&c.y, path, text, len, c.err, sizeof(c.err))))
		cfg_printed(&c, r);
	else
		r = cfg_load_doc(&c);
	k8s_yaml_fini(&c.y);
	free(text);
	return r;
}
