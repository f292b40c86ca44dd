/*
 * agent/options.h - the command line.  Flag names, defaults and meanings
 * follow kube-proxy's ipvs mode, so existing manifests keep working; the
 * few of our own say so in --help.
 */
#ifndef AGENT_OPTIONS_H
#define AGENT_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#define AGENT_MAX_LIST 32

struct agent_options {
	const char *config;            /* --config: a KubeProxyConfiguration */
	const char *services_file;     /* --services-file: the file source */
	const char *kubeconfig;        /* --kubeconfig */
	const char *master;            /* --master */
	char hostname[256];            /* --hostname-override, default uname */
	const char *scheduler;         /* --ipvs-scheduler, default "rr" */
	double sync_period;            /* --ipvs-sync-period, default 30s */
	double min_sync_period;        /* --ipvs-min-sync-period, default 0 */
	double graceful_period;        /* --ipvs-graceful-period, default 15m */
	double tcp_timeout;            /* --ipvs-tcp-timeout, 0 = leave */
	double tcpfin_timeout;         /* --ipvs-tcpfin-timeout */
	double udp_timeout;            /* --ipvs-udp-timeout */
	int strict_arp;                /* --ipvs-strict-arp */
	const char *exclude_cidrs[AGENT_MAX_LIST];  /* --ipvs-exclude-cidrs */
	size_t nexclude_cidrs;
	const char *nodeport_addrs[AGENT_MAX_LIST]; /* --nodeport-addresses */
	size_t nnodeport_addrs;
	const char *dummy_interface;   /* --dummy-interface, "kube-ipvs0" */
	const char *state_dir;         /* --state-dir, "/run/ipvsagent" */
	const char *metrics_bind;      /* --metrics-bind-address */
	const char *healthz_bind;      /* --healthz-bind-address */
	int metrics_service_traffic;   /* --metrics-service-traffic, default on */
	int cleanup;                   /* --cleanup */
	int dry_run;                   /* --dry-run */
	int verbosity;                 /* -v / --v */
	char **config_strs;            /* values copied from --config (owned) */
	size_t nconfig_strs;           /* how many */
};

/*
 * Parse argv.  Returns 0 to run, 1 when --help or --version was handled
 * (exit 0), or -EINVAL (-ENOMEM) after printing the problem to stderr
 * (exit 2).  The strings point into argv, or into copies of --config's
 * values that @o owns.
 *
 * With --config FILE the file is read first and every flag given on the
 * command line overrides it (a list flag replaces the file's list).
 * kube-proxy instead ignores most flags next to --config; a warning says
 * so for each flag that it would have ignored.
 */
int agent_options_parse(struct agent_options *o, int argc, char **argv);

/* Free what a parse took (the copies of --config's values).  Safe after
 * any agent_options_parse(), whatever it returned. */
void agent_options_fini(struct agent_options *o);

void agent_options_usage(FILE *f);

#endif
